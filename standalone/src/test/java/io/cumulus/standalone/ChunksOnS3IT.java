package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.PostgresConnection;
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
    private static final String ACCESS_KEY = "cumulus-it";
    private static final String SECRET_KEY = "cumulus-it-secret";

    private static S3Proxy s3;
    private static int s3Port;
    private static Path dataDir;
    private static StandaloneServer server;
    private static S3BlobStore bucket;

    @BeforeAll
    static void start() throws Exception {
        Path objects = TestServers.workDir("s3-objects-");
        s3Port = freePort();
        s3 = S3Proxy.builder()
                .blobStore(new FilesystemNio2BlobStore(objects.toString()))
                .endpoint(URI.create("http://127.0.0.1:" + s3Port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .stopTimeout(0)
                .build();
        s3.start();
        PostgresConnection pg = TestServers.freshDatabase();
        dataDir = TestServers.workDir("standalone-s3-");
        StandaloneSettings settings = StandaloneSettings.from(List.of("--data-dir=" + dataDir, "--port=0",
                "--kafka-port=" + freePort(), "--postgres-url=" + pg.jdbcUrl(), "--postgres-user=" + pg.user(),
                "--postgres-password=" + pg.password(), "--blob-store=s3", "--s3-endpoint=http://127.0.0.1:" + s3Port,
                "--s3-bucket=cumulus-it", "--s3-access-key=" + ACCESS_KEY, "--s3-secret-key=" + SECRET_KEY), Map.of());
        server = StandaloneServer.start(settings, line -> System.out.println("[cumulus-s3] " + line));
        bucket = S3BlobStore.open(new S3BlobStore.Settings(URI.create("http://127.0.0.1:" + s3Port), "us-east-1",
                "cumulus-it", ACCESS_KEY, SECRET_KEY, Duration.ofSeconds(2), Duration.ofSeconds(5)),
                TestServers.workDir("s3-reader-"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (s3 != null) {
            s3.stop();
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
