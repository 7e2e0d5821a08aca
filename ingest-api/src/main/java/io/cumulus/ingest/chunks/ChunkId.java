package io.cumulus.ingest.chunks;

import java.util.regex.Pattern;

/** A chunk's name: the SHA-256 of its bytes as 64 lowercase hex digits. */
public record ChunkId(String hex) {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    public ChunkId {
        if (!isValid(hex)) {
            throw new IllegalArgumentException("a chunk id is 64 lowercase hex digits, was " + hex);
        }
    }

    public static boolean isValid(String hex) {
        return hex != null && HEX.matcher(hex).matches();
    }

    @Override
    public String toString() {
        return hex;
    }
}
