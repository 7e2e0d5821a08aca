package io.cumulus.ingest.chunks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.cumulus.embedded.testing.S3Server;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.ingest.resilience.StoreBreakers;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.cumulus.sync.hash.Sha256;

/** The S3 chunk store against a real S3 API server (s3proxy on a local directory). */
class S3BlobStoreIT {
    private static S3Server s3;
    private static S3BlobStore store;

    @TempDir
    Path scratch;

    @BeforeAll
    static void startS3() {
        s3 = S3Server.startNew();
        store = S3BlobStore.open(new S3BlobStore.Settings(s3.endpoint(), S3Server.REGION, "cumulus-chunks",
                S3Server.ACCESS_KEY, S3Server.SECRET_KEY, Duration.ofSeconds(2), Duration.ofSeconds(5)),
                TestServers.workDir("s3-staging-"));
    }

    @AfterAll
    static void stopS3() {
        if (s3 != null) {
            s3.close();
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static ChunkId idOf(byte[] bytes) {
        return new ChunkId(Sha256.hex(bytes));
    }

    private static S3BlobStore storeOnBucket(String bucket) {
        return S3BlobStore.open(new S3BlobStore.Settings(s3.endpoint(), S3Server.REGION, bucket,
                S3Server.ACCESS_KEY, S3Server.SECRET_KEY, Duration.ofSeconds(2), Duration.ofSeconds(5)),
                TestServers.workDir("s3-staging-"));
    }

    private static List<StoredBlob> listAll(BlobStore store) {
        try (Stream<StoredBlob> listing = store.list()) {
            return listing.toList();
        }
    }

    private static byte[] read(java.util.Optional<InputStream> in) throws IOException {
        try (InputStream s = in.orElseThrow()) {
            return s.readAllBytes();
        }
    }

    @Test
    void aChunkIsStoredVerifiedAndReadBackWhole() throws IOException {
        // given 6 MiB of content
        byte[] bytes = random(6 << 20, 1);
        ChunkId id = idOf(bytes);

        // when it is stored from a stream, twice
        assertThat(store.put(id, new ByteArrayInputStream(bytes), 8 << 20)).isEqualTo(bytes.length);
        assertThat(store.put(id, new ByteArrayInputStream(bytes), 8 << 20)).isEqualTo(bytes.length);

        // then it exists and reads back byte for byte
        assertThat(store.exists(id)).isTrue();
        assertThat(read(store.open(id))).isEqualTo(bytes);
    }

    @Test
    void bytesThatDoNotHashToTheIdOrAreTooManyAreNotStored() {
        byte[] bytes = random(1000, 2);
        ChunkId claimed = idOf(random(1000, 3));

        assertThatThrownBy(() -> store.put(claimed, new ByteArrayInputStream(bytes), 4096))
                .isInstanceOf(HashMismatchException.class);
        assertThat(store.exists(claimed)).isFalse();

        ChunkId id = idOf(bytes);
        assertThatThrownBy(() -> store.put(id, new ByteArrayInputStream(bytes), 999))
                .isInstanceOf(ChunkTooLargeException.class);
        assertThat(store.exists(id)).isFalse();
    }

    @Test
    void aRangeOfAChunkIsReadWithoutTheRest() throws IOException {
        byte[] bytes = random(100_000, 4);
        ChunkId id = idOf(bytes);
        store.put(id, bytes);

        assertThat(read(store.open(id, 10_000, 5_000))).isEqualTo(Arrays.copyOfRange(bytes, 10_000, 15_000));
        assertThat(read(store.open(id, 99_000, 5_000))).isEqualTo(Arrays.copyOfRange(bytes, 99_000, 100_000));
        assertThat(read(store.open(id, 200_000, 10))).isEmpty();
        assertThat(store.open(idOf(random(10, 5)), 0, 10)).isEmpty();
    }

    @Test
    void aDeletedChunkIsGoneAndAMissingOneIsNotAnError() {
        byte[] bytes = random(2000, 6);
        ChunkId id = idOf(bytes);
        store.put(id, bytes);

        assertThat(store.delete(id)).isTrue();
        assertThat(store.delete(id)).isFalse();
        assertThat(store.exists(id)).isFalse();
        assertThat(store.open(id)).isEmpty();
    }

    @Test
    void whileS3IsDownCallsFailFastAsUnavailableAndNothingIsStoredThenItRecovers() throws Exception {
        // given a stored chunk
        byte[] before = random(3000, 7);
        store.put(idOf(before), before);

        // when S3 stops
        s3.stop();
        try {
            // then every call fails as unavailable (a refused connection, not a timeout), and no upload is acknowledged
            byte[] bytes = random(3000, 8);
            assertThatThrownBy(() -> store.exists(idOf(before))).isInstanceOf(BlobStoreUnavailableException.class);
            assertThatThrownBy(() -> store.put(idOf(bytes), bytes)).isInstanceOf(BlobStoreUnavailableException.class);
            assertThatThrownBy(() -> store.open(idOf(before))).isInstanceOf(BlobStoreUnavailableException.class);
        } finally {
            s3.start();
        }

        // when it is back, then the same client works again and the chunk stored before is intact
        assertThat(read(store.open(idOf(before)))).isEqualTo(before);
    }

    @Test
    void eachBreakerOpensWhileS3IsDownAndClosesOnceItIsBack() throws Exception {
        // given a chunk stored through the breakers
        GuardedBlobStore guarded = new GuardedBlobStore(store, StoreBreakers.registry(Duration.ofMillis(300)));
        byte[] bytes = random(500, 9);
        ChunkId id = idOf(bytes);
        guarded.put(id, bytes);

        // when S3 stops and lookups keep failing
        s3.stop();
        try {
            for (int i = 0; i < 5; i++) {
                assertThatThrownBy(() -> guarded.exists(id)).isInstanceOf(BlobStoreUnavailableException.class);
            }

            // then the lookup breaker is open and answers without trying, while the others are untouched
            assertThat(guarded.state("stat")).isEqualTo(CircuitBreaker.State.OPEN);
            assertThatThrownBy(() -> guarded.exists(id)).isInstanceOf(BlobStoreUnavailableException.class)
                    .hasMessageContaining("circuit is open");
            assertThat(guarded.state("get")).isEqualTo(CircuitBreaker.State.CLOSED);
            assertThat(guarded.state("put")).isEqualTo(CircuitBreaker.State.CLOSED);
        } finally {
            s3.start();
        }

        // when S3 is back, then probing calls succeed and the breaker closes by itself
        await().ignoreExceptions().atMost(Duration.ofSeconds(30))
                .until(() -> guarded.exists(id) && guarded.state("stat") == CircuitBreaker.State.CLOSED);
    }

    @Test
    void theListingShowsExactlyTheStoredChunksAcrossPagesAndIgnoresOtherKeys() throws Exception {
        // given a bucket of its own holding more chunks than S3 lists in one page, and keys that are no chunks
        S3BlobStore listed = storeOnBucket("cumulus-listing");
        List<byte[]> chunks = IntStream.range(0, 1_005).mapToObj(i -> random(10 + i % 50, 1_000 + i)).toList();
        chunks.forEach(bytes -> listed.put(idOf(bytes), bytes));
        MinioClient raw = MinioClient.builder().endpoint(s3.endpoint().toString()).region(S3Server.REGION)
                .credentials(S3Server.ACCESS_KEY, S3Server.SECRET_KEY).build();
        ChunkId stray = idOf(random(20, 9_999));
        String wrongFolder = stray.hex().startsWith("00") ? "11" : "00";
        for (String key : List.of("chunks/zz/not-a-chunk", "chunks/" + wrongFolder + "/" + stray.hex(),
                "other/" + stray.hex(), "chunks/" + stray.hex())) {
            byte[] bytes = new byte[] {1, 2, 3};
            raw.putObject(PutObjectArgs.builder().bucket("cumulus-listing").object(key)
                    .stream(new ByteArrayInputStream(bytes), (long) bytes.length, -1L).build());
        }

        // when it is listed
        List<StoredBlob> blobs = listAll(listed);

        // then exactly the stored chunks are there, each once with its size
        assertThat(blobs).hasSize(chunks.size());
        assertThat(blobs).extracting(b -> b.id().hex() + ":" + b.size())
                .containsExactlyInAnyOrderElementsOf(chunks.stream().map(c -> idOf(c).hex() + ":" + c.length).toList());
        assertThat(blobs).allSatisfy(b -> assertThat(b.lastModified()).isAfter(java.time.Instant.now().minus(Duration.ofHours(1))));
    }

    @Test
    void aListingWhileS3IsDownFailsAsUnavailable() {
        GuardedBlobStore guarded = new GuardedBlobStore(storeOnBucket("cumulus-listing-down"),
                StoreBreakers.registry(Duration.ofMillis(300)));
        s3.stop();
        try {
            assertThatThrownBy(() -> listAll(guarded)).isInstanceOf(BlobStoreUnavailableException.class);
        } finally {
            s3.start();
        }
        assertThat(listAll(guarded)).isEmpty();
    }
}
