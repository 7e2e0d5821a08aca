package io.cumulus.ingest.chunks;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** Something sent as a chunk id that is not 64 lowercase hex digits. */
public final class InvalidChunkIdException extends ProblemException {

    public InvalidChunkIdException(String given) {
        super(HttpStatus.BAD_REQUEST, "invalid-chunk-id", "Invalid chunk id",
                "a chunk id is the SHA-256 of the chunk as 64 lowercase hex digits, not '" + abbreviated(given) + "'");
    }

    public static ChunkId parse(String given) {
        if (!ChunkId.isValid(given)) {
            throw new InvalidChunkIdException(given);
        }
        return new ChunkId(given);
    }

    private static String abbreviated(String s) {
        return s == null ? "null" : s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
