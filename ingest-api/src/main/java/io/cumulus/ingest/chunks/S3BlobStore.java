package io.cumulus.ingest.chunks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.MinioException;
import io.minio.messages.Item;
import okhttp3.OkHttpClient;

/**
 * Chunks in an S3 bucket, through the MinIO client, one object per chunk under
 * {@code chunks/ab/abcd…}. An upload is read into a temporary file while its SHA-256 is checked,
 * and only verified bytes are sent, with their known length (S3 publishes an object whole, so no
 * reader ever sees part of one); downloads and range reads stream from S3. Every call has a
 * connect, read and write timeout; a store that cannot be reached surfaces as
 * {@link BlobStoreUnavailableException}.
 */
public final class S3BlobStore implements BlobStore {
    private static final Logger log = LoggerFactory.getLogger(S3BlobStore.class);
    private static final String PREFIX = "chunks/";

    /** Where the bucket is and how to reach it. */
    public record Settings(URI endpoint, String region, String bucket, String accessKey, String secretKey,
                           Duration connectTimeout, Duration ioTimeout) {
        public Settings {
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(region, "region");
            Objects.requireNonNull(bucket, "bucket");
            Objects.requireNonNull(accessKey, "accessKey");
            Objects.requireNonNull(secretKey, "secretKey");
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(ioTimeout, "ioTimeout");
            if (bucket.length() < 3) {
                throw new IllegalArgumentException("an S3 bucket name has at least 3 characters: '" + bucket + "'");
            }
        }

        public static Settings of(URI endpoint, String bucket, String accessKey, String secretKey) {
            return new Settings(endpoint, "us-east-1", bucket, accessKey, secretKey, Duration.ofSeconds(2),
                    Duration.ofSeconds(30));
        }
    }

    private final MinioClient client;
    private final String bucket;
    private final Path incoming;

    private S3BlobStore(MinioClient client, String bucket, Path incoming) {
        this.client = client;
        this.bucket = bucket;
        this.incoming = incoming;
    }

    /**
     * A store on the settings' bucket, created when missing; uploads are staged in {@code staging}.
     *
     * @throws BlobStoreUnavailableException when S3 cannot be reached
     */
    public static S3BlobStore open(Settings settings, Path staging) {
        // An HTTP client of our own: the default one reads every system CA certificate on each build.
        OkHttpClient http = new OkHttpClient.Builder()
                .connectTimeout(settings.connectTimeout())
                .readTimeout(settings.ioTimeout())
                .writeTimeout(settings.ioTimeout())
                .build();
        MinioClient client = MinioClient.builder()
                .endpoint(settings.endpoint().toString())
                .region(settings.region())
                .credentials(settings.accessKey(), settings.secretKey())
                .httpClient(http)
                .build();
        try {
            Files.createDirectories(staging);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the upload staging directory " + staging, e);
        }
        S3BlobStore store = new S3BlobStore(client, settings.bucket(), staging);
        store.call("create bucket " + settings.bucket(), () -> {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(settings.bucket()).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(settings.bucket()).build());
                log.info("s3 bucket created bucket={} endpoint={}", settings.bucket(), settings.endpoint());
            }
            return null;
        });
        return store;
    }

    @Override
    public long put(ChunkId id, InputStream content, long maxBytes) {
        Path temp = null;
        try {
            temp = Files.createTempFile(incoming, id.hex().substring(0, 8) + "-", ".part");
            long size = VerifiedWrite.to(temp, id, content, maxBytes, false);
            if (size == 0 || exists(id)) {
                return size;
            }
            Path verified = temp;
            call("put " + id, () -> {
                try (InputStream in = Files.newInputStream(verified)) {
                    client.putObject(PutObjectArgs.builder().bucket(bucket).object(key(id))
                            .userMetadata(Map.of("sha256", id.hex()))
                            .stream(in, size, -1L).build());
                }
                return null;
            });
            return size;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stage chunk " + id, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    log.warn("staged upload not removed path={} error={}", temp, e.toString());
                }
            }
        }
    }

    @Override
    public Optional<InputStream> open(ChunkId id) {
        return get(id, GetObjectArgs.builder().bucket(bucket).object(key(id)).build());
    }

    @Override
    public Optional<InputStream> open(ChunkId id, long offset, long length) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("a range has a non-negative offset and length: " + offset + ", " + length);
        }
        if (length == 0) {
            return exists(id) ? Optional.of(InputStream.nullInputStream()) : Optional.empty();
        }
        return get(id, GetObjectArgs.builder().bucket(bucket).object(key(id)).offset(offset).length(length).build());
    }

    private Optional<InputStream> get(ChunkId id, GetObjectArgs args) {
        return call("get " + id, () -> {
            try {
                return Optional.of(client.getObject(args));
            } catch (ErrorResponseException e) {
                if (missing(e)) {
                    return Optional.empty();
                }
                if ("InvalidRange".equals(e.errorResponse().code())) {
                    return Optional.of(InputStream.nullInputStream()); // a range past the end holds no bytes
                }
                throw e;
            }
        });
    }

    @Override
    public boolean exists(ChunkId id) {
        return call("stat " + id, () -> {
            try {
                client.statObject(StatObjectArgs.builder().bucket(bucket).object(key(id)).build());
                return true;
            } catch (ErrorResponseException e) {
                if (missing(e)) {
                    return false;
                }
                throw e;
            }
        });
    }

    @Override
    public boolean delete(ChunkId id) {
        if (!exists(id)) {
            return false;
        }
        return call("delete " + id, () -> {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key(id)).build());
            return true;
        });
    }

    /**
     * Lists the keys under {@code chunks/} page by page as the stream is read (S3 answers up to 1000
     * keys a request); a key counts only when it is exactly where {@link #key} puts a chunk id.
     */
    @Override
    public Stream<StoredBlob> list() {
        Iterator<Result<Item>> results = client.listObjects(ListObjectsArgs.builder()
                .bucket(bucket).prefix(PREFIX).recursive(true).build()).iterator();
        Iterator<Result<Item>> reachable = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return call("list " + PREFIX, results::hasNext); // fetches the next page when this one is used up
            }

            @Override
            public Result<Item> next() {
                return results.next();
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(reachable, Spliterator.NONNULL), false)
                .map(result -> call("list " + PREFIX, result::get))
                .flatMap(item -> listed(item).stream());
    }

    private static Optional<StoredBlob> listed(Item item) {
        String name = item.objectName();
        String hex = name.substring(name.lastIndexOf('/') + 1);
        if (item.isDir() || !ChunkId.isValid(hex) || !name.equals(key(new ChunkId(hex)))) {
            return Optional.empty();
        }
        // An object without a time is taken as written now: it can only look younger, never old enough to collect.
        Instant modified = item.lastModified() == null ? Instant.now() : item.lastModified().toInstant();
        return Optional.of(new StoredBlob(new ChunkId(hex), item.size(), modified));
    }

    static String key(ChunkId id) {
        return PREFIX + id.hex().substring(0, 2) + "/" + id.hex();
    }

    private static boolean missing(ErrorResponseException e) {
        String code = e.errorResponse().code();
        return "NoSuchKey".equals(code) || "NoSuchObject".equals(code);
    }

    private interface S3Call<T> {
        T run() throws MinioException, IOException;
    }

    /** Runs one S3 call; a store that cannot be reached or answers with an error becomes {@link BlobStoreUnavailableException}. */
    private <T> T call(String what, S3Call<T> call) {
        try {
            return call.run();
        } catch (MinioException | IOException | IllegalStateException e) {
            // The MinIO client reports network failures and timeouts as IllegalStateException.
            log.warn("s3 call failed call={} bucket={} error={}", what, bucket, e.toString());
            throw new BlobStoreUnavailableException("S3 " + what + " failed: " + e.getMessage(), e);
        }
    }
}
