package io.cumulus.client.scan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.cumulus.client.state.LocalState;
import io.cumulus.client.sync.evict.Placeholder;

/**
 * Walks a synced folder and lists its regular files with what tells a changed file from an
 * unchanged one (size, modification time, inode). Never follows a symbolic link, skips the state
 * directory, the client's own temporary files, the placeholders of evicted files (listed apart)
 * and whatever {@code .cumulusignore} excludes, and reports (rather than fails on) what it cannot read.
 */
public final class FolderScanner {
    /** Prefix of the client's temporary files; a file so named is never uploaded. */
    public static final String TEMP_PREFIX = ".cumulus-tmp-";
    public static final String IGNORE_FILE = ".cumulusignore";
    /**
     * Name of the entry that stands for an empty folder on the server (which knows only files): a
     * change to {@code dir/.cumulusdir} creates or removes the folder {@code dir}, never a file.
     * A file so named on disk is reserved and never uploaded.
     */
    public static final String FOLDER_MARKER = ".cumulusdir";

    /** A regular file as found on disk; {@code path} is relative to the folder, '/'-separated. */
    public record LocalFile(String path, long size, long mtimeNanos, String inode) {
    }

    /** Something the scan passed over, and why. */
    public record Skipped(String path, String reason) {
    }

    /**
     * {@code emptyFolders}: folders (relative paths) holding nothing that is synced; {@code tree}:
     * everything found, links and special files included, for the planner; {@code placeholders}: the
     * placeholders of evicted files found ({@code dir/.NAME.cumulus-cloud}, see {@code sync.evict}),
     * which are never among the files.
     */
    public record Scan(Map<String, LocalFile> files, List<Skipped> skipped, java.util.Set<String> emptyFolders, LocalTree tree,
                       java.util.Set<String> placeholders) {
        public Scan(Map<String, LocalFile> files, List<Skipped> skipped, java.util.Set<String> emptyFolders, LocalTree tree) {
            this(files, skipped, emptyFolders, tree, java.util.Set.of());
        }
    }

    /** Whether a name is the client's own: its state directory, a temporary download. Such names are never synced. */
    public static boolean isReservedName(String name) {
        return name.equalsIgnoreCase(LocalState.STATE_DIR) || name.startsWith(TEMP_PREFIX);
    }

    /** Whether a synced path stands for an empty folder rather than a file. */
    public static boolean isFolderMarker(String path) {
        int slash = path.lastIndexOf('/');
        return path.substring(slash + 1).startsWith(FOLDER_MARKER);
    }

    /** The folder a marker stands for ("" for the root). */
    public static String markedFolder(String markerPath) {
        int slash = markerPath.lastIndexOf('/');
        return slash < 0 ? "" : markerPath.substring(0, slash);
    }

    private FolderScanner() {
    }

    public static Scan scan(Path root) throws IOException {
        return scan(root, java.util.Set.of());
    }

    /**
     * As {@link #scan(Path)}, passing over the folders {@code excluded} (relative paths): the shares
     * mounted in a home folder, which their own syncers keep (decision 0030). Like a folder the scan
     * cannot see into, what they hold is unknown to this scan, never gone.
     */
    public static Scan scan(Path root, java.util.Set<String> excluded) throws IOException {
        IgnoreRules ignore = ignoreRules(root);
        LocalTree tree = new LocalTree(caseInsensitive(root));
        Map<String, LocalFile> files = new TreeMap<>();
        List<Skipped> skipped = new ArrayList<>();
        java.util.Set<String> emptyFolders = new java.util.TreeSet<>();
        java.util.Set<String> placeholders = new java.util.TreeSet<>();
        java.util.Deque<int[]> entries = new java.util.ArrayDeque<>(); // per open folder: how many synced entries it holds
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (!dir.equals(root)) {
                    String rel = relative(root, dir);
                    tree.put(LocalTree.Entry.directory(rel));
                    if (rel.equals(LocalState.STATE_DIR)) {
                        tree.markUnscanned(rel);
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    entries.peek()[0]++; // whatever it holds, its parent is not empty
                    if (excluded.contains(rel)) {
                        tree.markUnscanned(rel);
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    if (isReservedName(dir.getFileName().toString())) {
                        // Another client's state directory (a synced folder inside this one), or a look-alike: never synced.
                        skipped.add(new Skipped(rel, "reserved name (the client's own)"));
                        tree.markUnscanned(rel);
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    if (ignore.ignored(rel, true)) {
                        tree.markUnscanned(rel);
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                }
                entries.push(new int[1]);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                int[] count = entries.pop();
                if (count[0] == 0 && !dir.equals(root)) {
                    emptyFolders.add(relative(root, dir));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String rel = relative(root, file);
                String name = file.getFileName().toString();
                tree.put(attrs.isSymbolicLink() ? LocalTree.Entry.link(rel)
                        : attrs.isRegularFile() ? LocalTree.Entry.file(rel, attrs.size(), attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS),
                                String.valueOf(attrs.fileKey()))
                        : attrs.isDirectory() ? LocalTree.Entry.directory(rel)
                        : new LocalTree.Entry(rel, LocalTree.Kind.OTHER, 0, 0, null));
                if (!entries.isEmpty()) {
                    entries.peek()[0]++; // an ignored or temporary file still makes its folder not empty on disk
                }
                if (name.startsWith(TEMP_PREFIX) || name.startsWith(FOLDER_MARKER)) {
                    return FileVisitResult.CONTINUE;
                }
                if (Placeholder.isPlaceholderName(name)) {
                    // It stands for an evicted original and is never sent, whatever the ignore rules say.
                    if (attrs.isRegularFile()) {
                        placeholders.add(rel);
                    }
                    return FileVisitResult.CONTINUE;
                }
                if (ignore.ignored(rel, false)) {
                    return FileVisitResult.CONTINUE;
                }
                if (isReservedName(name)) {
                    skipped.add(new Skipped(rel, "reserved name (the client's own)"));
                    return FileVisitResult.CONTINUE;
                }
                if (attrs.isSymbolicLink()) {
                    skipped.add(new Skipped(rel, "symbolic link (not followed)"));
                } else if (attrs.isRegularFile()) {
                    if (!Files.isReadable(file)) {
                        skipped.add(new Skipped(rel, "permission denied"));
                    } else {
                        files.put(rel, new LocalFile(rel, attrs.size(), attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS),
                                String.valueOf(attrs.fileKey())));
                    }
                } else {
                    skipped.add(new Skipped(rel, "not a regular file"));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                tree.put(new LocalTree.Entry(relative(root, file), LocalTree.Kind.OTHER, 0, 0, null));
                tree.markUnscanned(relative(root, file));
                String reason = e instanceof AccessDeniedException ? "permission denied" : e.toString();
                skipped.add(new Skipped(relative(root, file), reason));
                if (!entries.isEmpty()) {
                    entries.peek()[0]++; // not readable, so not known to be empty
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return new Scan(files, skipped, emptyFolders, tree, placeholders);
    }

    /**
     * Whether the folder's file system folds case (macOS and Windows by default): probed once per
     * scan with a file in the state directory, whose upper-case name then finds it.
     */
    static boolean caseInsensitive(Path root) {
        Path dir = root.resolve(LocalState.STATE_DIR);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Path probe = dir.resolve("case-probe");
        try {
            if (!Files.exists(probe, LinkOption.NOFOLLOW_LINKS)) {
                Files.createFile(probe);
            }
            return Files.exists(dir.resolve("CASE-PROBE"), LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return false; // cannot tell: the planner then treats names as distinct, and executors still check before acting
        }
    }

    /** The attributes of one file, not following links; null when it is not a regular file any more. */
    public static LocalFile stat(Path root, String path) throws IOException {
        Path file = root.resolve(path);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attrs.isRegularFile()) {
            return null;
        }
        return new LocalFile(path, attrs.size(), attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS), String.valueOf(attrs.fileKey()));
    }

    private static IgnoreRules ignoreRules(Path root) throws IOException {
        Path file = root.resolve(IGNORE_FILE);
        return Files.isRegularFile(file) ? IgnoreRules.parse(Files.readString(file, StandardCharsets.UTF_8)) : IgnoreRules.none();
    }

    /** A path under the root as the server names it: relative, '/'-separated. */
    public static String relativePath(Path root, Path p) {
        return relative(root, p);
    }

    static String relative(Path root, Path p) {
        Path rel = root.relativize(p);
        StringBuilder b = new StringBuilder();
        for (Path segment : rel) {
            if (!b.isEmpty()) {
                b.append('/');
            }
            b.append(segment);
        }
        return b.toString();
    }
}
