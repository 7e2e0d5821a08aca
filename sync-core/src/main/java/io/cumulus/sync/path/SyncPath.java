package io.cumulus.sync.path;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A path inside a namespace, exactly as the device sent it: '/'-separated segments, relative,
 * never normalised (a Mac's NFD name stays NFD here; collisions are checked on {@link #key()}).
 * Constructing one validates it, so a {@code SyncPath} is always storable. A valid path may
 * still be unusable on some systems, chiefly Windows: {@link #nonPortableReasons()} says why,
 * and clients decide what to do with such names.
 */
public record SyncPath(String value) {

    /** Limits of common file systems (ext4, APFS, NTFS names; Linux PATH_MAX), in UTF-8 bytes. */
    public static final int MAX_SEGMENT_BYTES = 255;
    public static final int MAX_PATH_BYTES = 4096;

    /**
     * The client's own state folder in every synced folder. Syncing it would copy one device's
     * database and tokens onto the others, so no path may name it, in any case or normalisation form
     * (macOS and Windows folders match names that way).
     */
    public static final String STATE_DIR_NAME = ".cumulus";
    /** The prefix of the client's temporary files, which it writes beside their targets and never syncs. */
    public static final String TEMP_PREFIX = ".cumulus-tmp-";

    private static final String WINDOWS_RESERVED_CHARACTERS = "<>:\"\\|?*";
    private static final Set<String> WINDOWS_DEVICE_NAMES = Set.of(
            "CON", "PRN", "AUX", "NUL",
            "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
            "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9");

    /** @throws InvalidPathException when the path breaks one of the rules (see {@link InvalidPathException#reason()}) */
    public SyncPath {
        validate(value);
    }

    /** The path as sent, validated. */
    public static SyncPath parse(String raw) {
        return new SyncPath(raw);
    }

    public List<String> segments() {
        return List.of(value.split("/", -1));
    }

    /** The last segment: the file or folder name. */
    public String name() {
        return value.substring(value.lastIndexOf('/') + 1);
    }

    /** The folder holding this entry: {@code ""} at the top level, else {@code "a/b"}. */
    public String parent() {
        int slash = value.lastIndexOf('/');
        return slash < 0 ? "" : value.substring(0, slash);
    }

    /** The collision identity of this path (NFC, case-folded). */
    public PathKey key() {
        return PathKey.of(value);
    }

    /** Why this path cannot be created as-is on every major platform; empty when it can. */
    public List<String> nonPortableReasons() {
        List<String> reasons = new ArrayList<>();
        for (String segment : segments()) {
            addNonPortableReasons(segment, reasons);
        }
        return List.copyOf(reasons);
    }

    public boolean portable() {
        return nonPortableReasons().isEmpty();
    }

    @Override
    public String toString() {
        return value;
    }

    private static void validate(String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidPathException("empty", "a path cannot be empty");
        }
        if (value.charAt(0) == '/') {
            throw new InvalidPathException("absolute", "a path must be relative to its namespace, without a leading '/'");
        }
        int pathBytes = 0;
        int segmentStart = 0;
        int segmentBytes = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\0') {
                throw new InvalidPathException("nul-character", "a path cannot contain a NUL character (at index " + i + ")");
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                // A pair is one code point of 4 UTF-8 bytes.
                i++;
                pathBytes += 4;
                segmentBytes += 4;
            } else if (Character.isSurrogate(c)) {
                // It has no UTF-8 encoding: it would be stored as '?' and no longer be the name sent.
                throw new InvalidPathException("unpaired-surrogate", "a path cannot contain an unpaired UTF-16 surrogate (at index " + i + ")");
            } else if (c == '/') {
                checkSegment(value.substring(segmentStart, i), segmentBytes);
                pathBytes += 1;
                segmentStart = i + 1;
                segmentBytes = 0;
            } else {
                int bytes = c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
                pathBytes += bytes;
                segmentBytes += bytes;
            }
        }
        checkSegment(value.substring(segmentStart), segmentBytes);
        if (pathBytes > MAX_PATH_BYTES) {
            throw new InvalidPathException("path-too-long",
                    "a path can have at most " + MAX_PATH_BYTES + " UTF-8 bytes, this one has " + pathBytes);
        }
    }

    private static void checkSegment(String segment, int utf8Bytes) {
        if (segment.isEmpty()) {
            throw new InvalidPathException("empty-segment", "a path cannot contain an empty segment ('//' or a trailing '/')");
        }
        if (segment.equals(".") || segment.equals("..")) {
            throw new InvalidPathException("dot-segment", "a path cannot contain a '" + segment + "' segment");
        }
        if (utf8Bytes > MAX_SEGMENT_BYTES) {
            throw new InvalidPathException("segment-too-long",
                    "a path segment can have at most " + MAX_SEGMENT_BYTES + " UTF-8 bytes, one has " + utf8Bytes);
        }
        if (reserved(segment)) {
            throw new InvalidPathException("reserved-name", "'" + printable(segment) + "' is reserved for the client's own files ('"
                    + STATE_DIR_NAME + "' and names starting with '" + TEMP_PREFIX + "', in any case)");
        }
    }

    /**
     * Whether the segment is the client's state folder or one of its temporary files as a
     * case-insensitive file system sees it: NFC, case-folded, and (as Windows does) without trailing
     * dots and spaces. The folder marker {@code .cumulusdir} and other names that merely start with
     * {@code .cumulus} stay valid.
     */
    static boolean reserved(String segment) {
        if (segment.length() < STATE_DIR_NAME.length() || segment.charAt(0) != '.') {
            return false; // no folding turns a name not starting with '.' into one that does
        }
        String key = PathKey.of(segment).value();
        int end = key.length();
        while (end > 0 && (key.charAt(end - 1) == '.' || key.charAt(end - 1) == ' ')) {
            end--;
        }
        return key.substring(0, end).equals(STATE_DIR_NAME) || key.startsWith(TEMP_PREFIX);
    }

    private static void addNonPortableReasons(String segment, List<String> reasons) {
        segment.chars()
                .filter(c -> WINDOWS_RESERVED_CHARACTERS.indexOf(c) >= 0)
                .distinct()
                .forEach(c -> reasons.add("'" + segment + "' contains '" + (char) c + "', which Windows does not allow in names"));
        segment.chars()
                .filter(c -> c >= 0x01 && c <= 0x1F)
                .distinct()
                .forEach(c -> reasons.add("'" + printable(segment) + "' contains the control character U+"
                        + String.format(Locale.ROOT, "%04X", c) + ", which Windows does not allow in names"));
        // Windows ignores the extension (and trailing spaces) when matching device names: "con.txt" is CON.
        int dot = segment.indexOf('.');
        String base = (dot < 0 ? segment : segment.substring(0, dot)).stripTrailing();
        if (WINDOWS_DEVICE_NAMES.contains(base.toUpperCase(Locale.ROOT))) {
            reasons.add("'" + segment + "' is the reserved Windows device name " + base.toUpperCase(Locale.ROOT));
        }
        char last = segment.charAt(segment.length() - 1);
        if (last == '.' || last == ' ') {
            reasons.add("'" + segment + "' ends with " + (last == '.' ? "a dot" : "a space") + ", which Windows strips from names");
        }
    }

    /** The segment with control characters shown as \\uXXXX, so a reason stays readable in a log or UI. */
    private static String printable(String segment) {
        StringBuilder out = new StringBuilder(segment.length());
        segment.chars().forEach(c -> {
            if (c < 0x20) {
                out.append(String.format(Locale.ROOT, "\\u%04X", c));
            } else {
                out.append((char) c);
            }
        });
        return out.toString();
    }
}
