package io.cumulus.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.ScaledOutServers;
import io.cumulus.standalone.StandaloneServer;
import io.cumulus.standalone.StandaloneSettings;
import io.cumulus.sync.hash.Sha256;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * End-to-end pipeline benchmark. Starts a standalone Cumulus (in-process Kafka, PostgreSQL as the
 * standalone process would choose it, a temporary data directory), registers N devices of one
 * account, connects each to the notifier, then has every device submit single-file changes
 * concurrently (at most {@code --in-flight} outstanding batches per device). Prints, per change:
 * submit→202 (the batch is durable), submit→outcome (the verdict pushed to the submitting device),
 * submit→push (every other device has been pushed a sequence number covering the change), and the
 * throughput from the first submit to the last outcome. A submission the intake refuses while the
 * pipeline is behind (503 with {@code Retry-After}) is sent again after that wait, as a device does, and
 * its times run from the first send; {@code --backpressure=off} (a server option) measures without it.
 */
public final class PipelineBenchmark {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Notified whenever a pushed message arrives, so the waiting thread does not poll. */
    private final Object arrivals = new Object();
    /** Submissions the intake refused as busy and that were sent again. */
    private final java.util.concurrent.atomic.AtomicLong refusals = new java.util.concurrent.atomic.AtomicLong();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String adminToken;

    private final int perBatch;

    private PipelineBenchmark(String base, String adminToken, int perBatch) {
        this.base = base;
        this.adminToken = adminToken;
        this.perBatch = perBatch;
    }

    /** One device: its token, and what the notifier pushed to it (seq → first arrival, batch → outcome arrival). */
    private static final class Device {
        final String id;
        final String token;
        final ConcurrentSkipListMap<Long, Long> seqArrivals = new ConcurrentSkipListMap<>();
        final Map<String, Long> outcomeArrivals = new ConcurrentHashMap<>();
        final Map<String, Long> outcomeSeq = new ConcurrentHashMap<>();
        final Map<String, Integer> outcomeCounts = new ConcurrentHashMap<>();
        WebSocket socket;

        Device(String id, String token) {
            this.id = id;
            this.token = token;
        }
    }

    /** One submitted change: when it was sent and when its 202 came back. */
    private record Submitted(Device device, String batchId, int changes, long sentNanos, long acceptedNanos) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new ConcurrentHashMap<>();
        List<String> serverArgs = new ArrayList<>();
        boolean scaledOut = false;
        for (String a : args) {
            if (a.equals("--scaled-out")) {
                scaledOut = true;
            } else if (a.startsWith("--changes=") || a.startsWith("--devices=") || a.startsWith("--in-flight=")
                    || a.startsWith("--warmup=") || a.startsWith("--batch=")) {
                options.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
            } else {
                serverArgs.add(a);
            }
        }
        int changes = Integer.parseInt(options.getOrDefault("changes", "2000"));
        int devices = Integer.parseInt(options.getOrDefault("devices", "4"));
        int inFlight = Integer.parseInt(options.getOrDefault("in-flight", "8"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "200"));
        int perBatch = Integer.parseInt(options.getOrDefault("batch", "1"));

        Path dataDir = Files.createTempDirectory("cumulus-bench-");
        serverArgs.add("--data-dir=" + dataDir);
        for (String port : List.of("--port=", "--kafka-port=")) {
            if (serverArgs.stream().noneMatch(a -> a.startsWith(port))) {
                serverArgs.add(port + "0");
            }
        }
        // By default a throwaway database on this machine's PostgreSQL, dropped afterwards.
        String throwaway = null;
        if (serverArgs.stream().noneMatch(a -> a.startsWith("--postgres-url="))) {
            throwaway = "cumulus_bench_" + UUID.randomUUID().toString().substring(0, 8);
            serverArgs.add("--postgres-url=jdbc:postgresql://127.0.0.1:5432/" + throwaway);
        }
        // --scaled-out: the distributed engines (3 Kafka brokers, Cassandra, S3) instead of the embedded defaults.
        ScaledOutServers engines = scaledOut
                ? ScaledOutServers.start(dataDir.resolve("engines"), line -> System.out.println("  " + line)) : null;
        if (engines != null) {
            serverArgs.addAll(engines.options());
        }
        StandaloneSettings settings = StandaloneSettings.from(serverArgs, Map.of());
        System.out.println("pipeline benchmark: " + changes + " single-file changes, " + devices
                + " devices, in-flight per device " + inFlight + ", warm-up " + warmup + ", changes per batch " + perBatch
                + (scaledOut ? ", scaled out" : ", embedded defaults"));
        try (engines; StandaloneServer server = StandaloneServer.start(settings, line -> System.out.println("  " + line))) {
            PipelineBenchmark bench = new PipelineBenchmark(server.baseUrl(), StandaloneServer.adminToken(dataDir), perBatch);
            bench.run(changes, devices, inFlight, warmup);
        } finally {
            if (throwaway != null) {
                dropDatabase(settings, throwaway);
            }
        }
        System.exit(0);
    }

    /** Drops the benchmark's database and the outbox relay's replication slot, which pins it. */
    private static void dropDatabase(StandaloneSettings settings, String database) {
        PostgresConnection admin = new PostgresConnection("127.0.0.1", 5432, "postgres", settings.postgresUser(),
                settings.postgresPassword());
        try (Connection c = admin.connect(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '"
                    + database + "' AND NOT active");
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        } catch (SQLException e) {
            System.err.println("could not drop the benchmark database " + database + ": " + e.getMessage());
        }
    }

    private void run(int changes, int deviceCount, int inFlight, int warmup) throws Exception {
        String username = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        post("/v1/admin/accounts", adminToken, Map.of("username", username, "password", "bench-password"), Optional.empty());
        List<Device> devices = new ArrayList<>();
        String namespace = null;
        for (int d = 0; d < deviceCount; d++) {
            JsonNode reg = post("/v1/devices", null,
                    Map.of("username", username, "password", "bench-password", "deviceName", "device-" + d), Optional.empty());
            Device device = new Device(reg.get("deviceId").asString(), reg.get("token").asString());
            namespace = reg.get("homeNamespace").asString();
            connect(device);
            devices.add(device);
        }
        if (warmup > 0) {
            submitAll(devices, namespace, warmup, inFlight, "warm");
        }
        List<Submitted> submitted = submitAll(devices, namespace, changes, inFlight, "run");
        long start = submitted.stream().mapToLong(Submitted::sentNanos).min().orElseThrow();
        long lastOutcome = submitted.stream().mapToLong(s -> s.device().outcomeArrivals.get(s.batchId())).max().orElse(start);
        report(submitted, devices, changes, (lastOutcome - start) / 1e9);
    }

    private List<Submitted> submitAll(List<Device> devices, String namespace, int changes, int inFlight, String tag)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(devices.size());
        // Chunks are uploaded before the clock starts: this measures the change pipeline, not blob transfer.
        List<Future<List<String[]>>> uploads = new ArrayList<>();
        for (int d = 0; d < devices.size(); d++) {
            Device device = devices.get(d);
            int count = changes / devices.size() + (d < changes % devices.size() ? 1 : 0);
            uploads.add(pool.submit(() -> uploadChunks(device, count, tag)));
        }
        List<List<String[]>> chunksPerDevice = new ArrayList<>();
        for (Future<List<String[]>> f : uploads) {
            chunksPerDevice.add(f.get());
        }
        List<Future<List<Submitted>>> perDevice = new ArrayList<>();
        for (int d = 0; d < devices.size(); d++) {
            Device device = devices.get(d);
            List<String[]> chunks = chunksPerDevice.get(d);
            String ns = namespace;
            perDevice.add(pool.submit(() -> submitFrom(device, ns, chunks, inFlight, tag)));
        }
        List<Submitted> all = new ArrayList<>();
        for (Future<List<Submitted>> f : perDevice) {
            all.addAll(f.get());
        }
        pool.shutdown();
        // Wait (bounded) until every outcome and every push has arrived.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        for (Submitted s : all) {
            while (s.device().outcomeCounts.getOrDefault(s.batchId(), 0) < s.changes() || !pushedToOthers(s, devices)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("outcome or push of batch " + s.batchId() + " did not arrive within 120 s");
                }
                synchronized (arrivals) {
                    arrivals.wait(50); // woken by every pushed message; the timeout only bounds a missed wake-up
                }
            }
        }
        return all;
    }

    private boolean pushedToOthers(Submitted s, List<Device> devices) {
        Long seq = s.device().outcomeSeq.get(s.batchId());
        if (seq == null) {
            return false;
        }
        for (Device other : devices) {
            if (other != s.device() && other.seqArrivals.ceilingKey(seq) == null) {
                return false;
            }
        }
        return true;
    }

    /** Uploads one small chunk per change to come; returns {id, size} of each. */
    private List<String[]> uploadChunks(Device device, int count, String tag) throws Exception {
        List<String[]> chunks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] content = (tag + " " + device.id + " " + i + " " + "x".repeat(64)).getBytes();
            String sha = Sha256.hex(content);
            HttpRequest put = HttpRequest.newBuilder(URI.create(base + "/v1/chunks/" + sha))
                    .header("Authorization", "Bearer " + device.token)
                    .header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(content)).build();
            HttpResponse<String> r = http.send(put, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException("chunk upload failed: " + r.statusCode() + " " + r.body());
            }
            chunks.add(new String[] {sha, Integer.toString(content.length)});
        }
        return chunks;
    }

    private List<Submitted> submitFrom(Device device, String namespace, List<String[]> chunks, int inFlight, String tag)
            throws Exception {
        int count = chunks.size();
        Semaphore window = new Semaphore(inFlight);
        List<CompletableFuture<Submitted>> futures = new ArrayList<>();
        for (int first = 0; first < count; first += perBatch) {
            List<Map<String, Object>> changes = new ArrayList<>();
            for (int i = first; i < Math.min(count, first + perBatch); i++) {
                String fileId = tag + "-" + device.id.substring(0, 8) + "-" + i;
                changes.add(Map.of(
                        "fileId", fileId, "path", tag + "/" + device.id.substring(0, 8) + "/" + i + ".txt", "op", "UPSERT",
                        "vector", Map.of(device.id, 1), "size", Long.parseLong(chunks.get(i)[1]),
                        "chunks", List.of(Map.of("id", chunks.get(i)[0], "size", Long.parseLong(chunks.get(i)[1])))));
            }
            byte[] body = JSON.writeValueAsBytes(Map.of("namespaceId", namespace, "changes", changes));
            HttpRequest submit = HttpRequest.newBuilder(URI.create(base + "/v1/changes"))
                    .header("Authorization", "Bearer " + device.token)
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", tag + "-" + device.id.substring(0, 8) + "-" + first)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            window.acquire();
            long sent = System.nanoTime();
            futures.add(submitUntilTaken(submit).thenApply(r -> {
                long accepted = System.nanoTime();
                window.release();
                if (r.statusCode() != 202) {
                    throw new IllegalStateException("submit failed: " + r.statusCode() + " " + r.body());
                }
                return new Submitted(device, JSON.readTree(r.body()).get("batchId").asString(), changes.size(), sent, accepted);
            }));
        }
        List<Submitted> done = new ArrayList<>();
        for (CompletableFuture<Submitted> f : futures) {
            done.add(f.get(120, TimeUnit.SECONDS));
        }
        return done;
    }

    /**
     * Sends a batch until the intake takes it: one refused because the pipeline is behind (503 with
     * {@code Retry-After}, docs/decisions/0020) goes again after the wait it asks for, under the same
     * key, as a device sends it; the report counts them.
     */
    private CompletableFuture<HttpResponse<String>> submitUntilTaken(HttpRequest submit) {
        return http.sendAsync(submit, HttpResponse.BodyHandlers.ofString()).thenCompose(r -> {
            Optional<String> retryAfter = r.headers().firstValue("Retry-After");
            if (r.statusCode() != 503 || retryAfter.isEmpty()) {
                return CompletableFuture.completedFuture(r);
            }
            refusals.incrementAndGet();
            return CompletableFuture.runAsync(() -> { },
                            CompletableFuture.delayedExecutor(Long.parseLong(retryAfter.get().trim()), TimeUnit.SECONDS))
                    .thenCompose(waited -> submitUntilTaken(submit));
        });
    }

    private void connect(Device device) throws Exception {
        device.socket = http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + device.token)
                .buildAsync(URI.create(base.replace("http", "ws") + "/v1/notify"), new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        long now = System.nanoTime();
                        partial.append(data);
                        if (last) {
                            JsonNode msg = JSON.readTree(partial.toString());
                            partial.setLength(0);
                            switch (msg.get("type").asString()) {
                                case "namespace-changed" -> device.seqArrivals.putIfAbsent(msg.get("seq").asLong(), now);
                                case "outcome" -> {
                                    String batch = msg.get("batchId").asString();
                                    if (msg.hasNonNull("seq")) {
                                        device.outcomeSeq.merge(batch, msg.get("seq").asLong(), Math::max);
                                    }
                                    // a batch is decided when the outcome of its last change has arrived
                                    device.outcomeCounts.merge(batch, 1, Integer::sum);
                                    device.outcomeArrivals.put(batch, now);
                                }
                                default -> { }
                            }
                            synchronized (arrivals) {
                                arrivals.notifyAll();
                            }
                        }
                        ws.request(1);
                        return null;
                    }
                }).get(30, TimeUnit.SECONDS);
    }

    private JsonNode post(String path, String bearer, Map<String, Object> body, Optional<String> key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        key.ifPresent(k -> b.header("Idempotency-Key", k));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(path + " failed: " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private void report(List<Submitted> submitted, List<Device> devices, int changes, double seconds) {
        long[] accepted = submitted.stream().mapToLong(s -> s.acceptedNanos() - s.sentNanos()).toArray();
        long[] outcome = submitted.stream().mapToLong(s -> s.device().outcomeArrivals.get(s.batchId()) - s.sentNanos()).toArray();
        long[] push = submitted.stream().mapToLong(s -> {
            long seq = s.device().outcomeSeq.get(s.batchId());
            long latest = 0;
            for (Device other : devices) {
                if (other != s.device()) {
                    latest = Math.max(latest, other.seqArrivals.ceilingEntry(seq).getValue());
                }
            }
            return latest - s.sentNanos();
        }).toArray();
        System.out.println();
        System.out.println(Percentiles.of(accepted).line("submit->202"));
        System.out.println(Percentiles.of(outcome).line("submit->outcome"));
        System.out.println(Percentiles.of(push).line("submit->push"));
        System.out.printf("throughput       %d changes in %.2f s = %.0f changes/s (first submit to last outcome pushed)%n",
                changes, seconds, changes / seconds);
        System.out.println("refused busy     " + refusals.get() + " submissions (503 pipeline-busy, sent again after Retry-After;"
                + " warm-up included)");
        System.out.println("machine          " + Runtime.getRuntime().availableProcessors() + " cores, "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", Java "
                + System.getProperty("java.version"));
    }

}
