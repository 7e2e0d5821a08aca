package io.cumulus.ingest.chunks;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/**
 * A chunk this account has neither uploaded nor referenced. It is the same answer whether or not
 * someone else stored it, so no one can probe for other people's content.
 */
public final class ChunkNotFoundException extends ProblemException {

    public ChunkNotFoundException(String chunkId) {
        super(HttpStatus.NOT_FOUND, "chunk-not-found", "Chunk not found", "no chunk " + chunkId + " for this account");
    }
}
