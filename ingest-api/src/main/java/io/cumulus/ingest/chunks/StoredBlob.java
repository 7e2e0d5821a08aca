package io.cumulus.ingest.chunks;

import java.time.Instant;
import java.util.Objects;

/**
 * One chunk object as the blob store lists it: what it is named, how many bytes it holds and when
 * it was last written. The listing is the store's own view, independent of the catalogue, which is
 * what lets a consistency check compare the two.
 */
public record StoredBlob(ChunkId id, long size, Instant lastModified) {
    public StoredBlob {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(lastModified, "lastModified");
        if (size < 0) {
            throw new IllegalArgumentException("a size is not negative: " + size);
        }
    }
}
