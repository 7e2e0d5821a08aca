package io.cumulus.ingest.chunks;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** An upload longer than a chunk may be; nothing was stored. */
public final class ChunkTooLargeException extends ProblemException {

    public ChunkTooLargeException(long maxBytes) {
        super(HttpStatus.CONTENT_TOO_LARGE, "chunk-too-large", "Chunk too large",
                "a chunk can have at most " + maxBytes + " bytes");
        property("limitBytes", maxBytes);
    }
}
