package io.cumulus.schemas;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;

/**
 * The sync duration people feel: from a batch's acceptance by the intake until its outcome is decided
 * ({@code until="applied"}) and until the other devices are told ({@code until="pushed"}), exported as
 * {@code cumulus_sync_duration_seconds{until=...}}. Both are measured where the outcomes and events
 * are read (the notifier), from the acceptance time every record carries, so they cover the whole
 * pipeline in whichever processes its stages run. The buckets are the service levels a dashboard and
 * an alert ask about (docs/metrics.md), so their quantiles are exact at those bounds. Like
 * {@link PipelineStages}, the timers live in Micrometer's global registry, which each process's
 * registry joins. Durations across machines need their clocks in step (NTP); a negative one counts as zero.
 */
public final class SyncDuration {
    /** The service levels: the target is well under a second on one machine. */
    static final Duration[] BUCKETS = {Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};

    /** Accepted by the intake until the reconciler's outcome is read: once per batch. */
    public static final Timer UNTIL_APPLIED = timer("applied");
    /** Accepted by the intake until the notifier pushed the change to the devices: once per record pushed. */
    public static final Timer UNTIL_PUSHED = timer("pushed");

    private SyncDuration() {
    }

    /** Registers the timers at zero, so a scrape shows them before the first batch. */
    public static void register() {
        // loading this class registered them
    }

    private static Timer timer(String until) {
        return Timer.builder("cumulus.sync.duration")
                .description("Time from a batch's acceptance until its outcome is decided (applied) or pushed to devices (pushed)")
                .tag("until", until)
                .serviceLevelObjectives(BUCKETS)
                .register(Metrics.globalRegistry);
    }

    /** Records the time from a batch's acceptance ({@code acceptedAtEpochMillis}, from its records) until now. */
    public static void since(Timer timer, long acceptedAtEpochMillis) {
        timer.record(Math.max(0, System.currentTimeMillis() - acceptedAtEpochMillis), TimeUnit.MILLISECONDS);
    }
}
