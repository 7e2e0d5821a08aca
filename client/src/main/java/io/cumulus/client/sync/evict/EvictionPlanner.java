package io.cumulus.client.sync.evict;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import io.cumulus.client.scan.FolderScanner;
import io.cumulus.client.scan.FolderScanner.LocalFile;
import io.cumulus.client.scan.FolderScanner.Scan;
import io.cumulus.client.scan.LocalTree;
import io.cumulus.client.state.LocalState.SyncedFile;

/**
 * Decides which originals go, and how evicted files look to the sync planners. No I/O.
 *
 * <h2>Only copies stay</h2>
 * An original may be evicted only when the server holds exactly what is on disk: it has a record
 * (written only once the server accepted or sent that version), it is unchanged since (same size,
 * modification time and inode), and nothing about it is held back (a remote version kept apart for
 * a local change, a merge awaited, a skip). A new file, an edit not yet sent, a conflicted copy not
 * yet accepted are never candidates; nor is a file under {@link #MIN_BYTES}.
 *
 * <h2>Least recently used</h2>
 * A file's last use is the later of its modification time as recorded at sync (when it was last
 * written here: downloaded, fetched, edited) and the last time {@code cumulus open} or
 * {@code cumulus fetch} handed it out. Access times are not used: most Linux mounts keep them
 * lazily ({@code relatime}) or not at all ({@code noatime}), and the client's own reads (hashing,
 * reusing chunks of local files) would count as uses.
 */
public final class EvictionPlanner {
    /**
     * Smaller files are never evicted: such a file takes one block of the disk, as its placeholder
     * would, so evicting it would free nothing and only cost a fetch.
     */
    public static final long MIN_BYTES = 4096;

    private EvictionPlanner() {
    }

    /** The originals to evict, oldest use first, and the bytes of originals on disk before and after. */
    public record Plan(List<SyncedFile> evict, long bytesBefore, long bytesAfter, long limit) {
        /** Whether what stays fits the limit (it may not: what cannot be evicted stays whatever its size). */
        public boolean fits() {
            return bytesAfter <= limit;
        }
    }

    /**
     * Which originals to evict so that the files on disk ({@code onDisk}: the scan's files, evicted
     * ones not among them) hold at most {@code limit} bytes. {@code held}: file ids that may not go
     * (see the class comment); {@code lastUsed}: by file id, when open or fetch last handed it out.
     */
    public static Plan plan(Map<String, LocalFile> onDisk, Map<String, SyncedFile> synced, Set<String> held,
                            Map<String, Instant> lastUsed, long limit) {
        long before = onDisk.values().stream().mapToLong(LocalFile::size).sum();
        List<SyncedFile> candidates = new ArrayList<>();
        for (LocalFile f : onDisk.values()) {
            SyncedFile s = synced.get(f.path());
            if (s != null && evictable(s, f, held)) {
                candidates.add(s);
            }
        }
        candidates.sort(Comparator.comparing((SyncedFile s) -> lastUse(s, lastUsed)).thenComparing(SyncedFile::path));
        List<SyncedFile> evict = new ArrayList<>();
        long after = before;
        for (SyncedFile s : candidates) {
            if (after <= limit) {
                break;
            }
            evict.add(s);
            after -= s.size();
        }
        return new Plan(List.copyOf(evict), before, after, limit);
    }

    /** Whether the server holds exactly this original and nothing about it is held back. */
    static boolean evictable(SyncedFile s, LocalFile now, Set<String> held) {
        return !FolderScanner.isFolderMarker(s.path()) && !held.contains(s.fileId()) && s.size() >= MIN_BYTES && s.seq() >= 0
                && s.size() == s.manifest().size() && s.size() == now.size() && s.mtimeNanos() == now.mtimeNanos()
                && Objects.equals(s.inode(), now.inode());
    }

    /** When a file was last used: see the class comment. */
    static Instant lastUse(SyncedFile s, Map<String, Instant> lastUsed) {
        Instant written = Instant.ofEpochSecond(0, Math.max(0, s.mtimeNanos()));
        Instant handedOut = lastUsed.get(s.fileId());
        return handedOut != null && handedOut.isAfter(written) ? handedOut : written;
    }

    /**
     * The scan as the sync planners should see it: each evicted file whose placeholder is in its
     * place stands there as it was synced, so it is neither a deletion nor an edit. One whose
     * placeholder is gone is gone (a deletion); one whose original is back is left to what is on disk.
     */
    public static Scan withStandIns(Scan scan, Collection<SyncedFile> evicted) {
        if (evicted.isEmpty()) {
            return scan;
        }
        Map<String, LocalFile> files = new TreeMap<>(scan.files());
        LocalTree tree = scan.tree().copy();
        for (SyncedFile s : evicted) {
            if (!files.containsKey(s.path()) && tree.at(s.path()).isEmpty() && scan.placeholders().contains(Placeholder.pathFor(s.path()))) {
                files.put(s.path(), new LocalFile(s.path(), s.size(), s.mtimeNanos(), s.inode()));
                tree.putFile(LocalTree.Entry.file(s.path(), s.size(), s.mtimeNanos(), s.inode()));
            }
        }
        return new Scan(files, scan.skipped(), scan.emptyFolders(), tree, scan.placeholders());
    }
}
