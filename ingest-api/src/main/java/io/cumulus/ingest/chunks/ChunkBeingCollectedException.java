package io.cumulus.ingest.chunks;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/**
 * The garbage collector is deleting this chunk (its row is marked {@code deleting}): it cannot be
 * uploaded again until the collector has forgotten it, which takes moments. Nothing was stored or
 * acknowledged; the same upload succeeds when retried after {@code Retry-After}.
 */
public final class ChunkBeingCollectedException extends ProblemException {

    public ChunkBeingCollectedException(ChunkId id) {
        super(HttpStatus.SERVICE_UNAVAILABLE, "chunk-being-collected", "Chunk being collected",
                "chunk " + id.hex() + " is being deleted as garbage; upload it again in a moment");
        property("chunkId", id.hex());
    }

    @Override
    public HttpHeaders headers() {
        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.RETRY_AFTER, "1");
        return headers;
    }
}
