package io.cumulus.gc.refs;

import java.util.Objects;

import io.cumulus.sync.manifest.ChunkId;

/**
 * One counted reference change: the record at {@code offset} of its partition says that chunk
 * {@code chunkId} gained ({@code +1}) or lost ({@code -1}) a reference at event time {@code atMillis}.
 */
public record RefDelta(long offset, ChunkId chunkId, int delta, long atMillis) {

    public RefDelta {
        Objects.requireNonNull(chunkId, "chunkId");
        if (offset < 0) {
            throw new IllegalArgumentException("an offset is not negative, was " + offset);
        }
        if (delta != 1 && delta != -1) {
            throw new IllegalArgumentException("a reference changes by +1 or -1, not " + delta);
        }
    }
}
