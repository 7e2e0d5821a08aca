package io.cumulus.ingest.chunks;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** Uploaded bytes whose SHA-256 is not the chunk id they were sent under; nothing was stored. */
public final class HashMismatchException extends ProblemException {

    public HashMismatchException(ChunkId expected, String actual) {
        super(HttpStatus.BAD_REQUEST, "hash-mismatch", "Hash mismatch",
                "the uploaded bytes hash to " + actual + ", not to " + expected);
        property("chunkId", expected.hex());
        property("actualSha256", actual);
    }
}
