package io.cumulus.ingest.backpressure;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The intake's gate (docs/decisions/0020): every endpoint through which a device submits a batch
 * calls {@link #admit()} before it reads the request, and gets a {@link PipelineBusyException} (503,
 * {@code Retry-After}) while the {@link PipelineLag} is past a bound of the {@link BackPressureSettings}:
 * the oldest undecided batch older than {@code maxLag}, or more than {@code maxPendingChanges} changes
 * undecided. Submissions the server makes itself (the merge worker's) do not pass here: they are
 * counted in the lag, never refused.
 *
 * <h2>What an operator sees</h2>
 * One WARN line when refusing starts and one INFO line with the count when it ends, never a line per
 * refused request. Metrics: {@code cumulus_intake_undecided_oldest_seconds},
 * {@code cumulus_intake_undecided_changes}, {@code cumulus_intake_undecided_batches} (gauges) and
 * {@code cumulus_intake_refused_total} (a counter).
 */
public final class BackPressure {
    private static final Logger log = LoggerFactory.getLogger(BackPressure.class);

    private final PipelineLag lag;
    private final BackPressureSettings settings;
    private final Counter refusals;
    private volatile boolean refusing;
    private long refusedSinceStart;
    private long startedNanos;

    public BackPressure(PipelineLag lag, BackPressureSettings settings, MeterRegistry meters) {
        this.lag = lag;
        this.settings = settings;
        this.refusals = Counter.builder("cumulus.intake.refused")
                .description("Batch submissions refused with 503 because the pipeline was behind").register(meters);
        Gauge.builder("cumulus.intake.undecided.oldest", lag, l -> l.snapshot().oldest().toNanos() / 1e9)
                .baseUnit("seconds")
                .description("Age of the oldest batch this instance accepted that the reconciler has not decided")
                .register(meters);
        Gauge.builder("cumulus.intake.undecided.changes", lag, l -> l.snapshot().changes())
                .description("Changes of the batches this instance accepted that the reconciler has not decided")
                .register(meters);
        Gauge.builder("cumulus.intake.undecided.batches", lag, l -> l.snapshot().batches())
                .description("Batches this instance accepted that the reconciler has not decided")
                .register(meters);
    }

    /** @throws PipelineBusyException while the pipeline is past a bound (and back-pressure is enabled) */
    public void admit() {
        PipelineLag.Snapshot now = lag.snapshot();
        if (!settings.enabled() || !pastBound(now)) {
            if (refusing) {
                endRefusing(now);
            }
            return;
        }
        refusals.increment();
        long retryAfter = retryAfterSeconds(now.oldest(), settings.maxLag());
        startOrCountRefusing(now, retryAfter);
        throw new PipelineBusyException(now, retryAfter);
    }

    private boolean pastBound(PipelineLag.Snapshot now) {
        return now.oldest().compareTo(settings.maxLag()) > 0 || now.changes() > settings.maxPendingChanges();
    }

    /**
     * How long a refused device should wait: how far the oldest undecided batch is past the bound,
     * rounded up to whole seconds, at least 1 (a refusal for the count alone, or just past the bound,
     * comes back in a second, so the pipeline never runs dry while devices wait) and at most the bound
     * itself (however long a stalled stage kept the lag growing, devices come back within one bound of
     * its recovery).
     */
    static long retryAfterSeconds(Duration oldest, Duration maxLag) {
        long most = Math.max(1, ceilSeconds(maxLag));
        long beyond = ceilSeconds(oldest.minus(maxLag));
        return Math.min(most, Math.max(1, beyond));
    }

    private static long ceilSeconds(Duration d) {
        if (d.isNegative() || d.isZero()) {
            return 0;
        }
        long millis = d.toMillis();
        return (millis + 999) / 1000;
    }

    private synchronized void startOrCountRefusing(PipelineLag.Snapshot now, long retryAfter) {
        refusedSinceStart++;
        if (!refusing) {
            refusing = true;
            startedNanos = System.nanoTime();
            log.warn("intake refusing batches, pipeline behind oldestUndecided={}ms undecidedChanges={} undecidedBatches={} "
                    + "maxLag={} maxPendingChanges={} retryAfter={}s", now.oldest().toMillis(), now.changes(), now.batches(),
                    settings.maxLag(), settings.maxPendingChanges(), retryAfter);
        }
    }

    private synchronized void endRefusing(PipelineLag.Snapshot now) {
        if (!refusing) {
            return;
        }
        refusing = false;
        log.info("intake accepting batches again refused={} refusingFor={}ms oldestUndecided={}ms undecidedChanges={}",
                refusedSinceStart, (System.nanoTime() - startedNanos) / 1_000_000, now.oldest().toMillis(), now.changes());
        refusedSinceStart = 0;
    }
}
