package io.cumulus.sync.gc;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import io.cumulus.sync.manifest.ChunkId;

/**
 * What is known about one stored chunk when its deletion is considered, read in one transaction:
 * its reference count and the event time of its last reference delta ({@code gc.chunk_store}; a
 * chunk no delta ever named counts zero and has no such time), when its bytes were stored
 * ({@code ingest.chunks.stored_at}: the subject of a decision is always a catalogued chunk), the
 * last time an account uploaded or a batch referenced it ({@code max(ingest.account_chunks.last_used_at)},
 * none when no account holds it), and whether a batch being committed holds a lock on it.
 */
public record ChunkFacts(
        ChunkId chunkId,
        long refCount,
        Optional<Instant> lastReferencedAt,
        Instant storedAt,
        Optional<Instant> lastUsedAt,
        boolean lockedByCommit) {

    public ChunkFacts {
        Objects.requireNonNull(chunkId, "chunkId");
        Objects.requireNonNull(lastReferencedAt, "lastReferencedAt");
        Objects.requireNonNull(storedAt, "storedAt");
        Objects.requireNonNull(lastUsedAt, "lastUsedAt");
    }

    /** A chunk uploaded at {@code storedAt} that nothing else is known about: no reference, no lock. */
    public static ChunkFacts uploadedOnly(ChunkId chunkId, Instant storedAt) {
        return new ChunkFacts(chunkId, 0, Optional.empty(), storedAt, Optional.empty(), false);
    }

    public ChunkFacts withRefCount(long refCount) {
        return new ChunkFacts(chunkId, refCount, lastReferencedAt, storedAt, lastUsedAt, lockedByCommit);
    }

    public ChunkFacts withLastReferencedAt(Instant at) {
        return new ChunkFacts(chunkId, refCount, Optional.of(at), storedAt, lastUsedAt, lockedByCommit);
    }

    public ChunkFacts withLastUsedAt(Instant at) {
        return new ChunkFacts(chunkId, refCount, lastReferencedAt, storedAt, Optional.of(at), lockedByCommit);
    }

    public ChunkFacts withLockedByCommit(boolean locked) {
        return new ChunkFacts(chunkId, refCount, lastReferencedAt, storedAt, lastUsedAt, locked);
    }
}
