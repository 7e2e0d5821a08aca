package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

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
        server.restart();
        submitter.join(TimeUnit.MINUTES.toMillis(3));

        // then every acknowledged batch is reconciled and in the feed exactly once
        assertThat(failures).isEmpty();
        assertThat(acknowledgedBeforeKill).isLessThan(SUBMITS);
        assertThat(acknowledged).hasSize(SUBMITS);
        for (String batchId : acknowledged) {
            JsonNode batch = EditFlowsThroughThePipelineIT.awaitDone(client, laptop, batchId);
            assertThat(batch.get("changes").get(0).get("kind").asString()).isEqualTo("APPLIED");
        }
        JsonNode feed = client.get(laptop, "/v1/namespaces/" + laptop.namespace() + "/changes?after=0&limit=1000").json();
        assertThat(feed.get("changes")).extracting(c -> c.get("batchId").asString())
                .hasSize(SUBMITS).containsExactlyInAnyOrderElementsOf(acknowledged);
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
