package io.cumulus.ingest.chunks;

import java.io.InputStream;
import java.util.Optional;
import java.util.function.Supplier;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;

/**
 * A blob store behind three circuit breakers, one each for writes ({@code put}, {@code delete}),
 * reads ({@code open}) and lookups ({@code exists}), named {@code blobs-put}, {@code blobs-get} and
 * {@code blobs-stat} in the registry (whose metrics are exported). Only a store that is unavailable
 * counts as a failure: a chunk refused for its content does not. While a breaker is open its calls
 * fail at once with {@link BlobStoreUnavailableException}, which the API answers with 503 and
 * {@code Retry-After}; after {@code openFor} a few calls probe the store again, and the breaker
 * closes when they succeed.
 */
public final class GuardedBlobStore implements BlobStore {
    private final BlobStore store;
    private final CircuitBreaker put;
    private final CircuitBreaker get;
    private final CircuitBreaker stat;

    public GuardedBlobStore(BlobStore store, CircuitBreakerRegistry registry) {
        this.store = store;
        this.put = registry.circuitBreaker("blobs-put");
        this.get = registry.circuitBreaker("blobs-get");
        this.stat = registry.circuitBreaker("blobs-stat");
    }

    public CircuitBreaker.State state(String breaker) {
        return switch (breaker) {
            case "put" -> put.getState();
            case "get" -> get.getState();
            case "stat" -> stat.getState();
            default -> throw new IllegalArgumentException("no breaker " + breaker);
        };
    }

    @Override
    public long put(ChunkId id, InputStream content, long maxBytes) {
        return guarded(put, () -> store.put(id, content, maxBytes));
    }

    @Override
    public Optional<InputStream> open(ChunkId id) {
        return guarded(get, () -> store.open(id));
    }

    @Override
    public Optional<InputStream> open(ChunkId id, long offset, long length) {
        return guarded(get, () -> store.open(id, offset, length));
    }

    @Override
    public boolean exists(ChunkId id) {
        return guarded(stat, () -> store.exists(id));
    }

    @Override
    public boolean delete(ChunkId id) {
        return guarded(put, () -> store.delete(id));
    }

    private static <T> T guarded(CircuitBreaker breaker, Supplier<T> call) {
        try {
            return breaker.executeSupplier(call);
        } catch (CallNotPermittedException e) {
            throw new BlobStoreUnavailableException("the blob store's " + breaker.getName()
                    + " circuit is open after repeated failures; retry shortly", e);
        }
    }
}
