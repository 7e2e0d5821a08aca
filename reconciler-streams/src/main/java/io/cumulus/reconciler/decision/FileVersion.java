package io.cumulus.reconciler.decision;

import java.util.List;
import java.util.Objects;

import io.cumulus.sync.path.PathKey;
import io.cumulus.sync.vector.VersionVector;

/**
 * One version of a file as the server knows it: where it lives (byte-exact path), whether it is
 * deleted, its version vector and its manifest. A deleted version references no chunk; its path is
 * the one it had when it was deleted, and no longer holds a place in the namespace.
 */
public record FileVersion(String fileId, String path, boolean deleted, VersionVector vector, List<Chunk> chunks,
        long size) {

    public FileVersion {
        Objects.requireNonNull(fileId, "fileId");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(vector, "vector");
        chunks = List.copyOf(chunks);
    }

    /** The collision identity of this version's path. */
    public PathKey pathKey() {
        return PathKey.of(path);
    }

    /** The chunks this version keeps alive: its manifest, or nothing once deleted. */
    public List<Chunk> referencedChunks() {
        return deleted ? List.of() : chunks;
    }

    /** The same version under another path. */
    public FileVersion movedTo(String newPath) {
        return new FileVersion(fileId, newPath, deleted, vector, chunks, size);
    }
}
