package io.cumulus.reconciler.decision;

import java.util.List;
import java.util.Objects;

import io.cumulus.schemas.FileOp;
import io.cumulus.sync.vector.VersionVector;

/**
 * One change of a batch as the device proposed it: the file, the path it gives it (byte-exact), what
 * it does, the version vector the device gave the result and the new manifest. {@code index} is the
 * change's position in its batch.
 */
public record ProposedChange(int index, String fileId, String path, FileOp op, VersionVector vector,
        List<Chunk> chunks, long size) {

    public ProposedChange {
        Objects.requireNonNull(fileId, "fileId");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(vector, "vector");
        chunks = List.copyOf(chunks);
    }

    /** The live version this change would create if written at {@code atPath}. */
    FileVersion asVersionAt(String atPath) {
        return new FileVersion(fileId, atPath, false, vector, chunks, size);
    }
}
