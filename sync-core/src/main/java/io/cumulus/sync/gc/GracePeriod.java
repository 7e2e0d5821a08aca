package io.cumulus.sync.gc;

import java.time.Duration;

/**
 * Reads the grace period an operator configures: how long a chunk nothing references must also have
 * gone unreferenced and un-uploaded before it may be deleted. It covers the time between a device
 * uploading chunks and committing the batch that uses them, and any delta still on its way, so it is
 * a day by default; tests shorten it to seconds. Written as a number and a unit ({@code 24h},
 * {@code 90m}, {@code 30s}, {@code 7d}) or in ISO-8601 ({@code PT24H}); never below one second.
 */
public final class GracePeriod {
    public static final Duration DEFAULT = Duration.ofHours(24);
    public static final Duration MINIMUM = Duration.ofSeconds(1);

    /** @throws IllegalArgumentException naming the value and the accepted forms */
    public static Duration parse(String text) {
        return DurationText.parse(text, "the grace period", "24h, 30s", MINIMUM, "1 second");
    }

    /** @throws IllegalArgumentException when the period is shorter than {@link #MINIMUM} */
    public static Duration require(Duration duration) {
        return DurationText.atLeast(duration, "the grace period", MINIMUM, "1 second");
    }

    private GracePeriod() {
    }
}
