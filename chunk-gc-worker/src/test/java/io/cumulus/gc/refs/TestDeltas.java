package io.cumulus.gc.refs;

import java.util.UUID;

import io.cumulus.schemas.ChunkRefDelta;

/** Builders of chunk-refs records for the tests. */
final class TestDeltas {
    static final long T0 = 1_760_000_000_000L;

    /** A chunk id made of one repeated hex digit or a label hashed to 64 hex digits. */
    static String chunk(String label) {
        return label.length() == 1 ? label.repeat(64) : sha256(label);
    }

    static ChunkRefDelta.Builder aDelta(String chunkId, int delta, long at) {
        return ChunkRefDelta.newBuilder()
                .setChunkId(chunkId)
                .setNamespaceId(UUID.nameUUIDFromBytes(chunkId.getBytes()).toString())
                .setFileId("f-" + chunkId.substring(0, 8))
                .setSeq(1)
                .setDelta(delta)
                .setAt(at);
    }

    private static String sha256(String label) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(label.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private TestDeltas() {
    }
}
