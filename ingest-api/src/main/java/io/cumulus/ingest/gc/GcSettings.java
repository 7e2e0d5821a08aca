package io.cumulus.ingest.gc;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.cumulus.sync.gc.GracePeriod;

/**
 * How the chunk collector runs: whether at all ({@code cumulus.gc.enabled}), the grace period of the
 * deletion rule ({@code cumulus.gc.grace}, {@link GracePeriod}: a day by default, a second at least),
 * the pause between two sweeps ({@code cumulus.gc.interval}, a minute by default), and how many
 * candidates one sweep looks at (the next sweep takes the rest).
 */
public record GcSettings(boolean enabled, Duration grace, Duration interval, int candidatesPerSweep) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
    public static final Duration MINIMUM_INTERVAL = Duration.ofMillis(100);
    public static final int DEFAULT_CANDIDATES_PER_SWEEP = 1000;

    private static final Pattern NUMBER_AND_UNIT = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h)");

    public GcSettings {
        Objects.requireNonNull(grace, "grace");
        Objects.requireNonNull(interval, "interval");
        GracePeriod.require(grace);
        if (interval.compareTo(MINIMUM_INTERVAL) < 0) {
            throw new IllegalArgumentException("the collector's interval must be at least " + MINIMUM_INTERVAL.toMillis()
                    + " ms, was " + interval);
        }
        if (candidatesPerSweep < 1) {
            throw new IllegalArgumentException("candidatesPerSweep must be positive, was " + candidatesPerSweep);
        }
    }

    /** From the texts an operator writes: {@code 24h}, {@code 1s}, {@code PT24H}; {@code 1m}, {@code 200ms}. */
    public static GcSettings of(boolean enabled, String grace, String interval) {
        return new GcSettings(enabled, GracePeriod.parse(grace), parseInterval(interval), DEFAULT_CANDIDATES_PER_SWEEP);
    }

    public static GcSettings defaults() {
        return new GcSettings(false, GracePeriod.DEFAULT, DEFAULT_INTERVAL, DEFAULT_CANDIDATES_PER_SWEEP);
    }

    /** The pause between sweeps: a whole number and {@code ms}, {@code s}, {@code m} or {@code h}, or ISO-8601. */
    public static Duration parseInterval(String text) {
        String value = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        Matcher m = NUMBER_AND_UNIT.matcher(value);
        Duration interval;
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            interval = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        } else {
            try {
                interval = Duration.parse(value.toUpperCase(Locale.ROOT));
            } catch (RuntimeException e) {
                String shown = value.length() > 40 ? value.substring(0, 40) + "…" : value;
                throw new IllegalArgumentException("the collector's interval '" + shown + "' is not a duration: write a"
                        + " whole number followed by ms, s, m or h (e.g. 1m, 200ms), or an ISO-8601 duration", e);
            }
        }
        if (interval.compareTo(MINIMUM_INTERVAL) < 0) {
            throw new IllegalArgumentException("the collector's interval must be at least " + MINIMUM_INTERVAL.toMillis()
                    + " ms, was " + text);
        }
        return interval;
    }

    public GcSettings withCandidatesPerSweep(int n) {
        return new GcSettings(enabled, grace, interval, n);
    }
}
