package io.cumulus.ingest.changes;

import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A change batch that passed every check that needs no database: what a device asked to change
 * in one namespace, in order. {@code namespaceId} is still the string the device sent; whether it
 * names a namespace the device may write is the intake's question.
 */
public record ChangeBatch(String namespaceId, List<FileChange> changes) {

    public ChangeBatch {
        changes = List.copyOf(changes);
    }

    /** Every chunk any change references, once each, sorted. */
    public SortedSet<String> chunkIds() {
        SortedSet<String> ids = new TreeSet<>();
        changes.forEach(c -> c.chunks().forEach(ref -> ids.add(ref.id().hex())));
        return ids;
    }
}
