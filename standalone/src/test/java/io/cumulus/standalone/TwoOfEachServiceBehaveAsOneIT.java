package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.InProcessKafkaCluster;
import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.standalone.CumulusClient.Device;
import io.cumulus.standalone.CumulusClient.Response;
import io.cumulus.sync.hash.Sha256;
import tools.jackson.databind.JsonNode;

/**
 * Two Cumulus processes, each running every service (API with notifier and merge worker, outbox
 * relay, reconciler, projector) under its own instance id, on one three-broker Kafka cluster and one
 * database, sharing one blob directory, behave as one: devices upload, submit and download through
 * both APIs, and when one process is killed (SIGKILL) and one broker stopped in the middle of it,
 * clients retry on the survivor, its standby relay takes over, every acknowledged batch is applied
 * exactly once with gap-free sequence numbers, and pushes reach devices on either notifier.
 */
class TwoOfEachServiceBehaveAsOneIT {
    private static final int DEVICES = 4;
    private static final int BATCHES_PER_DEVICE = 60;
    private static final Duration CONVERGED = Duration.ofSeconds(90);

    private InProcessKafkaCluster kafka;
    private StandaloneProcess first;
    private StandaloneServer second;

    @AfterEach
    void stop() throws InterruptedException {
        if (first != null) {
            first.close();
        }
        if (second != null) {
            second.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void killingOneInstanceOfEachServiceAndOneBrokerLosesAndDuplicatesNothing() throws Exception {
        // given a three-broker cluster, one database, and two processes sharing a data directory (blobs, admin token)
        kafka = InProcessKafkaCluster.start(TestServers.workDir("multi-kafka-"), 3);
        PostgresConnection pg = TestServers.freshDatabase();
        Path dataDir = RunningCumulus.workDir("multi-");
        List<String> shared = List.of("--data-dir=" + dataDir, "--kafka-bootstrap=" + kafka.bootstrapServers(),
                "--postgres-url=" + pg.jdbcUrl(), "--postgres-user=" + pg.user(), "--postgres-password=" + pg.password());
        List<String> firstOptions = new ArrayList<>(shared);
        firstOptions.add("--instance-id=first");
        first = StandaloneProcess.start(dataDir, firstOptions);
        List<String> secondArgs = new ArrayList<>(List.of("--port=0", "--instance-id=second"));
        secondArgs.addAll(shared);
        second = StandaloneServer.start(StandaloneSettings.from(secondArgs, Map.of()),
                line -> System.out.println("[second] " + line));
        assertThat(first.output()).contains("Outbox relay: active").contains("replication factor 3");
        assertThat(second.relayActive()).as("the second relay stands by while the first is active").isFalse();

        List<CumulusClient> apis = List.of(new CumulusClient(first.baseUrl()),
                new CumulusClient(second.baseUrl()));
        String username = "multi";
        Device setup = apis.get(0).newAccountWithDevice(StandaloneServer.adminToken(dataDir), username, "Setup");
        List<Device> writers = new ArrayList<>();
        for (int i = 0; i < DEVICES; i++) {
            writers.add(apis.get(i % 2).registerDevice(username, "Writer " + i));
        }
        Device onFirstNotifier = apis.get(0).registerDevice(username, "Listener on the first");
        Device onSecondNotifier = apis.get(1).registerDevice(username, "Listener on the second");
        BlockingQueue<JsonNode> firstPushes = apis.get(0).listen(onFirstNotifier);
        BlockingQueue<JsonNode> secondPushes = apis.get(1).listen(onSecondNotifier);

        // and pushes reach a device on either notifier while both run
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        byte[] warmUpContent = "before the fault\n".getBytes(StandardCharsets.UTF_8);
        Response warmUp = apis.get(0).submit(setup, "before-fault", CumulusClient.oneFileBatch(setup.namespace(), "before",
                "before.txt", Map.of(setup.id(), 1), apis.get(0).upload(setup, warmUpContent), warmUpContent.length));
        acknowledged.add(acknowledgedBatch(warmUp));
        assertThat(awaitPush(firstPushes)).isEqualTo(1);
        assertThat(awaitPush(secondPushes)).isEqualTo(1);

        // when every writer uploads, submits and downloads through both APIs in turn, retrying on the other one
        AtomicInteger downloads = new AtomicInteger();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Thread> writing = new ArrayList<>();
        for (int w = 0; w < DEVICES; w++) {
            Device device = writers.get(w);
            int writer = w;
            writing.add(Thread.ofPlatform().name("writer-" + w).start(() -> {
                try {
                    for (int b = 0; b < BATCHES_PER_DEVICE; b++) {
                        int k = b;
                        byte[] content = ("writer " + writer + " batch " + k + "\n").getBytes(StandardCharsets.UTF_8);
                        int api = (writer + k) % 2;
                        String chunk = withRetry(apis, api, c -> c.upload(device, content));
                        Map<String, Object> body = CumulusClient.oneFileBatch(device.namespace(), "w" + writer + "-f" + k,
                                "writer-" + writer + "/" + k + ".txt", Map.of(device.id(), 1), chunk, content.length);
                        acknowledged.add(withRetry(apis, api, c -> acknowledgedBatch(c.submit(device, "w" + writer + "-" + k, body))));
                        byte[] downloaded = withRetry(apis, api + 1, c -> chunkBytes(c.get(device, "/v1/chunks/" + chunk)));
                        assertThat(Sha256.hex(downloaded)).isEqualTo(chunk);
                        downloads.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        int total = DEVICES * BATCHES_PER_DEVICE + 1;
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(10))
                .until(() -> acknowledged.size() >= total / 4 || !failures.isEmpty());

        // and one instance of each service dies (the first process, with the active relay) while one broker stops
        int acknowledgedAtTheFault = acknowledged.size();
        first.kill();
        kafka.stop(1);

        // then the standby relay takes over, and a device on the surviving notifier (connected before or after) gets pushes
        await().atMost(Duration.ofSeconds(60)).until(second::relayActive);
        // (the writers may all have finished by now, so the pushes are checked with the change made after the fault, below)
        BlockingQueue<JsonNode> connectedAfter = apis.get(1).listen(apis.get(1).registerDevice(username, "Late listener"));
        for (Thread t : writing) {
            t.join(TimeUnit.MINUTES.toMillis(3));
        }
        assertThat(failures).isEmpty();
        assertThat(acknowledgedAtTheFault).isLessThan(total);
        assertThat(acknowledged).hasSize(total);
        assertThat(downloads.get()).isEqualTo(DEVICES * BATCHES_PER_DEVICE);

        // and once the broker is back, everything converges: each acknowledged change applied once, seqs 1..N
        kafka.restart(1);
        CumulusClient survivor = apis.get(1);
        for (String batchId : acknowledged) {
            JsonNode batch = await().atMost(CONVERGED).pollInterval(Duration.ofMillis(100))
                    .until(() -> survivor.get(setup, "/v1/batches/" + batchId).json(),
                            b -> b.has("status") && b.get("status").asString().equals("done"));
            assertThat(batch.get("changes").get(0).get("kind").asString()).isEqualTo("APPLIED");
        }
        JsonNode feed = survivor.get(setup, "/v1/namespaces/" + setup.namespace() + "/changes?after=0&limit=1000").json();
        assertThat(feed.get("changes")).extracting(c -> c.get("batchId").asString())
                .hasSize(total).containsExactlyInAnyOrderElementsOf(acknowledged);
        List<Long> seqs = new ArrayList<>();
        feed.get("changes").forEach(c -> seqs.add(c.get("seq").asLong()));
        assertThat(seqs).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, total).boxed().toList());

        // and a change made after the fault is applied next in line and pushed (total + 1) to the devices on the
        // surviving notifier, the one connected before the fault and the one connected after it
        byte[] content = "after the fault\n".getBytes(StandardCharsets.UTF_8);
        String chunk = survivor.upload(setup, content);
        Response after = survivor.submit(setup, "after-fault", CumulusClient.oneFileBatch(setup.namespace(), "after",
                "after.txt", Map.of(setup.id(), 1), chunk, content.length));
        assertThat(after.status()).isEqualTo(202);
        for (BlockingQueue<JsonNode> pushes : List.of(secondPushes, connectedAfter)) {
            await().atMost(CONVERGED).pollInterval(Duration.ofMillis(200)).until(() -> {
                JsonNode p = pushes.poll(200, TimeUnit.MILLISECONDS);
                return p != null && p.has("seq") && p.get("seq").asLong() == total + 1;
            });
        }
    }

    private interface Call<T> {
        T on(CumulusClient api);
    }

    /**
     * What a client behind a load balancer sees: a refused connection or a 503 sends the same request
     * (same idempotency key) to the other API, until one answers.
     */
    private static <T> T withRetry(List<CumulusClient> apis, int first, Call<T> call) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        RuntimeException last = null;
        for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
            try {
                return call.on(apis.get((first + attempt) % apis.size()));
            } catch (UncheckedIOException | IllegalStateException | Unavailable e) {
                last = e;
            }
            if (attempt % apis.size() == apis.size() - 1) {
                Thread.sleep(200); // client back-off after both APIs failed, not a wait for a condition
            }
        }
        throw new AssertionError("no API answered within 3 minutes", last);
    }

    private static final class Unavailable extends RuntimeException {
        Unavailable(Response r) {
            super("unavailable: " + r);
        }
    }

    private static String acknowledgedBatch(Response r) {
        if (r.status() == 202) {
            return r.json().get("batchId").asString();
        }
        if (r.status() == 503 || r.status() == 502) {
            throw new Unavailable(r);
        }
        throw new AssertionError("a submit was refused: " + r);
    }

    private static byte[] chunkBytes(Response r) {
        if (r.status() == 200) {
            return r.body().getBytes(StandardCharsets.UTF_8);
        }
        if (r.status() == 503) {
            throw new Unavailable(r);
        }
        throw new AssertionError("a download failed: " + r);
    }

    /** The sequence number of the next namespace-changed push. */
    private static long awaitPush(BlockingQueue<JsonNode> pushes) {
        return await().atMost(CONVERGED).pollInterval(Duration.ofMillis(10)).until(() -> {
            JsonNode p = pushes.poll(100, TimeUnit.MILLISECONDS);
            return p != null && "namespace-changed".equals(p.path("type").asString()) ? p.get("seq").asLong() : 0L;
        }, seq -> seq > 0);
    }
}
