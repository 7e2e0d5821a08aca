package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;

import io.cumulus.standalone.CumulusClient.Device;
import io.cumulus.standalone.CumulusClient.Response;
import tools.jackson.databind.JsonNode;

/**
 * Cumulus configured with {@code --sync-state=cassandra} against a real Cassandra node: an edit flows
 * through the pipeline into Cassandra, and as soon as its batch is done another device's feed (read
 * from Cassandra) shows it; the feed read records that device's cursor there.
 */
class SyncStateOnCassandraIT {
    private static final String KEYSPACE = "standalone_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private static CumulusOnCassandra cumulus;
    private static StandaloneServer server;
    private static CqlSession cassandra;

    @BeforeAll
    static void start() {
        cumulus = CumulusOnCassandra.start(KEYSPACE, "standalone-cass");
        server = cumulus.server();
        cassandra = cumulus.cassandra();
    }

    @AfterAll
    static void stop() {
        if (cumulus != null) {
            cumulus.close();
        }
    }


    private static List<String> cql(String query, Object... values) {
        return cassandra.execute(SimpleStatement.newInstance(query.replace("KS", KEYSPACE), values)
                .setTimeout(Duration.ofSeconds(10))).all().stream().map(r -> String.valueOf(r.getObject(0))).toList();
    }

    @Test
    void anEditReachesAnotherDevicesFeedThroughCassandraAsSoonAsItsBatchIsDone() {
        // given two devices of one account
        CumulusClient client = new CumulusClient(server.baseUrl());
        String user = "cass" + Long.toHexString(System.nanoTime());
        Device laptop = client.newAccountWithDevice(StandaloneServer.adminToken(server.dataDir()), user, "Laptop");
        Device phone = client.registerDevice(user, "Phone");
        UUID namespace = UUID.fromString(laptop.namespace());

        // when the laptop uploads a file and its batch is done
        byte[] content = "synced through cassandra".getBytes(StandardCharsets.UTF_8);
        String chunk = client.upload(laptop, content);
        String batchId = client.submit(laptop, "cass-edit", CumulusClient.oneFileBatch(laptop.namespace(), "cass-1",
                        "notes/cass.txt", Map.of(laptop.id(), 1), chunk, content.length))
                .json().get("batchId").asString();
        JsonNode done = EditFlowsThroughThePipelineIT.awaitDone(client, laptop, batchId);
        long seq = done.get("changes").get(0).get("seq").asLong();

        // then at once the phone's feed, served from Cassandra, has the change, and the file its current state
        JsonNode feed = client.get(phone, "/v1/namespaces/" + laptop.namespace() + "/changes?after=0").json();
        assertThat(feed.get("changes")).extracting(c -> c.get("path").asString()).containsExactly("notes/cass.txt");
        assertThat(feed.get("lastSeq").asLong()).isEqualTo(seq);
        JsonNode file = client.get(phone, "/v1/files/cass-1").json();
        assertThat(file.get("path").asString()).isEqualTo("notes/cass.txt");
        assertThat(file.get("chunks").get(0).get("id").asString()).isEqualTo(chunk);
        // and Cassandra holds the feed row, the file's state and the head
        assertThat(cql("SELECT path FROM KS.feed WHERE namespace_id = ? AND bucket = ? AND seq = ?", namespace, seq / 4096,
                seq)).containsExactly("notes/cass.txt");
        assertThat(cql("SELECT seq FROM KS.files WHERE namespace_id = ? AND file_id = 'cass-1'", namespace))
                .containsExactly(String.valueOf(seq));
        assertThat(cql("SELECT last_seq FROM KS.namespace_heads WHERE namespace_id = ?", namespace))
                .containsExactly(String.valueOf(seq));

        // when the phone reads again after what it got, then its cursor is recorded in Cassandra
        client.get(phone, "/v1/namespaces/" + laptop.namespace() + "/changes?after=" + seq);
        assertThat(cql("SELECT seq FROM KS.device_cursors WHERE namespace_id = ? AND device_id = ?", namespace,
                UUID.fromString(phone.id()))).containsExactly(String.valueOf(seq));
        Response cursors = client.get(laptop, "/v1/namespaces/" + laptop.namespace() + "/devices/cursors");
        assertThat(cursors.status()).isEqualTo(200);
        assertThat(cursors.json().get("lastSeq").asLong()).isEqualTo(seq);
        assertThat(cursors.json().get("devices")).anySatisfy(d -> {
            assertThat(d.get("deviceId").asString()).isEqualTo(phone.id());
            assertThat(d.get("seq").asLong()).isEqualTo(seq);
        });
    }
}
