package io.cumulus.client.sync.plan;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.cumulus.client.scan.FolderScanner;
import io.cumulus.sync.path.InvalidPathException;
import io.cumulus.sync.path.SyncPath;

/**
 * Which server paths this device can hold on its disk: a path the server accepted may still be
 * too long for this file system, reserved by this operating system, or one of the client's own
 * names. Such an entry is skipped with the reason, never written.
 */
public record LocalNames(int maxNameBytes, int maxPathBytes, boolean windows, java.nio.charset.Charset fileNameCharset) {

    public LocalNames(int maxNameBytes, int maxPathBytes, boolean windows) {
        this(maxNameBytes, maxPathBytes, windows, StandardCharsets.UTF_8);
    }

    /** Limits for a folder at {@code root} on this machine (ext4, APFS and NTFS names: 255 bytes; Linux PATH_MAX: 4096). */
    public static LocalNames forFolder(Path root) {
        boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
        int rootBytes = root.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8).length + 1;
        // File names are bytes in the JVM's file name encoding (sun.jnu.encoding): under a C or POSIX locale that is
        // ASCII, and a name it cannot encode cannot be created at all.
        java.nio.charset.Charset names;
        try {
            names = java.nio.charset.Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException unknown) {
            names = StandardCharsets.UTF_8;
        }
        return new LocalNames(255, Math.max(0, 4095 - rootBytes), windows, names);
    }

    /** Why a path cannot be written here; empty when it can. */
    public Optional<String> problem(String path) {
        if (path == null) {
            return Optional.of("the server sent no path");
        }
        SyncPath valid;
        try {
            valid = SyncPath.parse(path);
        } catch (InvalidPathException e) {
            return Optional.of("not a valid path (" + e.getMessage() + ")");
        }
        List<String> segments = valid.segments();
        for (int i = 0; i < segments.size(); i++) {
            String segment = segments.get(i);
            boolean last = i == segments.size() - 1;
            if (FolderScanner.isReservedName(segment) || !last && segment.startsWith(FolderScanner.FOLDER_MARKER)) {
                return Optional.of("'" + segment + "' is a name the client keeps for itself");
            }
            if (last && io.cumulus.client.sync.evict.Placeholder.isPlaceholderName(segment)) {
                return Optional.of("'" + segment + "' is the name of a placeholder for an evicted file here");
            }
            int bytes = segment.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > maxNameBytes) {
                return Optional.of("the name '" + abbreviated(segment) + "' has " + bytes + " bytes, more than this file system's "
                        + maxNameBytes);
            }
        }
        int pathBytes = path.getBytes(StandardCharsets.UTF_8).length;
        if (pathBytes > maxPathBytes) {
            return Optional.of("the path has " + pathBytes + " bytes, more than fit under this folder (" + maxPathBytes + ")");
        }
        if (!fileNameCharset.newEncoder().canEncode(path)) {
            return Optional.of("the name cannot be written in this system's file name encoding (" + fileNameCharset.name()
                    + "; set a UTF-8 locale)");
        }
        if (windows && !valid.portable()) {
            return Optional.of(String.join("; ", valid.nonPortableReasons()));
        }
        return Optional.empty();
    }

    private static String abbreviated(String name) {
        return name.length() <= 40 ? name : name.substring(0, 20) + "…" + name.substring(name.length() - 12);
    }
}
