package io.cumulus.ingest.chunks;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** A delta upload that does not apply to its base (truncated, out of bounds, over the size limit); nothing was stored. */
public final class BadDeltaException extends ProblemException {

    public BadDeltaException(ChunkId id, ChunkId base, String reason) {
        super(HttpStatus.BAD_REQUEST, "bad-delta", "Bad delta",
                "the delta for chunk " + id.hex() + " does not apply to base " + base.hex() + ": " + reason);
        property("chunkId", id.hex());
        property("baseChunkId", base.hex());
    }
}
