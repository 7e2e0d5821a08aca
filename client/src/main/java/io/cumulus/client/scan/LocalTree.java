package io.cumulus.client.scan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.cumulus.sync.path.PathKey;

/**
 * What a synced folder holds, as one scan saw it: every file, folder, symbolic link and special
 * file under the root, by its '/'-separated relative path, with nothing followed through a link.
 * The sync planner decides against this picture alone, and updates its own copy as it plans, so
 * that a later action sees the effect of an earlier one; executors check again just before they
 * act.
 *
 * <h2>Names that the file system folds</h2>
 * On a case- or normalisation-insensitive file system ({@link #caseInsensitive()}), {@code Report}
 * and {@code report} are one entry; lookups then go by the same key the server uses for name
 * collisions (NFC and case folding), and an entry keeps the spelling it has on disk.
 */
public final class LocalTree {
    /** What a path is on disk. */
    public enum Kind { FILE, DIRECTORY, LINK, OTHER }

    /** One entry; size, modification time and inode matter for files only. */
    public record Entry(String path, Kind kind, long size, long mtimeNanos, String inode) {
        public static Entry file(String path, long size, long mtimeNanos, String inode) {
            return new Entry(path, Kind.FILE, size, mtimeNanos, inode);
        }

        public static Entry directory(String path) {
            return new Entry(path, Kind.DIRECTORY, 0, 0, null);
        }

        public static Entry link(String path) {
            return new Entry(path, Kind.LINK, 0, 0, null);
        }
    }

    private final boolean caseInsensitive;
    private final Map<String, Entry> entries = new HashMap<>();
    private final java.util.Set<String> unscanned = new java.util.HashSet<>();

    public LocalTree(boolean caseInsensitive) {
        this.caseInsensitive = caseInsensitive;
    }

    public boolean caseInsensitive() {
        return caseInsensitive;
    }

    /** A copy to plan against: changes to it leave this one as scanned. */
    public LocalTree copy() {
        LocalTree copy = new LocalTree(caseInsensitive);
        copy.entries.putAll(entries);
        copy.unscanned.addAll(unscanned);
        return copy;
    }

    /** The entry at a path (under this file system's folding of names), if any. */
    public Optional<Entry> at(String path) {
        return Optional.ofNullable(entries.get(key(path)));
    }

    /**
     * The first proper ancestor of {@code path} (from the root down) that is not a folder, if any:
     * a file, a symbolic link or a special file standing where a folder would have to be.
     */
    public Optional<Entry> blockingAncestor(String path) {
        int slash = path.indexOf('/');
        while (slash >= 0) {
            Optional<Entry> e = at(path.substring(0, slash));
            if (e.isPresent() && e.get().kind() != Kind.DIRECTORY) {
                return e;
            }
            if (e.isEmpty()) {
                return Optional.empty(); // nothing there: every deeper ancestor is missing too, and would be created
            }
            slash = path.indexOf('/', slash + 1);
        }
        return Optional.empty();
    }

    /** Notes a folder the scan did not look into (ignored, the client's own, or unreadable): what it holds is unknown. */
    public void markUnscanned(String folder) {
        unscanned.add(key(folder));
    }

    /**
     * Whether the scan could not have seen {@code path}: a folder above it was not looked into, or
     * is not a real folder (a link, a file). Such a path missing from the scan is unknown, not gone.
     */
    public boolean hidden(String path) {
        int slash = path.indexOf('/');
        while (slash >= 0) {
            String folder = path.substring(0, slash);
            if (unscanned.contains(key(folder)) || at(folder).filter(e -> e.kind() != Kind.DIRECTORY).isPresent()) {
                return true;
            }
            slash = path.indexOf('/', slash + 1);
        }
        return unscanned.contains(key(path));
    }

    /** Whether nothing is at {@code path} as far as the scan can tell: no entry, and nothing above it hid one. */
    public boolean gone(String path) {
        return at(path).isEmpty() && !hidden(path);
    }

    /** Records an entry, replacing what was at its path. */
    public void put(Entry e) {
        entries.put(key(e.path()), e);
    }

    /** Records a file at {@code path} and a folder for each of its missing ancestors. */
    public void putFile(Entry file) {
        int slash = file.path().indexOf('/');
        while (slash >= 0) {
            String folder = file.path().substring(0, slash);
            if (at(folder).isEmpty()) {
                put(Entry.directory(folder));
            }
            slash = file.path().indexOf('/', slash + 1);
        }
        put(file);
    }

    /** Records a folder and its missing ancestors. */
    public void putFolder(String folder) {
        if (folder.isEmpty()) {
            return;
        }
        putFile(Entry.directory(folder));
    }

    public void remove(String path) {
        entries.remove(key(path));
    }

    /** Whether a folder holds anything. */
    public boolean hasChildren(String folder) {
        String prefix = key(folder) + "/";
        return entries.keySet().stream().anyMatch(k -> k.startsWith(prefix));
    }

    /** Every entry, in no particular order. */
    public List<Entry> entries() {
        return new ArrayList<>(entries.values());
    }

    private String key(String path) {
        return caseInsensitive ? PathKey.of(path).value() : path;
    }
}
