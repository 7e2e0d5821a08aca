package io.cumulus.sync.history;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How long a file's old versions and its trash entry stay restorable. A version stops being current
 * when the next one is written; it is kept for {@link #period()} after that, and the newest
 * {@link #minVersions()} versions of a file are kept however old. A deleted file stays in the trash,
 * all its versions with it, for {@link #period()} after its deletion, and then expires whole. The
 * current version of a live file never expires. Times come from events, never from a clock read
 * here, so the reconciler decides the same expiries on every replay.
 */
public record RetentionPolicy(Duration period, int minVersions) {

    public static final Duration DEFAULT_PERIOD = Duration.ofDays(30);
    public static final int DEFAULT_MIN_VERSIONS = 10;

    public RetentionPolicy {
        Objects.requireNonNull(period, "period");
        if (period.isNegative()) {
            throw new IllegalArgumentException("retention period must not be negative: " + period);
        }
        if (minVersions < 1) {
            throw new IllegalArgumentException("at least one version must be kept, not " + minVersions);
        }
    }

    public static RetentionPolicy defaults() {
        return new RetentionPolicy(DEFAULT_PERIOD, DEFAULT_MIN_VERSIONS);
    }

    /** One entry of a file's history: when it was written and whether it is a deletion. */
    public record Entry(Instant writtenAt, boolean deletion) {
        public Entry {
            Objects.requireNonNull(writtenAt, "writtenAt");
        }
    }

    /**
     * The positions (ascending) of the entries of {@code history} that have expired at {@code now}.
     *
     * @param history a file's retained history, oldest first; the last entry is its current version
     */
    public List<Integer> expired(List<Entry> history, Instant now) {
        List<Integer> expired = new ArrayList<>();
        int n = history.size();
        if (n == 0) {
            return expired;
        }
        Entry last = history.get(n - 1);
        if (last.deletion() && !now.isBefore(last.writtenAt().plus(period))) {
            for (int i = 0; i < n; i++) {
                expired.add(i);
            }
            return expired;
        }
        for (int i = 0; i < n - minVersions; i++) {
            if (!now.isBefore(history.get(i + 1).writtenAt().plus(period))) {
                expired.add(i);
            }
        }
        return expired;
    }

    /**
     * The next instant after {@code now} at which an entry of {@code history} may expire, if any: the
     * end of the trash period of a deleted file, or the end of the retention of the oldest version
     * that is still kept for its age alone.
     */
    public Optional<Instant> nextExpiry(List<Entry> history, Instant now) {
        int n = history.size();
        if (n == 0) {
            return Optional.empty();
        }
        Entry last = history.get(n - 1);
        if (last.deletion()) {
            Instant end = last.writtenAt().plus(period);
            return now.isBefore(end) ? Optional.of(end) : Optional.empty();
        }
        Optional<Instant> next = Optional.empty();
        for (int i = 0; i < n - 1; i++) {
            Instant end = history.get(i + 1).writtenAt().plus(period);
            if (now.isBefore(end) && (next.isEmpty() || end.isBefore(next.get()))) {
                next = Optional.of(end);
            }
        }
        return next;
    }
}
