package io.cumulus.ingest.backpressure;

import java.time.Duration;
import java.util.Objects;

import org.springframework.boot.convert.DurationStyle;

/**
 * When the intake refuses batches because the pipeline is behind (docs/decisions/0020): whether at
 * all ({@code cumulus.backpressure.enabled}, on by default), the age the oldest undecided batch may
 * reach ({@code cumulus.backpressure.max-lag}, 10 s, at least 100 ms) and how many changes may wait
 * undecided ({@code cumulus.backpressure.max-pending-changes}, 5,000, at least 1). Off, the lag is
 * still measured and exported; nothing is refused.
 */
public record BackPressureSettings(boolean enabled, Duration maxLag, long maxPendingChanges) {
    public static final Duration DEFAULT_MAX_LAG = Duration.ofSeconds(10);
    public static final long DEFAULT_MAX_PENDING_CHANGES = 5_000;
    public static final Duration MINIMUM_MAX_LAG = Duration.ofMillis(100);
    /** How long an undecided batch is kept at least, whatever the bound: an outcome may be lost, a stage stalled. */
    static final Duration FORGET_AFTER = Duration.ofMinutes(5);

    public BackPressureSettings {
        Objects.requireNonNull(maxLag, "maxLag");
        if (maxLag.compareTo(MINIMUM_MAX_LAG) < 0) {
            throw new IllegalArgumentException("the maximum lag must be at least 100ms, was " + maxLag);
        }
        if (maxPendingChanges < 1) {
            throw new IllegalArgumentException("the maximum of pending changes must be at least 1, was " + maxPendingChanges);
        }
    }

    public static BackPressureSettings defaults() {
        return new BackPressureSettings(true, DEFAULT_MAX_LAG, DEFAULT_MAX_PENDING_CHANGES);
    }

    /**
     * Reads a maximum lag as Spring reads {@code cumulus.backpressure.max-lag}: a whole number and a
     * unit ({@code 10s}, {@code 500ms}, {@code 1m}) or ISO-8601 ({@code PT10S}); at least 100 ms.
     *
     * @throws IllegalArgumentException naming the value and the accepted forms
     */
    public static Duration parseMaxLag(String text) {
        Duration lag;
        try {
            lag = DurationStyle.detectAndParse(text == null ? "" : text.strip());
        } catch (IllegalArgumentException e) {
            String shown = text == null ? "" : text.length() <= 40 ? text : text.substring(0, 40) + "…";
            throw new IllegalArgumentException("the maximum lag '" + shown + "' is not a duration: write a whole number"
                    + " followed by ms, s or m (e.g. 10s, 500ms), or an ISO-8601 duration (e.g. PT10S)", e);
        }
        if (lag.compareTo(MINIMUM_MAX_LAG) < 0) {
            throw new IllegalArgumentException("the maximum lag must be at least 100ms, was '" + text + "'");
        }
        return lag;
    }

    /**
     * How long an undecided batch is counted before it is forgotten: five minutes, or three times the
     * bound when that is longer, so that forgetting never lifts a refusal the bound still calls for.
     */
    public Duration forgetAfter() {
        Duration threeBounds = maxLag.multipliedBy(3);
        return threeBounds.compareTo(FORGET_AFTER) > 0 ? threeBounds : FORGET_AFTER;
    }
}
