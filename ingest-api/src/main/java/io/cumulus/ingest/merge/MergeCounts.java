package io.cumulus.ingest.merge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;

/**
 * What the merge worker did with conflicted copies, as {@code cumulus_merges_total{result=...}}:
 * {@code merged} (the merged version was submitted and the copy deleted), {@code kept-both} (it did
 * not merge: the copy stays beside the original, released to the devices when it was hidden) and
 * {@code failed} (an attempt failed on an error and will be tried again). A copy handled again (a
 * redelivery, another worker) is not counted twice: only batches the attempt created count. The
 * counters live in Micrometer's global registry, which the process's registry joins.
 */
final class MergeCounts {
    static final Counter MERGED = counter("merged");
    static final Counter KEPT_BOTH = counter("kept-both");
    static final Counter FAILED = counter("failed");

    private MergeCounts() {
    }

    /** Registers the counts's meters at zero, so a scrape shows them before the first event. */
    static void register() {
        // loading this class registered them
    }

    static void count(ConflictMerger.Attempt attempt) {
        switch (attempt) {
            case ConflictMerger.Submitted s when s.created() -> MERGED.increment();
            case ConflictMerger.Released r when r.created() -> KEPT_BOTH.increment();
            case ConflictMerger.Skipped s -> KEPT_BOTH.increment();
            default -> {
                // a duplicate of an attempt counted already, or nothing to do yet
            }
        }
    }

    private static Counter counter(String result) {
        return Counter.builder("cumulus.merges").tag("result", result)
                .description("Conflicted copies of text files the merge worker merged, kept beside the original, or failed on")
                .register(Metrics.globalRegistry);
    }
}
