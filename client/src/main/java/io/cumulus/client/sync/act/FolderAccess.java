package io.cumulus.client.sync.act;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.cumulus.client.scan.FolderScanner;
import io.cumulus.client.scan.LocalTree;
import io.cumulus.client.sync.evict.Placeholder;

/**
 * The only way executors touch the synced folder. Every target is resolved component by component
 * from the root without following a symbolic link: a parent that is a link, a file or anything but
 * a real folder stops the action with {@link Refused}, so nothing a server sends can make the
 * client write, rename or delete outside the folder or inside its own state directory.
 *
 * <h2>Races</h2>
 * Each check is made immediately before the call it guards; a folder swapped for a link between
 * the check and the call is the one window left, the same one Syncthing's and rsync's
 * non-{@code openat} paths have.
 */
public final class FolderAccess {
    private final Path root;

    public FolderAccess(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** An action that would leave the folder, go through a link, or replace something unexpected: nothing was changed. */
    public static final class Refused extends IOException {
        public Refused(String message) {
            super(message);
        }
    }

    /** What is at {@code rel} now, not following links; empty when nothing is. */
    public Optional<LocalTree.Entry> lstat(String rel) throws IOException {
        Path p = resolveChecked(rel);
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            LocalTree.Kind kind = a.isSymbolicLink() ? LocalTree.Kind.LINK : a.isDirectory() ? LocalTree.Kind.DIRECTORY
                    : a.isRegularFile() ? LocalTree.Kind.FILE : LocalTree.Kind.OTHER;
            return Optional.of(new LocalTree.Entry(rel, kind, a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS),
                    String.valueOf(a.fileKey())));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * The absolute path of {@code rel} after checking that it is a relative path of ordinary
     * segments, none of them the client's own, and that every existing parent is a real folder.
     */
    public Path resolveChecked(String rel) throws IOException {
        Path p = root;
        String[] segments = segments(rel);
        for (int i = 0; i < segments.length - 1; i++) {
            p = p.resolve(segments[i]);
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                return root.resolve(String.join("/", segments)); // missing parents: nothing under them exists either
            }
            checkFolder(p, rel);
        }
        return p.resolve(segments[segments.length - 1]);
    }

    /** Creates the parents of {@code rel} one at a time, each checked to be a real folder. */
    public Path parentsMade(String rel) throws IOException {
        Path p = root;
        String[] segments = segments(rel);
        for (int i = 0; i < segments.length - 1; i++) {
            p = p.resolve(segments[i]);
            try {
                Files.createDirectory(p);
            } catch (FileAlreadyExistsException exists) {
                // there already: checked below
            }
            checkFolder(p, rel);
        }
        return p.resolve(segments[segments.length - 1]);
    }

    /** Creates a folder (and its parents), each checked; true when it was not there. */
    public boolean makeFolder(String rel) throws IOException {
        Path dir = parentsMade(rel);
        try {
            Files.createDirectory(dir);
            return true;
        } catch (FileAlreadyExistsException exists) {
            checkFolder(dir, rel);
            return false;
        }
    }

    /** Deletes the regular file at {@code rel}, only when it is still as {@code expected}. */
    public boolean deleteFile(String rel, LocalTree.Entry expected) throws IOException {
        Path p = resolveChecked(rel);
        Optional<LocalTree.Entry> now = lstat(rel);
        if (now.isEmpty()) {
            return false;
        }
        if (!sameFile(now.get(), expected)) {
            throw new Refused(rel + " changed since it was synced; it is kept");
        }
        return Files.deleteIfExists(p);
    }

    /** Renames a regular file, only when it is still as {@code expected} and the target is free. */
    public void move(String from, String to, LocalTree.Entry expected) throws IOException {
        Path source = resolveChecked(from);
        Optional<LocalTree.Entry> now = lstat(from);
        if (now.isEmpty() || !sameFile(now.get(), expected)) {
            throw new Refused(from + " changed since it was synced; it is kept where it is");
        }
        Optional<LocalTree.Entry> there = lstat(to);
        if (there.isPresent() && !isSameEntry(from, to)) {
            throw new Refused(to + " is taken here");
        }
        Path target = parentsMade(to);
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target);
        }
    }

    /** Renames an empty folder, only while it is empty and the target is free. */
    public void moveEmptyFolder(String from, String to) throws IOException {
        Path source = resolveChecked(from);
        Optional<LocalTree.Entry> now = lstat(from);
        if (now.isEmpty() || now.get().kind() != LocalTree.Kind.DIRECTORY) {
            throw new Refused(from + " is not a folder here any more");
        }
        try (var entries = Files.list(source)) {
            if (entries.findAny().isPresent()) {
                throw new Refused(from + " is not empty any more");
            }
        }
        if (lstat(to).isPresent()) {
            throw new Refused(to + " is taken here");
        }
        Files.move(source, parentsMade(to), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Puts a finished temporary file in place of {@code rel}, which must still be as {@code expected} (or absent). */
    public void replace(Path tmp, String rel, LocalTree.Entry expected) throws IOException {
        Path target = resolveChecked(rel);
        Optional<LocalTree.Entry> now = lstat(rel);
        if (now.isPresent() && (expected == null || !sameFile(now.get(), expected))) {
            throw new Refused(rel + " changed here while the other version was downloading; it is kept");
        }
        if (now.isEmpty() && expected != null) {
            throw new Refused(rel + " was removed here while the other version was downloading");
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** A new temporary file beside {@code rel}, its parents made and checked. */
    public Path temporaryBeside(String rel) throws IOException {
        Path target = parentsMade(rel);
        return target.resolveSibling(FolderScanner.TEMP_PREFIX + java.util.UUID.randomUUID());
    }

    /**
     * Writes the placeholder of the original at {@code original} (see {@code sync.evict.Placeholder}):
     * a temporary file beside it, fsynced, then renamed over the placeholder's name, so a reader
     * finds the old placeholder or the new one, never half of one. Only a regular file is replaced.
     */
    public void writePlaceholder(String original, byte[] content) throws IOException {
        String name = Placeholder.pathFor(original);
        Path target = parentsMade(name);
        Optional<LocalTree.Entry> there = lstat(name);
        if (there.isPresent() && there.get().kind() != LocalTree.Kind.FILE) {
            throw new Refused(name + " is not a file here; no placeholder is written over it");
        }
        Path tmp = target.resolveSibling(FolderScanner.TEMP_PREFIX + java.util.UUID.randomUUID());
        try {
            try (java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE)) {
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The bytes of the placeholder at {@code placeholderPath}; empty when no regular file of a placeholder's size is there. */
    public Optional<byte[]> readPlaceholder(String placeholderPath) throws IOException {
        Optional<LocalTree.Entry> there = lstat(placeholderPath);
        if (there.isEmpty() || there.get().kind() != LocalTree.Kind.FILE || there.get().size() > Placeholder.MAX_BYTES) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readAllBytes(resolveChecked(placeholderPath)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Removes the placeholder of the original at {@code original}, when it is a regular file; true when one was there. */
    public boolean deletePlaceholder(String original) throws IOException {
        return deletePlaceholderAt(Placeholder.pathFor(original));
    }

    /** Removes the placeholder found at {@code placeholderPath} (a regular file with a placeholder's name); true when one was there. */
    public boolean deletePlaceholderAt(String placeholderPath) throws IOException {
        if (Placeholder.originalOf(placeholderPath).isEmpty()) {
            throw new Refused(placeholderPath + " is not a placeholder's name");
        }
        Optional<LocalTree.Entry> there = lstat(placeholderPath);
        if (there.isEmpty() || there.get().kind() != LocalTree.Kind.FILE) {
            return false;
        }
        return Files.deleteIfExists(resolveChecked(placeholderPath));
    }

    /** Removes the folder {@code rel} and then each parent, while empty and not in {@code kept}; stops at the root. */
    public void pruneEmptyFolders(String rel, java.util.Set<String> kept) throws IOException {
        String folder = rel;
        while (!folder.isEmpty()) {
            if (kept.contains(folder)) {
                return;
            }
            Optional<LocalTree.Entry> e = lstat(folder);
            if (e.isPresent()) {
                if (e.get().kind() != LocalTree.Kind.DIRECTORY) {
                    return;
                }
                try {
                    Files.delete(resolveChecked(folder));
                } catch (DirectoryNotEmptyException notEmpty) {
                    return;
                } catch (NoSuchFileException gone) {
                    // removed meanwhile: go on with its parent
                }
            }
            int slash = folder.lastIndexOf('/');
            folder = slash < 0 ? "" : folder.substring(0, slash);
        }
    }

    private boolean isSameEntry(String a, String b) throws IOException {
        Optional<LocalTree.Entry> x = lstat(a);
        Optional<LocalTree.Entry> y = lstat(b);
        return x.isPresent() && y.isPresent() && Objects.equals(x.get().inode(), y.get().inode()) && x.get().inode() != null
                && !"null".equals(x.get().inode());
    }

    static boolean sameFile(LocalTree.Entry now, LocalTree.Entry expected) {
        return now.kind() == LocalTree.Kind.FILE && expected.kind() == LocalTree.Kind.FILE && now.size() == expected.size()
                && now.mtimeNanos() == expected.mtimeNanos() && Objects.equals(now.inode(), expected.inode());
    }

    private static void checkFolder(Path p, String rel) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new Refused("a folder of " + rel + " disappeared");
        }
        if (a.isSymbolicLink()) {
            throw new Refused("a folder of " + rel + " is a symbolic link here (not followed)");
        }
        if (!a.isDirectory()) {
            throw new Refused("a folder of " + rel + " is a file here");
        }
    }

    private static String[] segments(String rel) throws Refused {
        if (rel == null || rel.isEmpty() || rel.startsWith("/") || rel.indexOf('\0') >= 0) {
            throw new Refused("not a relative path inside the folder: " + rel);
        }
        String[] segments = rel.split("/", -1);
        for (String s : segments) {
            if (s.isEmpty() || s.equals(".") || s.equals("..") || FolderScanner.isReservedName(s)) {
                throw new Refused("not a path the client writes: " + rel);
            }
        }
        return segments;
    }
}
