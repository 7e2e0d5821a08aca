package io.cumulus.reconciler.decision;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One chunk gaining ({@code +1}) or losing ({@code -1}) a reference from a file. A file holds one
 * reference to each distinct chunk of the versions it still keeps: its current version, its
 * retained history and, once deleted, its trash entry.
 */
public record ChunkRefChange(String chunkId, int delta) {

    public ChunkRefChange {
        Objects.requireNonNull(chunkId, "chunkId");
        if (delta != 1 && delta != -1) {
            throw new IllegalArgumentException("a reference changes by +1 or -1, not " + delta);
        }
    }

    /**
     * The changes that take a file from keeping the versions {@code before} to keeping {@code after}:
     * +1 for each distinct chunk only {@code after} references (in version, then manifest order),
     * then -1 for each distinct chunk only {@code before} references. A chunk both reference is untouched.
     */
    public static List<ChunkRefChange> between(Collection<FileVersion> before, Collection<FileVersion> after) {
        Set<String> held = ids(before);
        Set<String> kept = ids(after);
        List<ChunkRefChange> changes = new ArrayList<>();
        kept.stream().filter(id -> !held.contains(id)).forEach(id -> changes.add(new ChunkRefChange(id, 1)));
        held.stream().filter(id -> !kept.contains(id)).forEach(id -> changes.add(new ChunkRefChange(id, -1)));
        return changes;
    }

    private static Set<String> ids(Collection<FileVersion> versions) {
        Set<String> ids = new LinkedHashSet<>();
        versions.forEach(v -> v.referencedChunks().forEach(c -> ids.add(c.id())));
        return ids;
    }
}
