package io.cumulus.client.sync.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.cumulus.client.scan.FolderScanner;
import io.cumulus.client.scan.LocalTree;
import io.cumulus.client.scan.LocalTree.Entry;
import io.cumulus.client.scan.LocalTree.Kind;
import io.cumulus.client.state.LocalState.SyncedFile;
import io.cumulus.sync.vector.Causality;

/**
 * Decides how the server's entries reach this folder: what the scan found, what was last synced,
 * and the server's latest entry of each file in; a list of {@link Action}s out. No I/O: the same
 * inputs always give the same plan, and executors do the rest.
 *
 * <h2>What it guarantees</h2>
 * <ul>
 *   <li>Containment: no action targets a path that is not a valid relative path, that uses one of
 *       the client's own names, or whose parent is a symbolic link, a file or a special file.</li>
 *   <li>No loss: only files unchanged since they were synced (the server holds their content) are
 *       replaced, moved or deleted; a file changed here, or one this device never synced, is kept
 *       and sent, and the server keeps both sides.</li>
 *   <li>Progress: each entry gets exactly one action, whatever the others are, so one entry that
 *       cannot be materialised is skipped with its reason and never holds back the rest.</li>
 * </ul>
 *
 * <h2>Order</h2>
 * Entries are planned in sequence order against a copy of the scanned tree that each planned
 * action updates, so a file deleted or moved away by an earlier entry frees its path for a later
 * one, as it did on the server.
 */
public final class PullPlanner {
    private final LocalTree tree;
    private final LocalNames names;
    private final java.util.Set<String> evicted;
    private final Map<String, SyncedFile> byFileId = new HashMap<>();
    private final Map<String, SyncedFile> byPath = new HashMap<>();
    private final List<Action> plan = new ArrayList<>();

    private PullPlanner(LocalTree scanned, Map<String, SyncedFile> synced, LocalNames names, java.util.Set<String> evicted) {
        this.tree = scanned.copy();
        this.names = names;
        this.evicted = evicted;
        for (SyncedFile f : synced.values()) {
            byFileId.put(f.fileId(), f);
            byPath.put(f.path(), f);
        }
    }

    /**
     * The plan for {@code entries} (each file once, in sequence order: see
     * {@link RemoteEntry#latestPerFile}); {@code synced}: this device's records by path.
     */
    public static List<Action> plan(List<RemoteEntry> entries, LocalTree scanned, Map<String, SyncedFile> synced, LocalNames names) {
        return plan(entries, scanned, synced, names, java.util.Set.of());
    }

    /**
     * As {@link #plan(List, LocalTree, Map, LocalNames)}, for a folder where the files of
     * {@code evicted} (file ids) are evicted: {@code scanned} has them standing in their place (see
     * {@code sync.evict.EvictionPlanner.withStandIns}), and their new versions and names stay evicted.
     */
    public static List<Action> plan(List<RemoteEntry> entries, LocalTree scanned, Map<String, SyncedFile> synced, LocalNames names,
                                    java.util.Set<String> evicted) {
        PullPlanner planner = new PullPlanner(scanned, synced, names, evicted);
        for (RemoteEntry e : entries) {
            planner.plan.add(planner.decide(e));
        }
        return List.copyOf(planner.plan);
    }

    private Action decide(RemoteEntry e) {
        if (e.malformed().isPresent()) {
            return new Action.Skip(e, "the server sent an entry the client cannot read (" + e.malformed().get() + ")");
        }
        SyncedFile known = byFileId.get(e.fileId());
        if (e.mergePending() && !e.deleted()) {
            return new Action.Wait(e, "a conflicted copy the server is merging");
        }
        if (known != null) {
            Causality order = known.vector().compare(e.vector());
            if (order == Causality.EQUAL || order == Causality.DOMINATES) {
                return new Action.Forget(e.fileId(), e.path()); // this device has this version or a later one
            }
            if (changedHere(known)) {
                return new Action.KeepBoth(e, known.path() + " changed here and on another device; this version is sent too");
            }
        }
        if (known != null && evicted.contains(known.fileId())) {
            Optional<Action> stays = stayEvicted(e, known);
            if (stays.isPresent()) {
                return stays.get();
            }
        }
        if (e.deleted()) {
            return known == null ? new Action.Forget(e.fileId(), e.path()) : delete(known);
        }
        Optional<String> unusable = names.problem(e.path());
        if (unusable.isPresent()) {
            return new Action.Skip(e, unusable.get());
        }
        if (FolderScanner.isFolderMarker(e.path())) {
            return folder(e, known);
        }
        return file(e, known);
    }

    /**
     * An evicted file stays evicted: deleted, its placeholder goes; edited or renamed, its
     * placeholder stands for the new version at the new path. Empty when the new path is taken
     * here or cannot be written: then it is planned as any file (downloaded, or skipped).
     */
    private Optional<Action> stayEvicted(RemoteEntry e, SyncedFile known) {
        if (e.deleted()) {
            forget(known);
            tree.remove(known.path());
            return Optional.of(new Action.RemovePlaceholder(known.fileId(), known));
        }
        if (names.problem(e.path()).isPresent() || FolderScanner.isFolderMarker(e.path()) || blockedParent(e.path()).isPresent()) {
            return Optional.empty();
        }
        Optional<Entry> there = tree.at(e.path());
        if (there.isPresent() && !there.get().path().equals(known.path())) {
            return Optional.empty();
        }
        forget(known);
        tree.remove(known.path());
        tree.putFile(Entry.file(e.path(), e.manifest().size(), known.mtimeNanos(), known.inode()));
        record(new SyncedFile(e.path(), e.fileId(), e.vector(), e.manifest(), e.manifest().size(), known.mtimeNanos(), known.inode(),
                e.seq()));
        return Optional.of(new Action.StayEvicted(e, known));
    }

    private Action delete(SyncedFile known) {
        forget(known);
        if (FolderScanner.isFolderMarker(known.path())) {
            return new Action.RemoveFolder(known.fileId(), known);
        }
        tree.remove(known.path());
        return new Action.DeleteLocal(known.fileId(), known);
    }

    private Action folder(RemoteEntry e, SyncedFile known) {
        String folder = FolderScanner.markedFolder(e.path());
        Optional<String> blocked = blockedAsFolder(folder);
        if (blocked.isPresent()) {
            return new Action.Skip(e, blocked.get());
        }
        if (known != null) {
            forget(known);
        }
        tree.putFolder(folder);
        record(new SyncedFile(e.path(), e.fileId(), e.vector(), e.manifest(), 0, 0, null, e.seq()));
        return new Action.MakeFolder(e, folder);
    }

    /** Why {@code folder} (and every folder above it) cannot be a folder here; empty when it can. */
    private Optional<String> blockedAsFolder(String folder) {
        if (folder.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> above = blockedParent(folder + "/x");
        if (above.isPresent()) {
            return above;
        }
        return tree.at(folder).filter(there -> there.kind() != Kind.DIRECTORY)
                .map(there -> describe(there) + " has the name of this folder");
    }

    /** Why the folder that would hold {@code path} cannot be used; empty when it can be made or is there. */
    private Optional<String> blockedParent(String path) {
        return tree.blockingAncestor(path).map(a -> describe(a) + " stands where a folder of this path would be");
    }

    private Action file(RemoteEntry e, SyncedFile known) {
        Optional<String> blocked = blockedParent(e.path());
        if (blocked.isPresent()) {
            return new Action.Skip(e, blocked.get());
        }
        Optional<Entry> there = tree.at(e.path());
        Entry replaces = null;
        if (there.isPresent()) {
            Entry t = there.get();
            if (t.kind() != Kind.FILE) {
                return new Action.Skip(e, describe(t) + " has this name here");
            }
            SyncedFile holder = byPath.get(t.path());
            boolean ours = holder != null && holder.fileId().equals(e.fileId());
            if (!ours) {
                if (holder == null) {
                    // Never synced here: same content is adopted, other content is kept and sent as a file of its own.
                    // Nothing is recorded yet, so a later entry for this path finds it unsynced too.
                    return new Action.AdoptIfSame(e, t);
                }
                if (changedHere(holder)) {
                    return new Action.KeepBoth(e, t.path() + " changed here while another file took its name; both are kept");
                }
                // another synced file, unchanged: the server holds it, and its own entry says where it went; an evicted
                // one has only its placeholder there, which stays until that entry moves it
                replaces = evicted.contains(holder.fileId()) ? null : t;
                forget(holder);
            } else if (t.path().equals(e.path()) && known != null && known.manifest().equals(e.manifest())) {
                record(new SyncedFile(e.path(), e.fileId(), e.vector(), e.manifest(), t.size(), t.mtimeNanos(), t.inode(), e.seq()));
                return new Action.Adopt(e, t); // only the vector moved on
            } else {
                replaces = t;
            }
        }
        if (known != null && !known.path().equals(e.path()) && !FolderScanner.isFolderMarker(known.path())) {
            Optional<Entry> from = tree.at(known.path()).filter(f -> f.kind() == Kind.FILE);
            if (replaces == null && from.isPresent() && known.manifest().equals(e.manifest())) {
                forget(known);
                tree.remove(known.path());
                Entry moved = Entry.file(e.path(), from.get().size(), from.get().mtimeNanos(), from.get().inode());
                tree.putFile(moved);
                record(new SyncedFile(e.path(), e.fileId(), e.vector(), e.manifest(), moved.size(), moved.mtimeNanos(),
                        moved.inode(), e.seq()));
                return new Action.Move(e, known);
            }
        }
        // A folder marker that the server now calls a file leaves no file behind to remove: only its record goes.
        SyncedFile previous = known != null && !known.path().equals(e.path()) && !FolderScanner.isFolderMarker(known.path())
                ? known : null;
        if (known != null) {
            forget(known);
        }
        if (previous != null && !isSamePlace(previous.path(), e.path())) {
            tree.remove(previous.path());
        }
        Entry written = Entry.file(e.path(), e.manifest().size(), -1, null); // its stat is known once it is written
        tree.putFile(written);
        record(new SyncedFile(e.path(), e.fileId(), e.vector(), e.manifest(), -1, -1, null, e.seq()));
        return new Action.Download(e, replaces, previous);
    }

    /** Two paths that this file system folds to one entry (a case-only rename on macOS). */
    private boolean isSamePlace(String a, String b) {
        return tree.at(a).map(Entry::path).equals(tree.at(b).map(Entry::path)) && tree.at(a).isPresent();
    }

    /** Whether a synced file (or marked folder) is not as it was synced: edited, replaced, or gone. */
    private boolean changedHere(SyncedFile s) {
        Optional<Entry> now = tree.at(s.path()).filter(e -> e.path().equals(s.path()) || tree.caseInsensitive());
        if (FolderScanner.isFolderMarker(s.path())) {
            String folder = FolderScanner.markedFolder(s.path());
            return !folder.isEmpty() && tree.at(folder).filter(e -> e.kind() == Kind.DIRECTORY).isEmpty();
        }
        if (s.size() < 0) {
            return false; // written by this plan: not on disk yet
        }
        return now.isEmpty() || now.get().kind() != Kind.FILE || now.get().size() != s.size()
                || now.get().mtimeNanos() != s.mtimeNanos() || !Objects.equals(now.get().inode(), s.inode());
    }

    private void record(SyncedFile f) {
        SyncedFile old = byPath.put(f.path(), f);
        if (old != null && !old.fileId().equals(f.fileId())) {
            byFileId.remove(old.fileId());
        }
        SyncedFile before = byFileId.put(f.fileId(), f);
        if (before != null && !before.path().equals(f.path())) {
            byPath.remove(before.path());
        }
    }

    private void forget(SyncedFile f) {
        byFileId.remove(f.fileId());
        byPath.remove(f.path(), f);
        byPath.computeIfPresent(f.path(), (p, s) -> s.fileId().equals(f.fileId()) ? null : s);
    }

    private static String describe(Entry e) {
        return switch (e.kind()) {
            case FILE -> "the file '" + e.path() + "'";
            case DIRECTORY -> "the folder '" + e.path() + "'";
            case LINK -> "the symbolic link '" + e.path() + "' (not followed)";
            case OTHER -> "'" + e.path() + "', which is not a regular file,";
        };
    }
}
