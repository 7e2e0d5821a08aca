package io.cumulus.ingest.chunks;

import io.cumulus.ingest.resilience.StoreUnavailableException;

/**
 * The blob store could not be reached, or did not answer in time. Nothing was stored or removed by
 * the call that failed; the same call may be retried.
 */
public final class BlobStoreUnavailableException extends StoreUnavailableException {

    public BlobStoreUnavailableException(String message, Throwable cause) {
        super("blobs", message, cause);
    }
}
