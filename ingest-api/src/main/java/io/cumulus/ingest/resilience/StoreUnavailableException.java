package io.cumulus.ingest.resilience;

/**
 * A store the API needs could not be reached, did not answer in time, or its circuit breaker is
 * open after repeated such failures. Nothing was written by the call that failed, and the same
 * request may be retried: the API answers it with 503 and {@code Retry-After}. Each store's
 * adapter throws it (or a subclass) with the store's name, which the answer carries as
 * {@code store}, so that one handler serves every store.
 */
public class StoreUnavailableException extends RuntimeException {
    private final String store;

    public StoreUnavailableException(String store, String message, Throwable cause) {
        super(message, cause);
        this.store = store;
    }

    /** The store that failed, as its breakers are named: {@code blobs}, {@code postgres}, … */
    public String store() {
        return store;
    }
}
