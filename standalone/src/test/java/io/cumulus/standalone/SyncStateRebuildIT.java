package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.datastax.oss.driver.api.core.CqlSession;

import io.cumulus.embedded.testing.CassandraNode;
import io.cumulus.projector.CassandraSettings;
import io.cumulus.standalone.CumulusClient.Device;
import io.cumulus.standalone.rebuild.Digest;
import io.cumulus.standalone.rebuild.RebuildCommand;
import io.cumulus.standalone.rebuild.SyncStateProjection;
import tools.jackson.databind.JsonNode;

/**
 * {@code cumulus admin rebuild sync-state}: the Cassandra sync state rebuilt into a new keyspace on a real
 * Cassandra node equals the one it
 * replaces; after the switch the projector writes the new keyspace and the API reads it, and edits
 * made during the rebuild are in it.
 */
class SyncStateRebuildIT {
    private static final String KEYSPACE = "rebuild_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private static CumulusOnCassandra cumulus;
    private static StandaloneServer server;
    private static CqlSession cassandra;
    private static SyncStateProjection syncState;

    @BeforeAll
    static void start() {
        cumulus = CumulusOnCassandra.start(KEYSPACE, "standalone-rebuild");
        server = cumulus.server();
        cassandra = cumulus.cassandra();
        syncState = new SyncStateProjection(server.postgres().dataSource(), CassandraSettings.of(
                List.of(cumulus.contactPoint()), CassandraNode.DATACENTER, KEYSPACE));
    }

    @AfterAll
    static void stop() {
        if (cumulus != null) {
            cumulus.close();
        }
    }

    @Test
    void aRebuiltKeyspaceEqualsTheLiveOneAndServesEveryEditAfterTheSwitch() throws Exception {
        // given a device's edits, a delete among them, projected into the configured keyspace
        CumulusClient client = new CumulusClient(server.baseUrl());
        String user = "rebuild" + Long.toHexString(System.nanoTime());
        Device laptop = client.newAccountWithDevice(StandaloneServer.adminToken(server.dataDir()), user, "Laptop");
        Device phone = client.registerDevice(user, "Phone");
        String ns = laptop.namespace();
        edit(client, laptop, "f1", "notes/a.txt", 1, "a");
        edit(client, laptop, "f2", "notes/b.txt", 1, "b");
        edit(client, laptop, "f1", "notes/a.txt", 2, "a2");
        awaitDone(client, laptop, client.submit(laptop, "del-f2", CumulusClient.deleteBatch(ns, "f2", "notes/b.txt",
                Map.of(laptop.id(), 2))));
        client.get(phone, "/v1/namespaces/" + ns + "/changes?after=4"); // the phone's cursor, which is not rebuilt
        Digest live = syncState.digest();

        // when the sync state is rebuilt
        String first = rebuild();

        // then the new keyspace is the live one, equal to the old, the cursors kept, the old tables gone
        assertThat(first).contains("sync-state switched to generation 2");
        assertThat(syncState.liveGeneration()).isEqualTo(2);
        assertThat(cassandra.getMetadata().getKeyspace(KEYSPACE + "_g2")).isPresent();
        assertThat(syncState.digest()).isEqualTo(live);
        assertThat(cassandra.getMetadata().getKeyspace(KEYSPACE).orElseThrow().getTable("feed")).isEmpty();
        JsonNode cursors = client.get(laptop, "/v1/namespaces/" + ns + "/devices/cursors").json();
        assertThat(cursors.get("devices")).anySatisfy(d -> assertThat(d.get("seq").asLong()).isEqualTo(4));

        // and an edit made while the next rebuild runs reaches the phone's feed, read from whichever is live
        String during = client.submit(laptop, "during", CumulusClient.oneFileBatch(ns, "f3", "notes/c.txt",
                Map.of(laptop.id(), 3), client.upload(laptop, bytes("c")), 1)).json().get("batchId").asString();
        String second = rebuild();
        awaitDone(client, laptop, during);
        edit(client, laptop, "f4", "notes/d.txt", 4, "d");
        assertThat(second).contains("sync-state switched to generation 3");
        assertThat(syncState.liveGeneration()).isEqualTo(3);
        JsonNode feed = client.get(phone, "/v1/namespaces/" + ns + "/changes?after=0").json();
        assertThat(feed.get("changes")).extracting(c -> c.get("seq").asLong()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(feed.get("changes")).extracting(c -> c.get("path").asString()).endsWith("notes/c.txt", "notes/d.txt");
        assertThat(cassandra.getMetadata().getKeyspace(KEYSPACE + "_g2")).isEmpty();
    }

    /** {@code cumulus admin rebuild sync-state} against the server; answers what it printed once it exited 0. */
    private static String rebuild() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RebuildCommand.run(List.of("sync-state", "--data-dir=" + server.dataDir(), "--port=" + server.httpPort()),
                Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(out + "\n" + err).isEqualTo(RebuildCommand.DONE);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void edit(CumulusClient client, Device device, String fileId, String path, int counter, String text) {
        byte[] content = bytes(text);
        String chunk = client.upload(device, content);
        awaitDone(client, device, client.submit(device, fileId + "-" + counter, CumulusClient.oneFileBatch(
                device.namespace(), fileId, path, Map.of(device.id(), counter), chunk, content.length)));
    }

    private static void awaitDone(CumulusClient client, Device device, String batchId) {
        EditFlowsThroughThePipelineIT.awaitDone(client, device, batchId);
    }

    private static void awaitDone(CumulusClient client, Device device, CumulusClient.Response submitted) {
        awaitDone(client, device, submitted.json().get("batchId").asString());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
