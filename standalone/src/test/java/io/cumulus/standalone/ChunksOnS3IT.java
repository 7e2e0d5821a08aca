package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.S3Server;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.ingest.chunks.ChunkId;
import io.cumulus.ingest.chunks.S3BlobStore;
import io.cumulus.standalone.CumulusClient.Device;
import io.cumulus.standalone.CumulusClient.Response;
import tools.jackson.databind.JsonNode;

/**
 * Cumulus configured with {@code --blob-store=s3} keeps chunks in the bucket, not on local disk,
 * and answers 503 with {@code Retry-After} while S3 is down, without acknowledging the upload.
 */
class ChunksOnS3IT {
    private static final String ADMIN_TOKEN = "operator-token-" + java.util.UUID.randomUUID();

    private static S3Server s3;
    private static Path dataDir;
    private static StandaloneServer server;
    private static S3BlobStore bucket;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.startNew();
        PostgresConnection pg = TestServers.freshDatabase();
        dataDir = TestServers.workDir("standalone-s3-");
        List<String> options = new java.util.ArrayList<>(List.of("--data-dir=" + dataDir, "--port=0",
                "--kafka-port=" + freePort(), "--postgres-url=" + pg.jdbcUrl(), "--postgres-user=" + pg.user(),
                "--postgres-password=" + pg.password()));
        options.addAll(s3.cumulusOptions("cumulus-it"));
        // The operator's own admin token, as every process of a scaled-out deployment is given it.
        options.add("--admin-token=" + ADMIN_TOKEN);
        server = StandaloneServer.start(StandaloneSettings.from(options, Map.of()),
                line -> System.out.println("[cumulus-s3] " + line));
        bucket = S3BlobStore.open(new S3BlobStore.Settings(s3.endpoint(), S3Server.REGION, "cumulus-it",
                S3Server.ACCESS_KEY, S3Server.SECRET_KEY, Duration.ofSeconds(2), Duration.ofSeconds(5)),
                TestServers.workDir("s3-reader-"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Device newDevice(CumulusClient client) {
        String user = "s3" + Long.toHexString(System.nanoTime());
        return client.newAccountWithDevice(ADMIN_TOKEN, user, "Laptop");
    }

    @Test
    void anUploadedChunkLivesInTheBucketAndIsServedFromIt() throws Exception {
        // given a device
        CumulusClient client = new CumulusClient(server.baseUrl());
        Device laptop = newDevice(client);

        // when it uploads a chunk
        byte[] content = "a chunk kept in S3".getBytes(StandardCharsets.UTF_8);
        String id = client.upload(laptop, content);

        // then the bucket holds it, the local blob directory does not, and it downloads intact
        assertThat(bucket.exists(new ChunkId(id))).isTrue();
        try (Stream<Path> local = Files.walk(dataDir.resolve("blobs"))) {
            assertThat(local.filter(Files::isRegularFile).map(p -> p.getFileName().toString())).doesNotContain(id);
        }
        Response download = client.get(laptop, "/v1/chunks/" + id);
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.body()).isEqualTo("a chunk kept in S3");
    }

    @Test
    void whileS3IsDownAnUploadIsRefusedWith503AndRetryAfterAndSucceedsOnceItIsBack() throws Exception {
        // given a device, and S3 stopped
        CumulusClient client = new CumulusClient(server.baseUrl());
        Device laptop = newDevice(client);
        byte[] content = "uploaded while S3 is down".getBytes(StandardCharsets.UTF_8);
        String id = io.cumulus.sync.hash.Sha256.hex(content);
        s3.stop();
        Response refused;
        try {
            // when the device uploads
            refused = client.send("PUT", "/v1/chunks/" + id, laptop.token(), content, Map.of());
        } finally {
            s3.start();
        }

        // then it was told to retry, and nothing was stored
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.body()).contains("store-unavailable");
        assertThat(bucket.exists(new ChunkId(id))).isFalse();

        // and once S3 is back, the same upload succeeds
        assertThat(client.upload(laptop, content)).isEqualTo(id);
        assertThat(bucket.exists(new ChunkId(id))).isTrue();
    }

    @Test
    void aStreamOfUploadsSubmitsAndDownloadsRidesOutAnS3OutageAndEveryAcknowledgedChangeIsAppliedOnce() throws Exception {
        // given a device writing files one after another (upload, submit, download), retrying what is answered 503
        CumulusClient client = new CumulusClient(server.baseUrl());
        Device laptop = newDevice(client);
        int files = 30;
        AtomicInteger written = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        Map<String, String> contentByFile = new ConcurrentHashMap<>();
        ExecutorService device = Executors.newSingleThreadExecutor();
        Future<?> stream = device.submit(() -> {
            for (int n = 0; n < files; n++) {
                int i = n;
                String fileId = "stream-" + i;
                byte[] content = ("file " + i + " written through an S3 outage").getBytes(StandardCharsets.UTF_8);
                String chunk = io.cumulus.sync.hash.Sha256.hex(content);
                retryWhileUnavailable(() -> client.send("PUT", "/v1/chunks/" + chunk, laptop.token(), content, Map.of()),
                        refused);
                Map<String, Object> batch = CumulusClient.oneFileBatch(laptop.namespace(), fileId, "stream/" + i + ".txt",
                        Map.of(laptop.id(), 1), chunk, content.length);
                retryWhileUnavailable(() -> client.submit(laptop, "stream-" + i, batch), refused);
                Response back = retryWhileUnavailable(() -> client.get(laptop, "/v1/chunks/" + chunk), refused);
                assertThat(back.body()).isEqualTo(new String(content, StandardCharsets.UTF_8));
                contentByFile.put(fileId, back.body());
                written.incrementAndGet();
            }
        });
        try {
            // when S3 stops in the middle of the stream, and comes back once the device has been refused a few times
            await().atMost(Duration.ofSeconds(60)).until(() -> written.get() >= 5 || stream.isDone());
            s3.stop();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> refused.get() >= 5 || stream.isDone());
                // and the chunk store's breaker opened: calls are refused without trying S3
                await().atMost(Duration.ofSeconds(60)).until(() -> openBlobBreakers(client).size(), n -> n > 0);
            } finally {
                s3.start();
            }
            stream.get(120, TimeUnit.SECONDS);
        } finally {
            device.shutdownNow();
        }

        // then the device was told to retry, the breakers closed by themselves, every file was written once, in
        // order, and reads back intact
        assertThat(refused.get()).isGreaterThanOrEqualTo(5);
        BreakerMetrics after = BreakerMetrics.of(client, ADMIN_TOKEN);
        for (String breaker : List.of("blobs-put", "blobs-get", "blobs-stat")) {
            assertThat(after.state(breaker)).as(breaker).hasValue("closed");
        }
        assertThat(contentByFile).hasSize(files);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode feed = client.get(laptop, "/v1/namespaces/" + laptop.namespace() + "/changes?after=0&limit=1000").json();
            List<String> streamed = new java.util.ArrayList<>();
            feed.get("changes").forEach(c -> {
                if (c.get("fileId").asString().startsWith("stream-")) {
                    streamed.add(c.get("fileId").asString());
                }
            });
            assertThat(streamed).containsExactlyElementsOf(
                    java.util.stream.IntStream.range(0, files).mapToObj(i -> "stream-" + i).toList());
        });
    }

    private static List<String> openBlobBreakers(CumulusClient client) {
        BreakerMetrics metrics = BreakerMetrics.of(client, ADMIN_TOKEN);
        return java.util.stream.Stream.of("blobs-put", "blobs-get", "blobs-stat")
                .filter(b -> metrics.state(b).filter("open"::equals).isPresent()).toList();
    }

    /**
     * Sends until the answer is not 503, as a device does; each 503 must say when to retry. The
     * pause between tries is the device's own back-off, not a wait for a condition.
     */
    private static Response retryWhileUnavailable(java.util.function.Supplier<Response> call, AtomicInteger refused) {
        while (true) {
            Response r = call.get();
            if (r.status() != 503) {
                assertThat(r.status()).as(r.body()).isBetween(200, 299);
                return r;
            }
            refused.incrementAndGet();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
