package io.cumulus.reconciler.decision;

import java.util.Objects;

/** One entry of a file's manifest: a chunk's SHA-256 id and its size in bytes. */
public record Chunk(String id, long size) {

    public Chunk {
        Objects.requireNonNull(id, "id");
    }
}
