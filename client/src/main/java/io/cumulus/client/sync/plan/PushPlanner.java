package io.cumulus.client.sync.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

import io.cumulus.client.api.Remote.Change;
import io.cumulus.client.scan.FolderScanner;
import io.cumulus.client.scan.FolderScanner.LocalFile;
import io.cumulus.client.scan.FolderScanner.Scan;
import io.cumulus.client.state.LocalState.SyncedFile;
import io.cumulus.sync.manifest.Manifest;
import io.cumulus.sync.path.InvalidPathException;
import io.cumulus.sync.path.SyncPath;
import io.cumulus.sync.vector.VersionVector;

/**
 * Decides what this device sends: the scan, the records of what was synced, and the manifests of
 * the files that needed reading in; the changes to send, the records to refresh (a file touched
 * but not changed) and the local entries that cannot be sent (with the reason) out. No I/O.
 *
 * <h2>Renames</h2>
 * A synced file whose inode now sits at an unsynced path was moved there, even when a new file has
 * since taken its old name; a new file whose content equals a vanished file's is that file renamed.
 * Deletions come before new files, so a path a renamed or deleted file left is free on the server
 * by the time a new file takes it.
 */
public final class PushPlanner {

    /** A change as queued: what is sent, and the local facts to record when the server accepts it. */
    public record LocalChange(Change change, LocalFile seen) {
    }

    /** A file's manifest and the stat that held both before and after it was read. */
    public record Read(Manifest manifest, LocalFile stat) {
    }

    /** A local entry that is not sent, and why. */
    public record NotSent(String path, String reason) {
    }

    public record Plan(List<LocalChange> changes, List<SyncedFile> refreshed, List<NotSent> notSent) {
    }

    private PushPlanner() {
    }

    /** The files whose content must be read before planning: new ones and those whose stat moved. */
    public static Set<String> needsReading(Scan scan, Map<String, SyncedFile> synced) {
        Set<String> paths = new java.util.TreeSet<>();
        for (LocalFile f : scan.files().values()) {
            SyncedFile s = synced.get(f.path());
            if ((s == null || !sameStat(s, f)) && unsendable(f.path()) == null) {
                paths.add(f.path());
            }
        }
        return paths;
    }

    /**
     * What status shows as waiting to be sent, without reading anything: new and modified files,
     * synced files that are gone, empty folders not yet marked and marked folders that are gone.
     */
    public static List<String> waiting(Scan scan, Map<String, SyncedFile> synced) {
        List<String> waiting = new ArrayList<>(needsReading(scan, synced));
        Set<String> marked = new HashSet<>();
        for (SyncedFile s : synced.values()) {
            if (FolderScanner.isFolderMarker(s.path())) {
                String folder = FolderScanner.markedFolder(s.path());
                marked.add(folder);
                if (!folderThere(scan, folder)) {
                    waiting.add(s.path());
                }
            } else if (!scan.files().containsKey(s.path()) && scan.tree().gone(s.path())) {
                waiting.add(s.path());
            }
        }
        for (String folder : scan.emptyFolders()) {
            if (!marked.contains(folder) && unsendable(folder + "/" + FolderScanner.FOLDER_MARKER) == null) {
                waiting.add(folder + "/");
            }
        }
        return waiting;
    }

    /**
     * The plan. {@code read}: the manifest of each path of {@link #needsReading} that could be read
     * steadily (a file still being written is absent and waits for the next round).
     */
    public static Plan plan(Scan scan, Map<String, SyncedFile> synced, Map<String, Read> read, String deviceId,
                            Supplier<String> newFileId) {
        List<LocalChange> changes = new ArrayList<>();
        List<SyncedFile> refreshed = new ArrayList<>();
        Map<String, NotSent> notSent = new LinkedHashMap<>();
        Set<String> claimed = new HashSet<>();

        for (LocalFile f : scan.files().values()) {
            String why = unsendable(f.path());
            if (why != null) {
                notSent.put(f.path(), new NotSent(f.path(), why));
            }
        }

        // Folders kept empty: a marker for each new one, a deletion for each that is gone.
        Set<String> marked = new HashSet<>();
        for (SyncedFile s : synced.values()) {
            if (FolderScanner.isFolderMarker(s.path())) {
                String folder = FolderScanner.markedFolder(s.path());
                marked.add(folder);
                if (!folderThere(scan, folder)) {
                    next(s, deviceId, notSent).ifPresent(v ->
                            changes.add(new LocalChange(new Change(s.fileId(), s.path(), true, v, Manifest.empty()), null)));
                }
            }
        }
        for (String folder : scan.emptyFolders()) {
            String marker = folder + "/" + FolderScanner.FOLDER_MARKER;
            if (!marked.contains(folder)) {
                String why = unsendable(marker);
                if (why != null) {
                    notSent.put(folder, new NotSent(folder, why));
                    continue;
                }
                changes.add(new LocalChange(new Change(newFileId.get(), marker, false, VersionVector.empty().increment(deviceId),
                        Manifest.empty()), new LocalFile(marker, 0, 0, null)));
            }
        }

        Map<String, LocalFile> byInode = new HashMap<>();
        for (LocalFile f : scan.files().values()) {
            byInode.putIfAbsent(f.inode(), f);
        }
        List<SyncedFile> gone = new ArrayList<>();
        for (SyncedFile s : synced.values()) {
            if (FolderScanner.isFolderMarker(s.path())) {
                continue;
            }
            LocalFile now = scan.files().get(s.path());
            if (now == null && !scan.tree().gone(s.path())) {
                // Still on disk but not sent (ignored, unreadable, a link now) or under a folder the scan could not
                // see into: unknown, never a deletion. The record stays as it is.
                claimed.add(s.path());
                continue;
            }
            LocalFile movedTo = byInode.get(s.inode());
            boolean replaced = now != null && !Objects.equals(now.inode(), s.inode()) && movedTo != null
                    && !synced.containsKey(movedTo.path());
            if (now == null || replaced) {
                gone.add(s);
                continue;
            }
            claimed.add(s.path());
            if (sameStat(s, now)) {
                continue;
            }
            Read r = read.get(s.path());
            if (r == null) {
                continue; // still being written, or unreadable: next round
            }
            if (r.manifest().equals(s.manifest())) {
                refreshed.add(new SyncedFile(s.path(), s.fileId(), s.vector(), s.manifest(), r.stat().size(), r.stat().mtimeNanos(),
                        r.stat().inode(), s.seq()));
            } else {
                next(s, deviceId, notSent).ifPresent(v ->
                        changes.add(new LocalChange(new Change(s.fileId(), s.path(), false, v, r.manifest()), r.stat())));
            }
        }

        List<LocalChange> created = new ArrayList<>();
        Map<String, SyncedFile> goneByInode = new HashMap<>();
        Map<Manifest, SyncedFile> goneByContent = new HashMap<>();
        for (SyncedFile g : gone) {
            if (g.inode() != null && !"null".equals(g.inode())) {
                goneByInode.put(g.inode(), g);
            }
            goneByContent.putIfAbsent(g.manifest(), g);
        }
        for (LocalFile f : scan.files().values()) {
            if (claimed.contains(f.path()) || notSent.containsKey(f.path())) {
                continue;
            }
            Read r = read.get(f.path());
            if (r == null) {
                continue;
            }
            SyncedFile renamed = goneByInode.get(f.inode());
            if (renamed == null || !gone.contains(renamed)) {
                renamed = goneByContent.get(r.manifest());
            }
            if (renamed != null && gone.remove(renamed)) {
                SyncedFile from = renamed;
                goneByContent.values().remove(from);
                goneByInode.values().remove(from);
                next(from, deviceId, notSent).ifPresent(v ->
                        changes.add(new LocalChange(new Change(from.fileId(), f.path(), false, v, r.manifest()), r.stat())));
            } else {
                created.add(new LocalChange(new Change(newFileId.get(), f.path(), false, VersionVector.empty().increment(deviceId),
                        r.manifest()), r.stat()));
            }
        }
        for (SyncedFile g : gone) {
            next(g, deviceId, notSent).ifPresent(v ->
                    changes.add(new LocalChange(new Change(g.fileId(), g.path(), true, v, Manifest.empty()), null)));
        }
        changes.addAll(created);
        return new Plan(changes, refreshed, List.copyOf(notSent.values()));
    }

    /** The vector after this device's edit, unless its counter cannot grow (a vector no server accepts). */
    private static java.util.Optional<VersionVector> next(SyncedFile s, String deviceId, Map<String, NotSent> notSent) {
        try {
            if (s.vector().counter(deviceId) == Long.MAX_VALUE) {
                throw new ArithmeticException("counter overflow");
            }
            return java.util.Optional.of(s.vector().increment(deviceId));
        } catch (ArithmeticException e) {
            notSent.put(s.path(), new NotSent(s.path(), "its version counter for this device is exhausted"));
            return java.util.Optional.empty();
        }
    }

    /** Why a local path cannot be sent (a name the server refuses, or the client's own); null when it can. */
    public static String unsendable(String path) {
        try {
            SyncPath.parse(path);
        } catch (InvalidPathException e) {
            return "the server does not accept this name (" + e.getMessage() + ")";
        }
        for (String segment : path.split("/")) {
            if (FolderScanner.isReservedName(segment)) {
                return "'" + segment + "' is a name the client keeps for itself";
            }
        }
        if (io.cumulus.client.sync.evict.Placeholder.isPlaceholderName(path.substring(path.lastIndexOf('/') + 1))) {
            return "a placeholder of an evicted file, never sent";
        }
        return null;
    }

    /** Whether a marked folder is (or may be) still there: a folder the scan could not see into counts as there. */
    private static boolean folderThere(Scan scan, String folder) {
        return folder.isEmpty() || scan.tree().hidden(folder)
                || scan.tree().at(folder).filter(e -> e.kind() == io.cumulus.client.scan.LocalTree.Kind.DIRECTORY).isPresent();
    }

    static boolean sameStat(SyncedFile s, LocalFile f) {
        return s.size() == f.size() && s.mtimeNanos() == f.mtimeNanos() && Objects.equals(s.inode(), f.inode());
    }
}
