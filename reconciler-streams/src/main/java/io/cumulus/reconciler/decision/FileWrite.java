package io.cumulus.reconciler.decision;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A new version the server records for a file, and so one file event: the version written, the
 * version of the same file it replaces (none for a new file) and, for a conflicted copy, the file it
 * conflicted with.
 */
public record FileWrite(FileVersion next, Optional<FileVersion> previous, Optional<String> conflictOf) {

    public FileWrite {
        Objects.requireNonNull(next, "next");
        Objects.requireNonNull(previous, "previous");
        Objects.requireNonNull(conflictOf, "conflictOf");
        previous.ifPresent(p -> {
            if (!p.fileId().equals(next.fileId())) {
                throw new IllegalArgumentException("a write replaces a version of the same file, not " + p.fileId());
            }
        });
    }

    /**
     * Net reference changes: +1 for each distinct chunk the new version references that the one it
     * replaces did not (in manifest order), then -1 for each distinct chunk it no longer references
     * (in the old manifest's order). A chunk used by both versions is untouched.
     */
    public List<ChunkRefChange> chunkRefChanges() {
        Set<String> before = ids(previous.map(FileVersion::referencedChunks).orElse(List.of()));
        Set<String> after = ids(next.referencedChunks());
        List<ChunkRefChange> changes = new ArrayList<>();
        after.stream().filter(id -> !before.contains(id)).forEach(id -> changes.add(new ChunkRefChange(id, 1)));
        before.stream().filter(id -> !after.contains(id)).forEach(id -> changes.add(new ChunkRefChange(id, -1)));
        return changes;
    }

    private static Set<String> ids(List<Chunk> chunks) {
        Set<String> ids = new LinkedHashSet<>();
        chunks.forEach(c -> ids.add(c.id()));
        return ids;
    }
}
