package io.cumulus.ingest.gc;

import java.time.Duration;
import java.util.Objects;

import io.cumulus.sync.gc.GracePeriod;
import io.cumulus.sync.gc.SweepInterval;

/**
 * How the chunk collector runs: whether at all ({@code cumulus.gc.enabled}), the grace period of the
 * deletion rule ({@code cumulus.gc.grace}, {@link GracePeriod}: a day by default, a second at least),
 * the pause between two sweeps ({@code cumulus.gc.interval}, {@link SweepInterval}: a minute by
 * default), and how many candidates one sweep looks at (the next sweep takes the rest).
 */
public record GcSettings(boolean enabled, Duration grace, Duration interval, int candidatesPerSweep) {
    public static final int DEFAULT_CANDIDATES_PER_SWEEP = 1000;

    public GcSettings {
        Objects.requireNonNull(grace, "grace");
        Objects.requireNonNull(interval, "interval");
        GracePeriod.require(grace);
        SweepInterval.require(interval);
        if (candidatesPerSweep < 1) {
            throw new IllegalArgumentException("candidatesPerSweep must be positive, was " + candidatesPerSweep);
        }
    }

    /** From the texts an operator writes: {@code 24h}, {@code 1s}, {@code PT24H}; {@code 1m}, {@code 200ms}. */
    public static GcSettings of(boolean enabled, String grace, String interval) {
        return new GcSettings(enabled, GracePeriod.parse(grace), SweepInterval.parse(interval), DEFAULT_CANDIDATES_PER_SWEEP);
    }

}
