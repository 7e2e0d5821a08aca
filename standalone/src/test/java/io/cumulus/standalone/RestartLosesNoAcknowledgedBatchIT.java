package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.standalone.CumulusClient.Device;
import io.cumulus.standalone.CumulusClient.Response;
import tools.jackson.databind.JsonNode;

/**
 * The standalone process, killed (SIGKILL) in the middle of a stream of submits and started again
 * over the same data directory, loses no batch it had acknowledged with a 202: every one of them
 * is reconciled and appears in the change feed exactly once.
 */
class RestartLosesNoAcknowledgedBatchIT {
    private static final int SUBMITS = 120;

    private StandaloneProcess server;

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aKilledAndRestartedServerKeepsEveryAcknowledgedBatch() throws Exception {
        // given a standalone process with its own in-process Kafka, on a fresh database
        Path dataDir = RunningCumulus.workDir("restart-");
        PostgresConnection pg = TestServers.freshDatabase();
        server = StandaloneProcess.start(dataDir, List.of("--postgres-url=" + pg.jdbcUrl(), "--postgres-user=" + pg.user(),
                "--postgres-password=" + pg.password()));
        CumulusClient client = new CumulusClient(server.baseUrl());
        Device laptop = client.newAccountWithDevice(server.adminToken(), "restarter", "Laptop");
        byte[] content = "survives restarts\n".getBytes(StandardCharsets.UTF_8);
        String chunk = client.upload(laptop, content);

        // when a device submits a stream of batches, retrying each until acknowledged, while the server is killed and restarted
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        AtomicBoolean done = new AtomicBoolean();
        Thread submitter = new Thread(() -> {
            try {
                for (int i = 0; i < SUBMITS; i++) {
                    Map<String, Object> body = CumulusClient.oneFileBatch(laptop.namespace(), "file-" + i,
                            "stream/" + i + ".txt", Map.of(laptop.id(), 1), chunk, content.length);
                    acknowledged.add(submitUntilAcknowledged(client, laptop, "key-" + i, body));
                }
            } catch (Throwable t) {
                failures.add(t);
            } finally {
                done.set(true);
            }
        }, "submitter");
        submitter.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= SUBMITS / 3 || done.get());
        server.kill();
        int acknowledgedBeforeKill = acknowledged.size();
        long printedBeforeRestart = server.printedSoFar();
        server.restart();
        submitter.join(TimeUnit.MINUTES.toMillis(3));

        // then every acknowledged batch is reconciled and in the feed exactly once
        assertThat(failures).isEmpty();
        assertThat(acknowledgedBeforeKill).isLessThan(SUBMITS);
        assertThat(acknowledged).hasSize(SUBMITS);
        awaitAllDone(client, laptop, acknowledged, pg, printedBeforeRestart);
        for (String batchId : acknowledged) {
            JsonNode batch = client.get(laptop, "/v1/batches/" + batchId).json();
            assertThat(batch.get("changes").get(0).get("kind").asString()).isEqualTo("APPLIED");
        }
        JsonNode feed = client.get(laptop, "/v1/namespaces/" + laptop.namespace() + "/changes?after=0&limit=1000").json();
        assertThat(feed.get("changes")).extracting(c -> c.get("batchId").asString())
                .hasSize(SUBMITS).containsExactlyInAnyOrderElementsOf(acknowledged);
        // and the reconciler restored the stores the crash left from their changelogs, without Kafka Streams' corruption path
        assertThat(server.printedSince(printedBeforeRestart))
                .contains("reconciler did not stop cleanly last time")
                .doesNotContain("are corrupted");
    }

    /**
     * Waits until every batch is done. A server restarted after a crash first recovers its broker, its
     * reconciler's stores and its relay's slot, so the whole set gets one generous deadline; when it
     * passes, the failure names the batches still pending and where each one stands.
     */
    private void awaitAllDone(CumulusClient client, Device device, Set<String> batchIds, PostgresConnection pg,
            long printedBeforeRestart) throws Exception {
        Set<String> pending = ConcurrentHashMap.newKeySet();
        pending.addAll(batchIds);
        try {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
                pending.removeIf(id -> "done".equals(client.get(device, "/v1/batches/" + id).json().path("status").asString()));
                return pending.isEmpty();
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(pending.size() + " acknowledged batches are still pending: " + pending + "\n"
                    + whereTheyStand(pg, pending) + "\nthe restarted server's warnings and errors:\n"
                    + warningsSince(printedBeforeRestart), e);
        }
    }

    /** Whether each pending batch reached the outbox, and how far the relay and the read model are. */
    private static String whereTheyStand(PostgresConnection pg, Set<String> pending) throws SQLException {
        StringBuilder b = new StringBuilder();
        try (Connection c = pg.connect(); Statement s = c.createStatement()) {
            for (String id : pending) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM ingest.outbox WHERE batch_id = '" + UUID.fromString(id) + "'")) {
                    rs.next();
                    b.append("batch ").append(id).append(": outbox rows ").append(rs.getLong(1)).append('\n');
                }
            }
            for (String query : List.of(
                    "SELECT slot_name, active, confirmed_flush_lsn FROM pg_replication_slots",
                    "SELECT topic, partition, next_offset FROM readmodel.consumer_positions ORDER BY topic, partition")) {
                try (ResultSet rs = s.executeQuery(query)) {
                    while (rs.next()) {
                        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                            b.append(rs.getString(i)).append(' ');
                        }
                        b.append('\n');
                    }
                }
            }
        }
        return b.toString();
    }

    private String warningsSince(long printedBeforeRestart) throws IOException {
        List<String> lines = server.printedSince(printedBeforeRestart).lines()
                .filter(l -> l.contains(" WARN ") || l.contains(" ERROR ") || l.startsWith("Cumulus")).toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
    }

    /** What a real client does: the same key again after a connection failure or a 503, until a 202. */
    private static String submitUntilAcknowledged(CumulusClient client, Device device, String key, Map<String, Object> body)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            try {
                Response r = client.submit(device, key, body);
                if (r.status() == 202) {
                    return r.json().get("batchId").asString();
                }
                if (r.status() / 100 == 4) {
                    throw new AssertionError("a retried submit was refused: " + r);
                }
            } catch (UncheckedIOException | IllegalStateException e) {
                // the server is down or restarting: retry with the same key
            }
            Thread.sleep(100); // client back-off between retries, not a wait for a condition
        }
        throw new AssertionError("batch " + key + " was never acknowledged");
    }
}
