package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.standalone.CumulusClient.Device;
import io.cumulus.standalone.CumulusClient.Response;
import tools.jackson.databind.JsonNode;

/**
 * Back-pressure at the intake, end to end (docs/decisions/0020): eight devices submit batches as
 * fast as the server takes them, to a server whose intake refuses while its oldest undecided batch
 * is older than 1 s or more than 40 changes are undecided. Some submissions are refused with 503
 * {@code pipeline-busy}, {@code Retry-After} and a problem body; what the server has accepted and not
 * decided stays within its bounds, give or take what was already in flight; and once every refused
 * batch has been sent again under its key, each batch was accepted once and decided once, and each
 * file is in the feed once.
 */
class TheIntakeRefusesRatherThanFallBehindIT {
    private static final Duration MAX_LAG = Duration.ofSeconds(1);
    private static final int MAX_PENDING_CHANGES = 40;
    private static final int DEVICES = 8;
    private static final int BATCHES_PER_DEVICE = 20;
    private static final int CHANGES_PER_BATCH = 4;
    /**
     * How far past the bound the oldest undecided batch may get: refusing stops new batches, not the
     * ones already accepted, and each of those is decided only after the relay, a reconciler commit
     * and the notifier's read. On a two-core machine shared with other work one such pass has taken
     * 5.5 s (load average 15). Without back-pressure the lag grows with the backlog instead; the
     * count below is the tight check.
     */
    private static final Duration LAG_TOLERANCE = Duration.ofSeconds(10);
    /**
     * The most changes that can be undecided: the bound, plus one batch of every device whose
     * submission passed the gate just before the bound was reached (the gate is checked before the
     * batch is read, and the batch counted when its transaction ends).
     */
    private static final int MOST_UNDECIDED_CHANGES = MAX_PENDING_CHANGES + DEVICES * CHANGES_PER_BATCH;
    private static final Duration SUBMITTING = Duration.ofMinutes(4);
    private static final Duration SETTLING = Duration.ofSeconds(90);

    private static StandaloneServer server;
    private static CumulusClient client;
    private static String adminToken;

    @BeforeAll
    static void start() {
        PostgresConnection pg = TestServers.freshDatabase();
        StandaloneSettings settings = StandaloneSettings.from(List.of("--data-dir=" + TestServers.workDir("standalone-busy-"),
                "--port=0", "--kafka-port=0", "--postgres-url=" + pg.jdbcUrl(), "--postgres-user=" + pg.user(),
                "--postgres-password=" + pg.password(), "--max-lag=" + MAX_LAG.toMillis() + "ms",
                "--max-pending-changes=" + MAX_PENDING_CHANGES), Map.of());
        server = StandaloneServer.start(settings, line -> System.out.println("[cumulus-busy] " + line));
        client = new CumulusClient(server.baseUrl());
        adminToken = StandaloneServer.adminToken(server.dataDir());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** What one device sent: its batches as the server accepted them (key to batch id), its files, and every refusal. */
    private record Submitted(Map<String, String> batchIds, List<String> fileIds, List<Response> refusals) {
    }

    @Test
    void devicesThatOutrunThePipelineAreToldToWaitAndEveryBatchIsDecidedOnce() throws Exception {
        // given eight devices of one account, and one stored chunk that every file holds
        String user = "busy" + Long.toHexString(System.nanoTime() & 0xffffff);
        List<Device> devices = new ArrayList<>();
        devices.add(client.newAccountWithDevice(adminToken, user, "Device 0"));
        for (int i = 1; i < DEVICES; i++) {
            devices.add(client.registerDevice(user, "Device " + i));
        }
        byte[] content = "the same bytes in every file\n".getBytes(StandardCharsets.UTF_8);
        String chunk = client.upload(devices.get(0), content);
        // and a pipeline that has decided a first batch: a stage that is still starting (the reconciler's first
        // assignment takes seconds) holds the first batches for as long, however few they are
        Device first = devices.get(0);
        Response warmUp = client.submit(first, "warm-up", CumulusClient.oneFileBatch(first.namespace(), "warm-up",
                "warm-up.txt", Map.of(first.id(), 1), chunk, content.length));
        assertThat(warmUp.status()).as("%s", warmUp).isEqualTo(202);
        awaitDone(first, warmUp.json().get("batchId").asString());
        await().atMost(SETTLING).pollInterval(Duration.ofMillis(200))
                .until(() -> metrics().value("cumulus_intake_undecided_batches", "") == 0);

        // when every device submits its batches as fast as the server takes them, waiting as told when refused
        LagSamples lag = LagSamples.start(client, adminToken);
        ExecutorService submitters = Executors.newFixedThreadPool(DEVICES);
        List<Future<Submitted>> running = new ArrayList<>();
        for (int i = 0; i < DEVICES; i++) {
            Device device = devices.get(i);
            String name = "d" + i;
            CumulusClient own = new CumulusClient(server.baseUrl()); // a client each, with its own connections
            running.add(submitters.submit(() -> submitAll(own, device, name, chunk, content.length)));
        }
        List<Submitted> submitted = new ArrayList<>();
        for (Future<Submitted> f : running) {
            submitted.add(f.get(SUBMITTING.toSeconds(), TimeUnit.SECONDS));
        }
        submitters.shutdown();
        lag.stop();
        List<Response> refusals = submitted.stream().flatMap(s -> s.refusals().stream()).toList();
        System.out.println("[busy] refusals=" + refusals.size() + " " + lag);

        // then some submissions were refused, each with 503, Retry-After and a pipeline-busy problem
        assertThat(refusals).isNotEmpty();
        assertThat(refusals).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().get("type").asString()).isEqualTo("/problems/pipeline-busy");
            assertThat(r.retryAfter()).isPresent();
            assertThat(Long.parseLong(r.retryAfter().get())).isBetween(1L, (MAX_LAG.toMillis() + 999) / 1000);
        });
        // and while the devices drove it, what the server had accepted and not decided stayed within its bounds
        assertThat(lag.count()).as("lag samples while submitting (%s)", lag).isGreaterThan(10);
        assertThat(lag.mostChanges()).as("most undecided changes seen").isLessThanOrEqualTo(MOST_UNDECIDED_CHANGES);
        assertThat(lag.oldest()).as("oldest undecided batch seen").isLessThanOrEqualTo(MAX_LAG.plus(LAG_TOLERANCE));

        // and the server learns that everything it accepted is decided
        await().atMost(SETTLING).pollInterval(Duration.ofMillis(200))
                .until(() -> metrics().value("cumulus_intake_undecided_batches", "") == 0);
        assertThat(metrics().value("cumulus_intake_refused_total", "")).isEqualTo(refusals.size());

        // and every batch was accepted once, under its key, and decided once: one outcome for each of its changes
        int batches = DEVICES * BATCHES_PER_DEVICE;
        assertThat(submitted.stream().mapToInt(s -> s.batchIds().size()).sum()).isEqualTo(batches);
        assertThat(batchesRecorded(devices.get(0).accountId())).as("batches recorded, the warm-up's besides")
                .isEqualTo(batches + 1);
        for (int i = 0; i < DEVICES; i++) {
            for (String batchId : submitted.get(i).batchIds().values()) {
                JsonNode batch = awaitDone(devices.get(i), batchId);
                List<Integer> indexes = new ArrayList<>();
                batch.get("changes").forEach(change -> {
                    assertThat(change.get("kind").asString()).as("%s", batch).isEqualTo("APPLIED");
                    indexes.add(change.get("changeIndex").asInt());
                });
                assertThat(indexes).as("outcomes of batch %s", batchId).containsExactlyInAnyOrder(0, 1, 2, 3);
            }
        }

        // and every file written is in the namespace's feed exactly once, and nothing else is
        List<String> written = new ArrayList<>(List.of("warm-up"));
        submitted.forEach(s -> written.addAll(s.fileIds()));
        List<String> inFeed = feedFileIds(devices.get(0));
        assertThat(inFeed).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(written);
    }

    /** Submits the device's batches one after the other, each under its own key; a refused one again after Retry-After. */
    private static Submitted submitAll(CumulusClient own, Device device, String name, String chunk, int size)
            throws InterruptedException {
        Map<String, String> batchIds = new HashMap<>();
        List<String> fileIds = new ArrayList<>();
        List<Response> refusals = new ArrayList<>();
        for (int b = 0; b < BATCHES_PER_DEVICE; b++) {
            String key = name + "-batch-" + b;
            List<Map<String, Object>> changes = new ArrayList<>();
            for (int c = 0; c < CHANGES_PER_BATCH; c++) {
                String fileId = name + "-" + b + "-" + c + "-" + UUID.randomUUID().toString().substring(0, 8);
                fileIds.add(fileId);
                changes.add(Map.of("fileId", fileId, "path", name + "/batch-" + b + "/file-" + c + ".txt", "op", "UPSERT",
                        "vector", Map.of(device.id(), 1), "size", size, "chunks", List.of(Map.of("id", chunk, "size", size))));
            }
            Map<String, Object> body = Map.of("namespaceId", device.namespace(), "changes", changes);
            while (true) {
                Response r = own.submit(device, key, body);
                if (r.status() == 202) {
                    batchIds.put(key, r.json().get("batchId").asString());
                    break;
                }
                if (r.status() != 503 || r.retryAfter().isEmpty()) {
                    throw new AssertionError(name + ": batch " + key + " answered " + r);
                }
                refusals.add(r);
                // The pause the server asked for, as a client takes it: a protocol's delay, not a wait for a condition.
                TimeUnit.SECONDS.sleep(Long.parseLong(r.retryAfter().get()));
            }
        }
        return new Submitted(batchIds, fileIds, refusals);
    }

    private static BreakerMetrics metrics() {
        return BreakerMetrics.of(client, adminToken);
    }

    private static JsonNode awaitDone(Device device, String batchId) {
        return await().atMost(SETTLING).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get(device, "/v1/batches/" + batchId).json(),
                        b -> b.path("status").asString("").equals("done"));
    }

    private static List<String> feedFileIds(Device reader) {
        List<String> fileIds = new ArrayList<>();
        long after = 0;
        while (true) {
            JsonNode page = client.get(reader, "/v1/namespaces/" + reader.namespace() + "/changes?after=" + after
                    + "&limit=1000").json();
            page.get("changes").forEach(event -> fileIds.add(event.get("fileId").asString()));
            if (page.get("changes").isEmpty()) {
                return fileIds;
            }
            after = page.get("lastSeq").asLong();
        }
    }

    private static long batchesRecorded(String accountId) throws Exception {
        try (Connection c = server.postgres().dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM ingest.batches WHERE account_id = ?")) {
            s.setObject(1, UUID.fromString(accountId));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The undecided lag as the server exports it, read every 100 ms while devices submit: the most seen of each figure. */
    private static final class LagSamples {
        private final ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor();
        private int count;
        private double mostChanges;
        private double oldestSeconds;
        private RuntimeException failure;

        static LagSamples start(CumulusClient client, String adminToken) {
            LagSamples samples = new LagSamples();
            BreakerMetrics first = BreakerMetrics.of(client, adminToken);
            assertThat(first.toString()).contains("cumulus_intake_undecided_changes")
                    .contains("cumulus_intake_undecided_oldest_seconds");
            samples.reader.scheduleWithFixedDelay(() -> {
                try {
                    samples.add(BreakerMetrics.of(client, adminToken));
                } catch (RuntimeException e) {
                    samples.failed(e); // kept for the report: a scheduled task that throws is silently never run again
                    throw e;
                }
            }, 0, 100, TimeUnit.MILLISECONDS);
            return samples;
        }

        private synchronized void failed(RuntimeException e) {
            failure = e;
        }

        private synchronized void add(BreakerMetrics scrape) {
            count++;
            mostChanges = Math.max(mostChanges, scrape.value("cumulus_intake_undecided_changes", ""));
            oldestSeconds = Math.max(oldestSeconds, scrape.value("cumulus_intake_undecided_oldest_seconds", ""));
        }

        void stop() throws InterruptedException {
            reader.shutdown();
            assertThat(reader.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }

        synchronized int count() {
            return count;
        }

        synchronized long mostChanges() {
            return (long) mostChanges;
        }

        synchronized Duration oldest() {
            return Duration.ofMillis((long) (oldestSeconds * 1000));
        }

        @Override
        public synchronized String toString() {
            return "lagSamples=" + count + " mostUndecidedChanges=" + (long) mostChanges + " oldestUndecided="
                    + Math.round(oldestSeconds * 1000) + "ms" + (failure == null ? "" : " samplingStoppedBy=" + failure);
        }
    }
}
