package io.cumulus.ingest.chunks;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/**
 * A delta named a base chunk this account may not read (or no one has): answered like a missing
 * chunk, so it reveals nothing of other accounts' content; the client sends the chunk whole instead.
 */
public final class BaseUnavailableException extends ProblemException {

    public BaseUnavailableException(ChunkId base) {
        super(HttpStatus.UNPROCESSABLE_CONTENT, "delta-base-unavailable", "Delta base unavailable",
                "no chunk " + base.hex() + " for this account to apply a delta to");
        property("baseChunkId", base.hex());
    }
}
