package io.cumulus.ingest.changes;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;

/**
 * Change batches submitted to {@code POST /v1/changes}, by what the intake answered, as
 * {@code cumulus_intake_batches_total{result=...}}: {@code accepted} (a new batch, 202),
 * {@code repeated} (a retry of an accepted one, the same 202) and {@code refused} (any 4xx or 503:
 * bad input, a missing chunk, the quota, the pipeline behind, a store away). The success rate's
 * numerator and denominator. In Micrometer's global registry, which the process's registry joins.
 */
final class BatchCounts {
    static final Counter ACCEPTED = counter("accepted");
    static final Counter REPEATED = counter("repeated");
    static final Counter REFUSED = counter("refused");

    private BatchCounts() {
    }

    /** Registers the counts's meters at zero, so a scrape shows them before the first event. */
    static void register() {
        // loading this class registered them
    }

    private static Counter counter(String result) {
        return Counter.builder("cumulus.intake.batches").tag("result", result)
                .description("Change batches submitted, by the intake's answer: accepted, repeated (a retry), refused")
                .register(Metrics.globalRegistry);
    }
}
