package io.cumulus.ingest.syncstate;

import io.cumulus.ingest.resilience.StoreUnavailableException;

/**
 * The sync state store could not be reached, did not answer in time, or its circuit is open. The
 * API answers 503 with {@code Retry-After}; nothing was written by the call that failed, or what was
 * written (a cursor) is safe to write again.
 */
public final class SyncStateUnavailableException extends StoreUnavailableException {

    public SyncStateUnavailableException(String message, Throwable cause) {
        super("cassandra", message, cause);
    }
}
