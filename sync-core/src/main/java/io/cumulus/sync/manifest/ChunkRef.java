package io.cumulus.sync.manifest;

import java.util.Objects;

/**
 * One entry of a manifest: which chunk, and how many bytes it holds. Sizes are bounded by the
 * largest chunk the chunker emits, so a manifest can never claim a chunk no client could make.
 */
public record ChunkRef(ChunkId id, long size) {

    /** The largest chunk size: FastCDC's default maximum. */
    public static final long MAX_SIZE = 4L * 1024 * 1024;

    /** @throws IllegalArgumentException for a size outside 1..4 MiB */
    public ChunkRef {
        Objects.requireNonNull(id, "a chunk reference needs an id");
        if (size <= 0 || size > MAX_SIZE) {
            throw new IllegalArgumentException("a chunk holds 1.." + MAX_SIZE + " bytes, " + id + " claims " + size);
        }
    }

    public static ChunkRef of(String id, long size) {
        return new ChunkRef(ChunkId.of(id), size);
    }
}
