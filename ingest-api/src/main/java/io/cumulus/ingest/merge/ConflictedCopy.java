package io.cumulus.ingest.merge;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

import io.cumulus.ingest.changes.FileChange.ChunkRef;
import io.cumulus.ingest.chunks.ChunkId;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.FileOp;
import io.cumulus.schemas.VersionEntry;
import io.cumulus.sync.vector.VersionVector;

/**
 * The file event of a conflicted copy the reconciler made of a concurrent edit: the device's content
 * (THEIRS of a merge) kept as a new file beside the original, with the vector the device sent for
 * the original, so the original's history and this vector are causally comparable.
 * {@code mergePending}: devices do not show the copy until the merge worker has merged it (deleting
 * it) or released it (writing it again, shown); copies of releases before the flag, or made while
 * merging was off, are shown at once.
 */
public record ConflictedCopy(UUID namespaceId, long seq, String fileId, String path, String originalFileId,
                             VersionVector vector, List<ChunkRef> chunks, long size, long at, boolean mergePending) {

    /**
     * The reconciler names the copy of a concurrent edit {@code conflict-<batchId>-<index>}. A file
     * that only landed on a path another file held keeps its own id and its own, unrelated history:
     * it has no common ancestor with the file it collided with, so it is never a merge candidate.
     */
    static final String COPY_ID_PREFIX = "conflict-";

    public ConflictedCopy {
        chunks = List.copyOf(chunks);
    }

    /** The copy this event created, when it is the upsert of a concurrent edit's copy. */
    public static Optional<ConflictedCopy> of(FileEvent e) {
        if (e.getOp() != FileOp.UPSERT || e.getConflictOf() == null || !e.getFileId().startsWith(COPY_ID_PREFIX)) {
            return Optional.empty();
        }
        Map<String, Long> entries = new TreeMap<>();
        for (VersionEntry v : e.getVector()) {
            entries.put(v.getDeviceId(), v.getCounter());
        }
        VersionVector vector = VersionVector.of(entries);
        List<ChunkRef> chunks = e.getChunks().stream()
                .map(c -> new ChunkRef(new ChunkId(c.getChunkId()), c.getSize()))
                .toList();
        return Optional.of(new ConflictedCopy(UUID.fromString(e.getNamespaceId()), e.getSeq(), e.getFileId(), e.getPath(),
                e.getConflictOf(), vector, chunks, e.getSize(), e.getAt(), e.getMergePending()));
    }
}
