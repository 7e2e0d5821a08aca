package io.cumulus.sync.manifest;

/**
 * The id of a chunk: the SHA-256 of its bytes as 64 lowercase hex digits. Content addressing
 * makes uploads idempotent and storage deduplicated; the lowercase form is the only one
 * accepted so that one chunk never has two spellings in keys, URLs or database rows.
 */
public record ChunkId(String value) {

    public static final int HEX_LENGTH = 64;

    /** @throws IllegalArgumentException unless the value is 64 lowercase hex digits */
    public ChunkId {
        if (value == null || value.length() != HEX_LENGTH) {
            throw new IllegalArgumentException("a chunk id is 64 lowercase hex digits, was " + describe(value));
        }
        for (int i = 0; i < HEX_LENGTH; i++) {
            char c = value.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                throw new IllegalArgumentException("a chunk id is 64 lowercase hex digits, was " + describe(value));
            }
        }
    }

    public static ChunkId of(String value) {
        return new ChunkId(value);
    }

    @Override
    public String toString() {
        return value;
    }

    private static String describe(String value) {
        if (value == null) {
            return "null";
        }
        // Ids arrive from clients: never echo an unbounded string into a message.
        return value.length() <= HEX_LENGTH + 8 ? "'" + value + "'" : "a string of " + value.length() + " chars";
    }
}
