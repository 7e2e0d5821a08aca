package io.cumulus.ingest.chunks;

import java.io.InputStream;
import java.util.Iterator;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;

/**
 * A blob store behind three circuit breakers, one each for writes ({@code put}, {@code delete}),
 * reads ({@code open}, {@code list}) and lookups ({@code exists}), named {@code blobs-put},
 * {@code blobs-get} and {@code blobs-stat} in the registry (whose metrics are exported); a listing is
 * one call from its start to its end, however many pages it reads. Only a store that is unavailable
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

    @Override
    public Stream<StoredBlob> list() {
        if (!get.tryAcquirePermission()) {
            throw circuitOpen(get, null);
        }
        long start = get.getCurrentTimestamp();
        Stream<StoredBlob> listing;
        try {
            listing = store.list();
        } catch (RuntimeException e) {
            get.onError(get.getCurrentTimestamp() - start, get.getTimestampUnit(), e);
            throw e;
        }
        RecordedListing recorded = new RecordedListing(listing.iterator(), get, start);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(recorded, Spliterator.NONNULL), false)
                .onClose(() -> {
                    recorded.abandon();
                    listing.close();
                });
    }

    /** Reports a listing's outcome to its breaker once: a success when it ends, a failure when a page fails. */
    private static final class RecordedListing implements Iterator<StoredBlob> {
        private final Iterator<StoredBlob> listing;
        private final CircuitBreaker breaker;
        private final long start;
        private boolean recorded;

        RecordedListing(Iterator<StoredBlob> listing, CircuitBreaker breaker, long start) {
            this.listing = listing;
            this.breaker = breaker;
            this.start = start;
        }

        @Override
        public boolean hasNext() {
            try {
                boolean more = listing.hasNext();
                if (!more && !recorded) {
                    recorded = true;
                    breaker.onSuccess(elapsed(), breaker.getTimestampUnit());
                }
                return more;
            } catch (RuntimeException e) {
                failed(e);
                throw e;
            }
        }

        @Override
        public StoredBlob next() {
            try {
                return listing.next();
            } catch (RuntimeException e) {
                failed(e);
                throw e;
            }
        }

        /** A listing closed before its end says nothing about the store: its permission is handed back. */
        void abandon() {
            if (!recorded) {
                recorded = true;
                breaker.releasePermission();
            }
        }

        private void failed(RuntimeException e) {
            if (!recorded) {
                recorded = true;
                breaker.onError(elapsed(), breaker.getTimestampUnit(), e);
            }
        }

        private long elapsed() {
            return breaker.getCurrentTimestamp() - start;
        }
    }

    private static BlobStoreUnavailableException circuitOpen(CircuitBreaker breaker, CallNotPermittedException cause) {
        return new BlobStoreUnavailableException("the blob store's " + breaker.getName()
                + " circuit is open after repeated failures; retry shortly", cause);
    }

    private static <T> T guarded(CircuitBreaker breaker, Supplier<T> call) {
        try {
            return breaker.executeSupplier(call);
        } catch (CallNotPermittedException e) {
            throw circuitOpen(breaker, e);
        }
    }
}
