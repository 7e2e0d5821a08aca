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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
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
 *
 * <p>With {@code --open-loop} the changes arrive at fixed rates instead, whatever the server answers:
 * see {@link OpenLoop}, which also measures the machine's own ceilings ({@link MachineCeilings}).
 */
public final class PipelineBenchmark {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> BENCH_OPTIONS = Set.of("changes", "devices", "in-flight", "warmup", "batch", "rates",
            "step-seconds");
    private static final List<String> CLOSED_LOOP_ONLY = List.of("changes", "in-flight");
    private static final List<String> OPEN_LOOP_ONLY = List.of("rates", "step-seconds");

    /** Notified whenever a pushed message arrives, so the waiting thread does not poll. */
    private final Object arrivals = new Object();
    /** Submissions the intake refused as busy and that were sent again. */
    private final java.util.concurrent.atomic.AtomicLong refusals = new java.util.concurrent.atomic.AtomicLong();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String adminToken;

    private final int perBatch;
    /** With --in-flight=0, the one batch in flight across all devices. */
    private final Semaphore oneAtATime = new Semaphore(1);
    private final List<Device> allDevices = new ArrayList<>();

    private PipelineBenchmark(String base, String adminToken, int perBatch) {
        this.base = base;
        this.adminToken = adminToken;
        this.perBatch = perBatch;
    }

    /** One device: its token, and what the notifier pushed to it (seq → first arrival, batch → outcome arrival). */
    static final class Device {
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

        /** Forgets what was pushed so far (between the open loop's steps, whose batches are all decided). */
        void forget() {
            seqArrivals.clear();
            outcomeArrivals.clear();
            outcomeSeq.clear();
            outcomeCounts.clear();
        }

        /** Whether the outcome of each of the batch's changes has been pushed to this device. */
        boolean decided(String batchId, int changes) {
            return outcomeCounts.getOrDefault(batchId, 0) >= changes;
        }
    }

    /** The devices of the benchmark's account, and the account's home namespace they submit to. */
    record Fleet(String namespace, List<Device> devices) {
    }

    /** One submitted change: when it was sent and when its 202 came back. */
    private record Submitted(Device device, String batchId, int changes, long sentNanos, long acceptedNanos) {
    }

    public static void main(String[] args) {
        try {
            benchmark(args);
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1); // the servers' threads would keep the JVM running
        }
        System.exit(0);
    }

    private static void benchmark(String[] args) throws Exception {
        Map<String, String> options = new ConcurrentHashMap<>();
        List<String> serverArgs = new ArrayList<>();
        boolean scaledOut = false;
        boolean openLoop = false;
        for (String a : args) {
            if (a.equals("--scaled-out")) {
                scaledOut = true;
            } else if (a.equals("--open-loop")) {
                openLoop = true;
            } else if (a.startsWith("--") && a.contains("=") && BENCH_OPTIONS.contains(a.substring(2, a.indexOf('=')))) {
                options.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
            } else {
                serverArgs.add(a);
            }
        }
        for (String option : openLoop ? CLOSED_LOOP_ONLY : OPEN_LOOP_ONLY) {
            if (options.containsKey(option)) {
                System.err.println("--" + option + " is for the " + (openLoop ? "closed" : "open") + " loop"
                        + (openLoop ? "; the open loop takes --rates and --step-seconds" : "; add --open-loop"));
                System.exit(2);
            }
        }
        int changes = Integer.parseInt(options.getOrDefault("changes", "2000"));
        int devices = Integer.parseInt(options.getOrDefault("devices", openLoop ? "16" : "4"));
        int inFlight = Integer.parseInt(options.getOrDefault("in-flight", "8"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "200"));
        int perBatch = Integer.parseInt(options.getOrDefault("batch", "1"));
        List<Integer> rates = Arrays.stream(options.getOrDefault("rates", "100,200,400,700,1000,1500,2000").split(","))
                .map(String::strip).map(Integer::valueOf).toList();
        int stepSeconds = Integer.parseInt(options.getOrDefault("step-seconds", "10"));
        if (rates.stream().anyMatch(r -> r <= 0) || stepSeconds <= 0) {
            System.err.println("--rates and --step-seconds must be positive");
            System.exit(2);
        }
        if (devices < 2) {
            System.err.println("--devices must be at least 2: submit->push is measured on the devices other than the submitter");
            System.exit(2);
        }

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
        // The benchmark measures the pipeline: its one account's devices send thousands of requests a second,
        // far past the gateway's per-device and per-account limits (docs/limits.md), which are lifted here.
        for (String limit : List.of("device-requests", "account-requests")) {
            System.setProperty("cumulus.limits." + limit + ".burst", "1000000000");
        }
        String configuration = scaledOut ? ", scaled out" : ", embedded defaults";
        if (openLoop) {
            System.out.println("pipeline benchmark, open loop: rates " + rates + " changes/s, " + stepSeconds + " s each, "
                    + devices + " devices, changes per batch " + perBatch + ", warm-up " + warmup + configuration);
        } else {
            System.out.println("pipeline benchmark: " + changes + " single-file changes, " + devices
                    + " devices, in-flight per device " + inFlight + ", warm-up " + warmup + ", changes per batch " + perBatch
                    + configuration);
        }
        try (engines; StandaloneServer server = StandaloneServer.start(settings, line -> System.out.println("  " + line))) {
            PipelineBenchmark bench = new PipelineBenchmark(server.baseUrl(), StandaloneServer.adminToken(dataDir), perBatch);
            if (openLoop) {
                MachineCeilings ceilings = MachineCeilings.measure(server.dataDir(), server.bootstrapServers());
                new OpenLoop(bench, bench.register(devices), perBatch, stepSeconds).run(rates, warmup, ceilings);
            } else {
                bench.run(changes, devices, inFlight, warmup);
            }
            StageReport.print();
            StageReport.printBroker();
        } finally {
            if (throwaway != null) {
                dropDatabase(settings, throwaway);
            }
        }
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
        Fleet fleet = register(deviceCount);
        if (warmup > 0) {
            submitAll(fleet, warmup, inFlight, "warm");
        }
        List<Submitted> submitted = submitAll(fleet, changes, inFlight, "run");
        long start = submitted.stream().mapToLong(Submitted::sentNanos).min().orElseThrow();
        long lastOutcome = submitted.stream().mapToLong(s -> s.device().outcomeArrivals.get(s.batchId())).max().orElse(start);
        report(submitted, fleet.devices(), changes, (lastOutcome - start) / 1e9);
    }

    /** Creates an account, registers {@code count} devices of it and connects each to the notifier. */
    Fleet register(int count) throws Exception {
        String username = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        post("/v1/admin/accounts", adminToken, Map.of("username", username, "password", "bench-password"), Optional.empty());
        List<Device> devices = new ArrayList<>();
        String namespace = null;
        for (int d = 0; d < count; d++) {
            JsonNode reg = post("/v1/devices", null,
                    Map.of("username", username, "password", "bench-password", "deviceName", "device-" + d), Optional.empty());
            Device device = new Device(reg.get("deviceId").asString(), reg.get("token").asString());
            namespace = reg.get("homeNamespace").asString();
            connect(device);
            devices.add(device);
            allDevices.add(device);
        }
        return new Fleet(namespace, devices);
    }

    private List<Submitted> submitAll(Fleet fleet, int changes, int inFlight, String tag) throws Exception {
        List<Device> devices = fleet.devices();
        int[] counts = new int[devices.size()];
        for (int d = 0; d < devices.size(); d++) {
            counts[d] = changes / devices.size() + (d < changes % devices.size() ? 1 : 0);
        }
        // Chunks are uploaded before the clock starts: this measures the change pipeline, not blob transfer.
        List<List<String[]>> chunksPerDevice = uploadChunks(devices, counts, tag);
        ExecutorService pool = Executors.newFixedThreadPool(devices.size());
        List<Future<List<Submitted>>> perDevice = new ArrayList<>();
        for (int d = 0; d < devices.size(); d++) {
            Device device = devices.get(d);
            List<String[]> chunks = chunksPerDevice.get(d);
            perDevice.add(pool.submit(() -> submitFrom(device, fleet.namespace(), chunks, inFlight, tag)));
        }
        List<Submitted> all = new ArrayList<>();
        for (Future<List<Submitted>> f : perDevice) {
            all.addAll(f.get());
        }
        pool.shutdown();
        // Wait (bounded) until every outcome and every push has arrived.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        for (Submitted s : all) {
            while (!s.device().decided(s.batchId(), s.changes()) || pushedToOthers(s.device(), s.batchId(), devices).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("outcome or push of batch " + s.batchId() + " did not arrive within 120 s");
                }
                awaitArrival();
            }
        }
        return all;
    }

    /** Waits (bounded) until the batch's outcome reached its device and its push every other device. */
    private void awaitDecidedAndPushed(Submitted s) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!s.device().decided(s.batchId(), s.changes()) || pushedToOthers(s.device(), s.batchId(), allDevices).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("outcome or push of batch " + s.batchId() + " did not arrive within 60 s");
            }
            awaitArrival();
        }
    }

    /** Waits until a pushed message arrives, or 50 ms (which only bounds a missed wake-up). */
    void awaitArrival() throws InterruptedException {
        synchronized (arrivals) {
            arrivals.wait(50);
        }
    }

    /**
     * When every device other than the submitting one had been pushed a sequence number covering the
     * batch (the latest of their first such pushes); empty while one of them has not.
     */
    static OptionalLong pushedToOthers(Device submitter, String batchId, List<Device> devices) {
        Long seq = submitter.outcomeSeq.get(batchId);
        if (seq == null) {
            return OptionalLong.empty();
        }
        long latest = Long.MIN_VALUE;
        for (Device other : devices) {
            if (other != submitter) {
                Map.Entry<Long, Long> pushed = other.seqArrivals.ceilingEntry(seq);
                if (pushed == null) {
                    return OptionalLong.empty();
                }
                latest = Math.max(latest, pushed.getValue());
            }
        }
        return OptionalLong.of(latest);
    }

    /** Uploads {@code counts[d]} chunks for device d, the devices in parallel; returns each device's {id, size} list. */
    List<List<String[]>> uploadChunks(List<Device> devices, int[] counts, String tag) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(devices.size());
        try {
            List<Future<List<String[]>>> uploads = new ArrayList<>();
            for (int d = 0; d < devices.size(); d++) {
                Device device = devices.get(d);
                int count = counts[d];
                uploads.add(pool.submit(() -> uploadChunks(device, count, tag)));
            }
            List<List<String[]>> chunksPerDevice = new ArrayList<>();
            for (Future<List<String[]>> f : uploads) {
                chunksPerDevice.add(f.get());
            }
            return chunksPerDevice;
        } finally {
            pool.shutdown();
        }
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
        // --in-flight=0: an idle server, one batch in the whole system at a time, each waiting for its outcome and push.
        boolean idle = inFlight == 0;
        Semaphore window = idle ? oneAtATime : new Semaphore(inFlight);
        List<CompletableFuture<Submitted>> futures = new ArrayList<>();
        for (int first = 0; first < count; first += perBatch) {
            int changes = Math.min(perBatch, count - first);
            HttpRequest submit = submitRequest(device, namespace, chunks, first, changes, tag);
            window.acquire();
            long sent = System.nanoTime();
            CompletableFuture<Submitted> answer = submitUntilTaken(submit).thenApply(r -> {
                long accepted = System.nanoTime();
                if (!idle) {
                    window.release();
                }
                if (r.statusCode() != 202) {
                    throw new IllegalStateException("submit failed: " + r.statusCode() + " " + r.body());
                }
                return new Submitted(device, batchId(r.body()), changes, sent, accepted);
            });
            futures.add(answer);
            if (idle) {
                awaitDecidedAndPushed(answer.get(120, TimeUnit.SECONDS));
                window.release();
            }
        }
        List<Submitted> done = new ArrayList<>();
        for (CompletableFuture<Submitted> f : futures) {
            done.add(f.get(120, TimeUnit.SECONDS));
        }
        return done;
    }

    /** A batch of single-file changes: one new file per chunk of {@code chunks[first, first + count)}. */
    HttpRequest submitRequest(Device device, String namespace, List<String[]> chunks, int first, int count, String tag) {
        List<Map<String, Object>> changes = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            String fileId = tag + "-" + device.id.substring(0, 8) + "-" + i;
            changes.add(Map.of(
                    "fileId", fileId, "path", tag + "/" + device.id.substring(0, 8) + "/" + i + ".txt", "op", "UPSERT",
                    "vector", Map.of(device.id, 1), "size", Long.parseLong(chunks.get(i)[1]),
                    "chunks", List.of(Map.of("id", chunks.get(i)[0], "size", Long.parseLong(chunks.get(i)[1])))));
        }
        byte[] body = JSON.writeValueAsBytes(Map.of("namespaceId", namespace, "changes", changes));
        return HttpRequest.newBuilder(URI.create(base + "/v1/changes"))
                .header("Authorization", "Bearer " + device.token)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", tag + "-" + device.id.substring(0, 8) + "-" + first)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    /** The batch id in the body of a 202 answer to a submission. */
    static String batchId(String acceptedBody) {
        return JSON.readTree(acceptedBody).get("batchId").asString();
    }

    HttpClient http() {
        return http;
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
                                    // a batch is decided when the outcome of its last change has arrived; the
                                    // arrival is stored first, so that a batch seen decided has its arrival
                                    device.outcomeArrivals.put(batch, now);
                                    device.outcomeCounts.merge(batch, 1, Integer::sum);
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
        long[] push = submitted.stream()
                .mapToLong(s -> pushedToOthers(s.device(), s.batchId(), devices).getAsLong() - s.sentNanos()).toArray();
        System.out.println();
        System.out.println(Percentiles.of(accepted).line("submit->202"));
        System.out.println(Percentiles.of(outcome).line("submit->outcome"));
        System.out.println(Percentiles.of(push).line("submit->push"));
        System.out.printf("throughput       %d changes in %.2f s = %.0f changes/s (first submit to last outcome pushed)%n",
                changes, seconds, changes / seconds);
        System.out.println("refused busy     " + refusals.get() + " submissions (503 pipeline-busy, sent again after Retry-After;"
                + " warm-up included)");
        System.out.println("machine          " + machine());
    }

    static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch") + ", Java " + System.getProperty("java.version");
    }

}
