package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

/**
 * Cumulus configured with {@code --blob-store=s3} keeps chunks in the bucket, not on local disk,
 * and answers 503 with {@code Retry-After} while S3 is down, without acknowledging the upload.
 */
class ChunksOnS3IT {
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
        return client.newAccountWithDevice(StandaloneServer.adminToken(dataDir), user, "Laptop");
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
}
