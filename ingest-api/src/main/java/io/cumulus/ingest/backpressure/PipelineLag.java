package io.cumulus.ingest.backpressure;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batches this API instance accepted that the reconciler has not decided yet, each with when it
 * was accepted and how many changes it holds: how far behind the pipeline is, as seen from here.
 *
 * <h2>Who tells it what</h2>
 * The intake adds a batch when its accepting transaction creates one (a retry of an accepted batch
 * adds nothing), before that transaction commits, so that the batch's outcome, which only exists
 * after the commit, always finds it; a transaction that then fails withdraws it. The process's reader
 * of {@code cumulus.outcomes.v1} (the notifier's) removes a batch when the outcome of its last change
 * arrives: the reconciler decides a batch's changes in order and emits their outcomes in one
 * transaction, so the last one means the whole batch is decided.
 *
 * <h2>Only while someone watches</h2>
 * Nothing would ever be removed without a reader of the outcomes, so batches are counted only between
 * {@link #watching()} (the reader is positioned: every outcome produced from then on reaches it) and
 * {@link #notWatching()}. A batch whose outcome never arrives (a record nobody could read) is
 * forgotten after {@code forgetAfter}, so that it cannot hold the intake shut for longer.
 *
 * <p>Batches are kept in the order they were accepted, so the first one is the oldest. Every method
 * is synchronized: a few thousand calls a second at most, each a map operation.
 */
public final class PipelineLag {
    private static final Logger log = LoggerFactory.getLogger(PipelineLag.class);

    /** What is undecided at one moment: how many batches and changes, and how long ago the oldest was accepted. */
    public record Snapshot(int batches, long changes, Duration oldest) {
        public static final Snapshot NONE = new Snapshot(0, 0, Duration.ZERO);
    }

    private record Undecided(long acceptedAtNanos, int changes) {
    }

    private final Duration forgetAfter;
    private final LongSupplier nanoClock;
    private final LinkedHashMap<UUID, Undecided> undecided = new LinkedHashMap<>();
    private long changes;
    private boolean watched;

    public PipelineLag(Duration forgetAfter) {
        this(forgetAfter, System::nanoTime);
    }

    PipelineLag(Duration forgetAfter, LongSupplier nanoClock) {
        if (forgetAfter.isNegative() || forgetAfter.isZero()) {
            throw new IllegalArgumentException("forgetAfter must be positive, was " + forgetAfter);
        }
        this.forgetAfter = forgetAfter;
        this.nanoClock = nanoClock;
    }

    /** A reader of the outcomes is positioned: every outcome produced from now on will be {@link #decided}. */
    public synchronized void watching() {
        watched = true;
    }

    /** The reader stopped: nothing counted could be removed any more, so nothing is counted. */
    public synchronized void notWatching() {
        watched = false;
        undecided.clear();
        changes = 0;
    }

    public synchronized boolean watched() {
        return watched;
    }

    /** A batch of {@code changeCount} changes is being accepted (its transaction has not committed yet). */
    public synchronized void accepted(UUID batchId, int changeCount) {
        if (!watched || changeCount < 1) {
            return;
        }
        long now = nanoClock.getAsLong();
        forgetOlderThan(now);
        Undecided previous = undecided.put(batchId, new Undecided(now, changeCount));
        if (previous != null) {
            changes -= previous.changes(); // a batch id is made once; counted twice it would never leave the count
        }
        changes += changeCount;
    }

    /** The batch's accepting transaction did not commit: no outcome will come for it. */
    public synchronized void withdrawn(UUID batchId) {
        remove(batchId);
    }

    /** The reconciler's outcome of change {@code changeIndex} of a batch was read; the batch is decided with its last change. */
    public synchronized void decided(UUID batchId, int changeIndex) {
        Undecided batch = undecided.get(batchId);
        if (batch != null && changeIndex >= batch.changes() - 1) {
            remove(batchId);
        }
    }

    public synchronized Snapshot snapshot() {
        long now = nanoClock.getAsLong();
        forgetOlderThan(now);
        if (undecided.isEmpty()) {
            return Snapshot.NONE;
        }
        Undecided oldest = undecided.values().iterator().next();
        return new Snapshot(undecided.size(), changes, Duration.ofNanos(Math.max(0, now - oldest.acceptedAtNanos())));
    }

    private void remove(UUID batchId) {
        Undecided batch = undecided.remove(batchId);
        if (batch != null) {
            changes -= batch.changes();
        }
    }

    private void forgetOlderThan(long now) {
        long limit = forgetAfter.toNanos();
        int forgotten = 0;
        for (Iterator<Map.Entry<UUID, Undecided>> i = undecided.entrySet().iterator(); i.hasNext(); ) {
            Undecided batch = i.next().getValue();
            if (now - batch.acceptedAtNanos() <= limit) {
                break; // in acceptance order: every later one is younger
            }
            i.remove();
            changes -= batch.changes();
            forgotten++;
        }
        if (forgotten > 0) {
            log.warn("undecided batches forgotten, no outcome seen batches={} forgetAfter={}", forgotten, forgetAfter);
        }
    }
}
