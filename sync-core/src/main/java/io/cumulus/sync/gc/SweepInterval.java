package io.cumulus.sync.gc;

import java.time.Duration;

/**
 * Reads the pause between two sweeps of the chunk collector that an operator configures, written
 * like the grace period ({@code 1m}, {@code 30s}, {@code PT1M}) or in milliseconds ({@code 200ms}),
 * since tests sweep several times a second. Never below 100 milliseconds: a shorter pause would keep
 * the database busy with sweeps that find nothing new.
 */
public final class SweepInterval {
    public static final Duration MINIMUM = Duration.ofMillis(100);

    /** @throws IllegalArgumentException naming the value and the accepted forms, or the minimum */
    public static Duration parse(String text) {
        return DurationText.parse(text, "the sweep interval", "1m, 200ms", MINIMUM, "100ms");
    }

    /** @throws IllegalArgumentException when the interval is shorter than {@link #MINIMUM} */
    public static Duration require(Duration interval) {
        return DurationText.atLeast(interval, "the sweep interval", MINIMUM, "100ms");
    }

    private SweepInterval() {
    }
}
