package io.cumulus.client.sync.evict;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import io.cumulus.client.scan.FolderScanner;
import io.cumulus.client.state.LocalState.SyncedFile;
import io.cumulus.sync.hash.Sha256;
import io.cumulus.sync.manifest.ChunkRef;
import io.cumulus.sync.manifest.Manifest;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The small file that stands for an evicted original: {@code dir/.NAME.cumulus-cloud} for
 * {@code dir/NAME}, as iCloud Drive leaves {@code .NAME.icloud}. It is JSON that says which file it
 * stands for (path, file id, size, the version and a digest of its content) and how to bring it
 * back. It is never uploaded.
 *
 * <h2>What is trusted</h2>
 * Nothing in it directs a write: the original's path comes from the placeholder's own place and
 * name, and what is fetched comes from the folder's state. {@link #decode} refuses a placeholder
 * whose JSON names another path (another folder, {@code ..}, an absolute path) or is not ours.
 */
public record Placeholder(String path, String fileId, long size, long seq, SortedMap<String, Long> vector, String content,
                          Instant evictedAt) {
    public static final String SUFFIX = ".cumulus-cloud";
    /** Larger files with a placeholder's name are not read as placeholders (one is a few hundred bytes). */
    public static final int MAX_BYTES = 64 * 1024;
    private static final int FORMAT = 1;
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** A placeholder that cannot be read as one: why. */
    public static final class Unreadable extends Exception {
        public Unreadable(String message) {
            super(message);
        }
    }

    /** The placeholder for a synced file evicted at {@code at}. */
    public static Placeholder of(SyncedFile f, Instant at) {
        return new Placeholder(f.path(), f.fileId(), f.manifest().size(), f.seq(), f.vector().entries(), contentOf(f.manifest()), at);
    }

    /** A digest of a version's content: the SHA-256 of its chunk ids, in order, each with its size. */
    public static String contentOf(Manifest manifest) {
        MessageDigest digest = Sha256.newDigest();
        for (ChunkRef r : manifest.chunks()) {
            digest.update((r.id().value() + ":" + r.size() + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        return Sha256.hex(digest);
    }

    /** The placeholder's path for the original at {@code original}: {@code dir/.NAME.cumulus-cloud}. */
    public static String pathFor(String original) {
        int slash = original.lastIndexOf('/');
        return original.substring(0, slash + 1) + "." + original.substring(slash + 1) + SUFFIX;
    }

    /**
     * The original a placeholder path stands for; empty when the path's name is not exactly
     * {@code .NAME.cumulus-cloud} with a NAME that a synced file could have (then it is an
     * ordinary file, however much it looks like one).
     */
    public static Optional<String> originalOf(String placeholderPath) {
        int slash = placeholderPath.lastIndexOf('/');
        String name = placeholderPath.substring(slash + 1);
        if (!name.startsWith(".") || !name.endsWith(SUFFIX) || name.length() <= 1 + SUFFIX.length()) {
            return Optional.empty();
        }
        String original = name.substring(1, name.length() - SUFFIX.length());
        if (original.equals(".") || original.equals("..") || FolderScanner.isReservedName(original)
                || original.startsWith(FolderScanner.FOLDER_MARKER) || isPlaceholderName(original)) {
            return Optional.empty();
        }
        return Optional.of(placeholderPath.substring(0, slash + 1) + original);
    }

    /** Whether a file name is a placeholder's (see {@link #originalOf}). */
    public static boolean isPlaceholderName(String name) {
        return name.indexOf('/') < 0 && originalOf(name).isPresent();
    }

    /** The bytes written to disk; the same placeholder always encodes to the same bytes. */
    public byte[] encode() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cumulusPlaceholder", FORMAT);
        m.put("about", "This file stands for '" + path + "', whose original is kept on the server to save space here.");
        m.put("bringBack", "cumulus fetch '" + path + "' (or: cumulus open '" + path + "'); deleting this file deletes the file");
        m.put("path", path);
        m.put("fileId", fileId);
        m.put("size", size);
        m.put("seq", seq);
        m.put("vector", vector);
        m.put("content", content);
        m.put("evictedAt", evictedAt.toString());
        return (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Reads the placeholder found at {@code placeholderPath}; refused unless it is ours and stands for that place. */
    public static Placeholder decode(String placeholderPath, byte[] bytes) throws Unreadable {
        Optional<String> original = originalOf(placeholderPath);
        if (original.isEmpty()) {
            throw new Unreadable("not a placeholder's name");
        }
        Placeholder p = decode(bytes);
        if (!p.path().equals(original.get())) {
            throw new Unreadable("it names another path (" + p.path() + ") than its own place (" + original.get() + ")");
        }
        return p;
    }

    /**
     * Reads a placeholder wherever it is (one renamed by hand names its old place); refused unless it
     * is ours and names a relative path inside the folder.
     */
    public static Placeholder decode(byte[] bytes) throws Unreadable {
        if (bytes.length > MAX_BYTES) {
            throw new Unreadable("larger than a placeholder");
        }
        JsonNode n;
        try {
            n = JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
        } catch (JacksonException e) {
            throw new Unreadable("not JSON");
        }
        if (n == null || !n.isObject() || !n.path("cumulusPlaceholder").isInt() || n.path("cumulusPlaceholder").asInt() != FORMAT) {
            throw new Unreadable("not a Cumulus placeholder");
        }
        String path = text(n, "path");
        if (path.startsWith("/") || path.contains("\\") || path.indexOf('\0') >= 0 || ("/" + path + "/").contains("/../")
                || ("/" + path + "/").contains("/./") || path.contains("//") || path.endsWith("/")) {
            throw new Unreadable("it names a path outside the folder: " + path);
        }
        if (!n.path("size").canConvertToLong() || !n.path("seq").canConvertToLong() || !n.path("vector").isObject()) {
            throw new Unreadable("a field is missing or of the wrong kind");
        }
        SortedMap<String, Long> vector = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : n.path("vector").properties()) {
            if (!e.getValue().canConvertToLong()) {
                throw new Unreadable("a version counter is not a number");
            }
            vector.put(e.getKey(), e.getValue().asLong());
        }
        try {
            return new Placeholder(path, text(n, "fileId"), n.path("size").asLong(), n.path("seq").asLong(), vector, text(n, "content"),
                    Instant.parse(text(n, "evictedAt")));
        } catch (DateTimeParseException e) {
            throw new Unreadable("evictedAt is not a time");
        }
    }

    private static String text(JsonNode n, String field) throws Unreadable {
        JsonNode v = n.path(field);
        if (!v.isString() || v.asString().isEmpty()) {
            throw new Unreadable("'" + field + "' is missing or not a text");
        }
        return v.asString();
    }
}
