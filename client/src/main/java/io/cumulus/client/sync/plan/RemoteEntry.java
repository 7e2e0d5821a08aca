package io.cumulus.client.sync.plan;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.cumulus.sync.manifest.Manifest;
import io.cumulus.sync.vector.VersionVector;

/**
 * One file as the server last said it is: from the change feed, the file listing or a file's own
 * state. {@code mergePending}: a conflicted copy the server is still merging into its original,
 * which a device never materialises (it disappears when the merge lands, or becomes an ordinary
 * copy when the merge fails). {@code malformed}: why the client could not read what the server
 * sent for this file (it is skipped with that reason).
 */
public record RemoteEntry(long seq, String fileId, String path, boolean deleted, VersionVector vector, Manifest manifest,
                          boolean mergePending, Optional<String> malformed) {

    public RemoteEntry(long seq, String fileId, String path, boolean deleted, VersionVector vector, Manifest manifest,
                       boolean mergePending) {
        this(seq, fileId, path, deleted, vector, manifest, mergePending, Optional.empty());
    }

    /**
     * The latest entry of each file, in sequence order: a device that is behind applies each file's
     * current state once, not every version it passed through. Applying them in the order of their
     * last change keeps every path free by the time a later file takes it, as it was on the server.
     */
    public static List<RemoteEntry> latestPerFile(Collection<RemoteEntry> entries) {
        Map<String, RemoteEntry> latest = new LinkedHashMap<>();
        for (RemoteEntry e : entries) {
            latest.merge(e.fileId(), e, (a, b) -> b.seq() >= a.seq() ? b : a);
        }
        List<RemoteEntry> ordered = new ArrayList<>(latest.values());
        ordered.sort(Comparator.comparingLong(RemoteEntry::seq));
        return ordered;
    }
}
