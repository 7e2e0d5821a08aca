package io.cumulus.reconciler.decision;

import java.util.Objects;

/** One chunk gaining ({@code +1}) or losing ({@code -1}) a reference from a file. */
public record ChunkRefChange(String chunkId, int delta) {

    public ChunkRefChange {
        Objects.requireNonNull(chunkId, "chunkId");
        if (delta != 1 && delta != -1) {
            throw new IllegalArgumentException("a reference changes by +1 or -1, not " + delta);
        }
    }
}
