package io.cumulus.sync.gc;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;


/**
 * Whether a stored chunk may be deleted: only when no retained version references it (count zero)
 * AND nothing referenced, uploaded or used it within the grace period, AND no commit holds it. A time
 * exactly one grace period old is still within it; a time in the future (clocks that disagree) is
 * recent. A negative count never deletes anything: it means the count is wrong.
 *
 * <p>Pure: the caller gathers the {@link ChunkFacts} and the time (the database's {@code now()} is
 * the natural clock, since {@code stored_at} and {@code last_used_at} come from it) and acts on the
 * answer. The decision is necessary, not sufficient: the deleting side still has to take the facts
 * and act on them under the locks that keep a commit from using the chunk meanwhile.
 */
public sealed interface GcDecision permits GcDecision.Keep, GcDecision.Delete {

    /** Keep the chunk, for this reason. */
    record Keep(KeepReason reason) implements GcDecision {
        public Keep {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Nothing needs the chunk: it may be deleted. */
    record Delete() implements GcDecision {
    }

    /** @throws IllegalArgumentException when the grace period is shorter than a second */
    static GcDecision decide(ChunkFacts facts, Instant now, Duration grace) {
        Objects.requireNonNull(facts, "facts");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(grace, "grace");
        GracePeriod.require(grace);
        if (facts.refCount() < 0) {
            return new Keep(KeepReason.NEGATIVE_COUNT);
        }
        if (facts.refCount() > 0) {
            return new Keep(KeepReason.REFERENCED);
        }
        if (facts.lockedByCommit()) {
            return new Keep(KeepReason.LOCKED_BY_COMMIT);
        }
        Instant cutoff = now.minus(grace);
        if (within(facts.lastReferencedAt(), cutoff)) {
            return new Keep(KeepReason.RECENTLY_REFERENCED);
        }
        if (within(Optional.of(facts.storedAt()), cutoff)) {
            return new Keep(KeepReason.RECENTLY_UPLOADED);
        }
        if (within(facts.lastUsedAt(), cutoff)) {
            return new Keep(KeepReason.RECENTLY_USED);
        }
        return new Delete();
    }

    /** Whether the decision is to delete. */
    default boolean deletes() {
        return this instanceof Delete;
    }

    private static boolean within(Optional<Instant> time, Instant cutoff) {
        return time.isPresent() && !time.get().isBefore(cutoff);
    }
}
