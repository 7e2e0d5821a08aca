package io.cumulus.sync.conflict;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Which {@link Resolution} applies to a file, by the extension of its path (case-insensitive), and
 * the limits of a text merge. A file whose extension no rule names gets {@link Resolution#MERGE},
 * which merges only content that turns out to be text, so an unknown binary is still kept whole.
 * Immutable; the same path always gets the same answer, which keeps reconciliation deterministic.
 */
public final class ConflictPolicy {
    /** Text larger than this is never merged: both versions are kept. */
    public static final long DEFAULT_TEXT_LIMIT = 4L * 1024 * 1024;

    private static final String TEXT = "txt text md markdown rst adoc org tex csv tsv json yaml yml toml ini cfg conf "
            + "properties env xml html htm css scss js mjs ts tsx jsx java kt scala go rs c h cc cpp hpp cs py rb php pl "
            + "sh bash zsh fish sql gradle lua r swift m vue svelte";
    private static final String OFFICE = "doc docx docm dot dotx xls xlsx xlsm ppt pptx pps ppsx odt ods odp odg "
            + "pages numbers key rtf vsdx pub one";
    private static final String BINARY = "jpg jpeg png gif heic heif webp tif tiff bmp raw cr2 cr3 nef arw dng orf rw2 "
            + "psd ai eps svgz mov mp4 m4v avi mkv webm mp3 m4a aac flac wav ogg opus pdf zip gz tgz bz2 xz 7z rar tar "
            + "jar war exe dll so dylib bin iso dmg img sqlite db class o a woff woff2 ttf otf ico";

    private final Map<String, Resolution> byExtension;
    private final long textLimit;

    private ConflictPolicy(Map<String, Resolution> byExtension, long textLimit) {
        this.byExtension = Map.copyOf(byExtension);
        this.textLimit = textLimit;
    }

    /** Text merged, office documents last writer wins, photos, media, archives and other binaries kept both. */
    public static ConflictPolicy defaults() {
        Map<String, Resolution> rules = new TreeMap<>();
        put(rules, TEXT, Resolution.MERGE);
        put(rules, OFFICE, Resolution.LAST_WRITER_WINS);
        put(rules, BINARY, Resolution.KEEP_BOTH);
        return new ConflictPolicy(rules, DEFAULT_TEXT_LIMIT);
    }

    /**
     * The defaults overridden by {@code spec}: comma-separated {@code ext=resolution} pairs, such as
     * {@code "log=keep-both, drawio=merge"}. A blank spec gives the defaults.
     *
     * @throws IllegalArgumentException naming the malformed pair
     */
    public static ConflictPolicy parse(String spec) {
        ConflictPolicy policy = defaults();
        if (spec == null || spec.isBlank()) {
            return policy;
        }
        for (String pair : spec.split(",")) {
            int eq = pair.indexOf('=');
            if (eq < 1 || pair.substring(0, eq).isBlank()) {
                throw new IllegalArgumentException("conflict rule '" + pair.trim() + "' is not ext=resolution");
            }
            policy = policy.with(pair.substring(0, eq), Resolution.parse(pair.substring(eq + 1)));
        }
        return policy;
    }

    /** This policy with {@code extension} (without its dot) resolved by {@code resolution}. */
    public ConflictPolicy with(String extension, Resolution resolution) {
        Map<String, Resolution> rules = new TreeMap<>(byExtension);
        rules.put(normalise(extension), Objects.requireNonNull(resolution, "resolution"));
        return new ConflictPolicy(rules, textLimit);
    }

    /** This policy with another size limit for text merges. */
    public ConflictPolicy withTextLimit(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("text limit must not be negative: " + bytes);
        }
        return new ConflictPolicy(byExtension, bytes);
    }

    /** The resolution for a file at {@code path}. */
    public Resolution forPath(String path) {
        return byExtension.getOrDefault(extensionOf(path), Resolution.MERGE);
    }

    /** The largest file size a text merge reads. */
    public long textLimit() {
        return textLimit;
    }

    /**
     * Whether {@code content} may be merged as text: within the limit, valid UTF-8, and free of NUL
     * bytes (which UTF-8 text never holds but most binary formats do).
     */
    public boolean isMergeableText(byte[] content) {
        if (content.length > textLimit) {
            return false;
        }
        for (byte b : content) {
            if (b == 0) {
                return false;
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** The lower-cased extension of the path's last segment, "" when it has none ({@code .bashrc} has none). */
    static String extensionOf(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
    }

    private static String normalise(String extension) {
        String e = extension.trim().toLowerCase(Locale.ROOT);
        return e.startsWith(".") ? e.substring(1) : e;
    }

    private static void put(Map<String, Resolution> rules, String extensions, Resolution resolution) {
        for (String e : extensions.split(" ")) {
            rules.put(e, resolution);
        }
    }
}
