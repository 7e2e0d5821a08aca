package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.datastax.oss.driver.api.core.CqlSession;

import io.cumulus.projector.SyncStateGenerations;
import io.cumulus.standalone.CumulusClient.Device;
import io.cumulus.standalone.CumulusClient.Response;

/**
 * The sync state on a real Cassandra node lost (every table of its keyspace emptied but the device
 * cursors, which no topic holds), and rebuilt with {@code cumulus admin rebuild sync-state}: the new
 * keyspace holds exactly what the lost one held, read table by table from the catalogue, and the
 * devices' feeds and listings answer as before.
 */
class ALostSyncStateOnCassandraIsRebuiltIT {
    private static final String KEYSPACE = "lost_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    /** Written by the API as devices read, not derived from the topics: not lost, not rebuilt. */
    private static final List<String> NOT_DERIVED = List.of("device_cursors");

    private static CumulusOnCassandra cumulus;
    private static StandaloneServer server;
    private static CqlSession cassandra;

    @BeforeAll
    static void start() {
        cumulus = CumulusOnCassandra.start(KEYSPACE, "standalone-lost");
        server = cumulus.server();
        cassandra = cumulus.cassandra();
    }

    @AfterAll
    static void stop() {
        if (cumulus != null) {
            cumulus.close();
        }
    }

    @Test
    void theRebuiltKeyspaceHoldsWhatTheLostOneHeld() throws Exception {
        // given two devices that synced a few edits, some of them concurrent, and a settled pipeline
        CumulusClient client = new CumulusClient(server.baseUrl());
        String user = "lost-" + UUID.randomUUID().toString().substring(0, 8);
        Device laptopLogin = client.newAccountWithDevice(StandaloneServer.adminToken(server.dataDir()), user, "Laptop");
        Device phoneLogin = client.registerDevice(user, "Phone");
        SyncingDevice laptop = new SyncingDevice(client, laptopLogin, "laptop", false, 4);
        SyncingDevice phone = new SyncingDevice(client, phoneLogin, "phone", false, 1);
        List<Thread> threads = List.of(new Thread(laptop, "laptop"), new Thread(phone, "phone"));
        threads.forEach(Thread::start);
        await("edits").atMost(Duration.ofSeconds(60)).until(() -> laptop.edits().size() + phone.edits().size() >= 12
                || laptop.failure().isPresent() || phone.failure().isPresent());
        laptop.stop();
        phone.stop();
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(60).toMillis());
        }
        assertThat(laptop.failure()).isEmpty();
        assertThat(phone.failure()).isEmpty();
        KeyspaceTables tables = new KeyspaceTables(cassandra);
        DerivedTables.Snapshot before = settled(tables);
        System.out.println("[lost-sync-state] before: " + before);
        Map<String, String> answersBefore = answers(client, laptopLogin, phone);
        assertThat(before.rows("feed")).isGreaterThanOrEqualTo(12);

        // when every derived table of the live keyspace loses its rows
        String lost = live();
        for (String table : before.tables().keySet()) {
            tables.truncate(lost, table);
        }
        assertThat(client.get(phoneLogin, "/v1/namespaces/" + phoneLogin.namespace() + "/changes?after=0").json()
                .get("changes")).as("the loss shows").isEmpty();

        // and the sync state is rebuilt with the admin command
        assertThat(AdminRebuilds.onTheCommandLine(server, "sync-state"))
                .containsPattern("sync-state switched to generation \\d+");

        // then the new keyspace holds what the lost one held, and the API answers as before
        assertThat(live()).isNotEqualTo(lost);
        DerivedTables.Snapshot after = settled(tables);
        assertThat(after.digests()).as(() -> before.differences(after)).isEqualTo(before.digests());
        assertThat(answers(client, laptopLogin, phone)).isEqualTo(answersBefore);
    }

    private static String live() throws Exception {
        return SyncStateGenerations.live(server.postgres().dataSource(), KEYSPACE);
    }

    /** The live keyspace's derived tables, once two looks a second apart see the same rows. */
    private static DerivedTables.Snapshot settled(KeyspaceTables tables) throws Exception {
        AtomicReference<DerivedTables.Snapshot> last = new AtomicReference<>(tables.capture(live(), NOT_DERIVED));
        return await("the sync state settles").atMost(Duration.ofSeconds(60))
                .pollDelay(Duration.ofSeconds(1)).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    DerivedTables.Snapshot now = tables.capture(live(), NOT_DERIVED);
                    return now.digests().equals(last.getAndSet(now).digests()) ? now : null;
                }, s -> s != null);
    }

    /** What the devices read from the sync state: the change feed, the listing, and each file. */
    private static Map<String, String> answers(CumulusClient client, Device reader, SyncingDevice device) {
        Map<String, String> answers = new LinkedHashMap<>();
        String ns = "/v1/namespaces/" + reader.namespace();
        for (String path : List.of(ns + "/changes?after=0", ns + "/files", ns + "/trash", ns + "/conflicts")) {
            Response r = client.get(reader, path);
            answers.put(path, r.status() + " " + r.body());
        }
        for (String fileId : device.liveFiles().keySet()) {
            Response r = client.get(reader, "/v1/files/" + fileId);
            answers.put(fileId, r.status() + " " + r.body());
        }
        return answers;
    }
}
