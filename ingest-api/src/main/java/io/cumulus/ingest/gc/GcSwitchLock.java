package io.cumulus.ingest.gc;

import io.cumulus.ingest.IngestDatabase;

/**
 * The live {@code gc} schema's switch lock (chunk-gc-worker's {@code GcSchema.lockShared}: the same key,
 * since services share no code), taken shared by every write to
 * {@code gc.chunk_store} from this module (fsck's repairs, the collector's forgetting), as the reference
 * counter takes it: a rebuild's switch to a new generation takes it exclusively, so no such write commits
 * into the old generation between the switch's catch-up and its rename, and a write that waited resolves
 * {@code gc} afresh, to the new generation.
 */
final class GcSwitchLock {
    /** {@code GcSchema.SWITCH_LOCK + GcSchema.NAME}. */
    static final String KEY = "cumulus-generation:gc";

    private GcSwitchLock() {
    }

    /** Takes the lock shared until the end of the current transaction; call first in the transaction. */
    static void takeShared(IngestDatabase db) {
        db.jdbc().sql("SELECT 1 FROM pg_advisory_xact_lock_shared(hashtextextended(?, 0))")
                .param(KEY)
                .query(Integer.class).single();
    }
}
