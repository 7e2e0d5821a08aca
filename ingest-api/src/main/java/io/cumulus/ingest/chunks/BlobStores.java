package io.cumulus.ingest.chunks;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/** Opens the chunk store a configuration names, for the API and for any other service that reads or writes chunks. */
public final class BlobStores {

    /**
     * A local directory ({@code kind} {@code local}) or an S3 bucket ({@code s3}), with uploads to S3
     * staged under {@code directory}.
     *
     * @throws IllegalStateException when the settings are incomplete or name another kind of store
     */
    public static BlobStore open(String kind, Path directory, String endpoint, String bucket, String accessKey,
            String secretKey, String region) {
        return switch (kind) {
            case "local" -> new LocalDirBlobStore(directory);
            case "s3" -> {
                if (endpoint.isBlank() || accessKey.isBlank() || secretKey.isBlank()) {
                    throw new IllegalStateException("cumulus.blobs.store=s3 needs cumulus.s3.endpoint, "
                            + "cumulus.s3.access-key and cumulus.s3.secret-key");
                }
                yield S3BlobStore.open(new S3BlobStore.Settings(URI.create(endpoint), region, bucket, accessKey, secretKey,
                        Duration.ofSeconds(2), Duration.ofSeconds(30)), directory.resolve("incoming"));
            }
            default -> throw new IllegalStateException("cumulus.blobs.store must be local or s3, not '" + kind + "'");
        };
    }

    private BlobStores() {
    }
}
