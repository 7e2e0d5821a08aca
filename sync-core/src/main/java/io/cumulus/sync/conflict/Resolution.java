package io.cumulus.sync.conflict;

import java.util.Locale;

/** What happens when two devices change the same file concurrently. */
public enum Resolution {
    /**
     * Three-way merge against the common ancestor when all three versions are text within the size
     * limit; a clean merge becomes a new version, anything else keeps both.
     */
    MERGE,
    /** The change later in log order wins the path; the other is kept as a conflicted copy. */
    LAST_WRITER_WINS,
    /** The stored version keeps the path; the concurrent one is kept as a conflicted copy. */
    KEEP_BOTH;

    /** The configuration spelling: {@code merge}, {@code last-writer-wins}, {@code keep-both}. */
    public String spelling() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses a configuration spelling; throws {@link IllegalArgumentException} naming the valid ones. */
    public static Resolution parse(String spelling) {
        for (Resolution r : values()) {
            if (r.spelling().equals(spelling.trim().toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown conflict resolution '" + spelling
                + "'; expected merge, last-writer-wins or keep-both");
    }
}
