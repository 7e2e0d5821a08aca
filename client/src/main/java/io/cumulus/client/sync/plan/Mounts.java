package io.cumulus.client.sync.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import io.cumulus.client.scan.FolderScanner;
import io.cumulus.client.scan.FolderScanner.LocalFile;
import io.cumulus.client.state.LocalState.SyncedFile;

/**
 * The shares mounted inside a home folder, as the home folder's syncer must treat them (decision
 * 0030): a mount is the share's, so home never scans, uploads, downloads into or deletes anything
 * under it; and a file that moves from home into a mount is a copy then a delete, the delete
 * waiting until the mount has the file. Pure: the mounts' records and files on disk in, decisions out.
 *
 * <h2>Copy, then delete</h2>
 * A home record under a mount (a folder shared with {@code share create}, or accepted over
 * existing files) is deleted from home once the mount's own state has that path synced with the
 * same content, or with the content now on disk ({@link #handedOver}). A home file that vanished
 * because it was moved into a mount (its inode is there) keeps its home entry while the mount has
 * not synced it ({@link #awaitsMount}). So when the mount's upload fails (read-only, quota, offline),
 * home keeps its entry and nothing is lost.
 */
public final class Mounts {
    private static final Mounts NONE = new Mounts(List.of());

    /**
     * One mount at {@code path} of the home folder. {@code member}: the account is still a member
     * (a detached mount is still excluded from home, but holds nothing for it); {@code synced}: the
     * mount's records by path relative to the mount; {@code onDisk}: the files in the mount folder now.
     */
    public record Mount(String path, boolean member, Map<String, SyncedFile> synced, Map<String, LocalFile> onDisk) {
        public Mount {
            synced = Map.copyOf(synced);
            onDisk = Map.copyOf(onDisk);
        }

        /** A mount the account no longer belongs to: its folder stays excluded from home, untouched. */
        public static Mount detached(String path) {
            return new Mount(path, false, Map.of(), Map.of());
        }
    }

    /**
     * What the home pull does with a window of the server's entries: {@code toPlan} go to the
     * {@link PullPlanner} with the records {@code synced} (none under a mount); the records
     * {@code dropped} (file ids) are forgotten without touching the disk, whose file there is the mount's.
     */
    public record PullSplit(List<RemoteEntry> toPlan, Map<String, SyncedFile> synced, Set<String> dropped) {
    }

    private final List<Mount> mounts;

    public Mounts(List<Mount> mounts) {
        this.mounts = List.copyOf(mounts);
    }

    /** A home folder with no share mounted in it. */
    public static Mounts none() {
        return NONE;
    }

    public boolean isEmpty() {
        return mounts.isEmpty();
    }

    /** Every mount path, members' and detached: the folders the home scan passes over. */
    public Set<String> paths() {
        Set<String> paths = new TreeSet<>();
        mounts.forEach(m -> paths.add(m.path()));
        return paths;
    }

    /** The mount that holds {@code path} (the mount folder itself or anything under it). */
    public Optional<Mount> covering(String path) {
        return mounts.stream().filter(m -> path.equals(m.path()) || path.startsWith(m.path() + "/"))
                .max(Comparator.comparingInt(m -> m.path().length()));
    }

    /**
     * Splits a window of entries: an entry at a path under a mount is not written here (its
     * deletion forgets a home record there); an entry that moved out of a mount, on a home device
     * that did not know of it, is planned as a new file (the file on disk at its old path is the mount's).
     */
    public PullSplit forPull(List<RemoteEntry> entries, Map<String, SyncedFile> synced) {
        if (mounts.isEmpty()) {
            return new PullSplit(entries, synced, Set.of());
        }
        Map<String, SyncedFile> outside = new TreeMap<>();
        Map<String, SyncedFile> byId = new java.util.HashMap<>();
        for (SyncedFile f : synced.values()) {
            byId.put(f.fileId(), f);
            if (covering(f.path()).isEmpty()) {
                outside.put(f.path(), f);
            }
        }
        List<RemoteEntry> toPlan = new ArrayList<>();
        Set<String> dropped = new TreeSet<>();
        for (RemoteEntry e : entries) {
            SyncedFile known = byId.get(e.fileId());
            boolean knownInside = known != null && covering(known.path()).isPresent();
            if (e.path() != null && covering(e.path()).isPresent()) {
                if (knownInside && e.deleted()) {
                    dropped.add(known.fileId());
                }
                continue;
            }
            if (knownInside) {
                dropped.add(known.fileId());
            }
            toPlan.add(e);
        }
        return new PullSplit(toPlan, outside, dropped);
    }

    /**
     * The home records under a mount whose file the mount now holds: synced in the mount with the
     * same content, or with the content on disk. They are deleted from home (into its trash).
     */
    public List<SyncedFile> handedOver(Map<String, SyncedFile> homeSynced) {
        List<SyncedFile> handed = new ArrayList<>();
        for (SyncedFile home : homeSynced.values()) {
            Optional<Mount> m = covering(home.path());
            if (m.isEmpty() || !m.get().member() || home.path().equals(m.get().path())) {
                continue;
            }
            String rel = home.path().substring(m.get().path().length() + 1);
            if (FolderScanner.isFolderMarker(rel) && FolderScanner.markedFolder(rel).isEmpty()) {
                handed.add(home); // the marker of the mount folder itself: the mount stands for that folder now
                continue;
            }
            SyncedFile there = m.get().synced().get(rel);
            if (there == null) {
                continue;
            }
            LocalFile disk = m.get().onDisk().get(rel);
            boolean sameContent = there.manifest().equals(home.manifest());
            boolean diskIsShared = disk != null && PushPlanner.sameStat(there, disk);
            if (sameContent || diskIsShared) {
                handed.add(home);
            }
        }
        return handed;
    }

    /**
     * Whether the deletion of the home file {@code gone} waits: the file was moved into a mount
     * (a file with its inode is there) that has not synced it yet.
     */
    public boolean awaitsMount(SyncedFile gone) {
        if (gone.inode() == null || "null".equals(gone.inode())) {
            return false;
        }
        for (Mount m : mounts) {
            if (!m.member()) {
                continue;
            }
            for (LocalFile f : m.onDisk().values()) {
                if (Objects.equals(f.inode(), gone.inode())) {
                    SyncedFile there = m.synced().get(f.path());
                    if (there == null || !PushPlanner.sameStat(there, f)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
