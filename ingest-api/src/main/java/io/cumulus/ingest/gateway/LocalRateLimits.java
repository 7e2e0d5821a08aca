package io.cumulus.ingest.gateway;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;

/**
 * {@link RateLimits} in this process's memory: for a single instance, when no Redis is configured,
 * and as the stand-in while a configured Redis cannot be reached.
 *
 * <h2>Bounded memory</h2>
 * A bucket that has not been used for its limit's whole refill period is full again, exactly as a
 * new bucket would be, so forgetting it changes no answer. Every {@code sweepEvery} (and every second
 * while the map holds more than {@code sweepAbove} buckets) the buckets idle for that long are dropped; the
 * map holds only the keys seen within the last refill period of their limit.
 */
public final class LocalRateLimits implements RateLimits {
    private static final Duration SWEEP_EVERY = Duration.ofMinutes(1);
    private static final int SWEEP_ABOVE = 100_000;

    private record Key(Limit limit, String key) {
    }

    /** A bucket and when it was last used, in the time meter's nanoseconds. */
    private static final class Entry {
        final Bucket bucket;
        volatile long lastUsed;

        Entry(Bucket bucket, long now) {
            this.bucket = bucket;
            this.lastUsed = now;
        }
    }

    private final LimitSettings settings;
    private final TimeMeter time;
    private final long sweepEveryNanos;
    private final int sweepAbove;
    private final Map<Key, Entry> buckets = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep;

    public LocalRateLimits(LimitSettings settings) {
        this(settings, TimeMeter.SYSTEM_NANOTIME, SWEEP_EVERY, SWEEP_ABOVE);
    }

    LocalRateLimits(LimitSettings settings, TimeMeter time, Duration sweepEvery, int sweepAbove) {
        this.settings = settings;
        this.time = time;
        this.sweepEveryNanos = sweepEvery.toNanos();
        this.sweepAbove = sweepAbove;
        this.lastSweep = new AtomicLong(time.currentTimeNanos());
    }

    @Override
    public void take(Limit limit, String key) {
        long now = time.currentTimeNanos();
        sweepIfDue(now);
        Entry entry = buckets.computeIfAbsent(new Key(limit, key), k -> new Entry(newBucket(settings.rate(limit)), now));
        entry.lastUsed = now;
        ConsumptionProbe probe = entry.bucket.tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            throw new TooManyRequestsException(limit, retryAfterSeconds(probe.getNanosToWaitForRefill()));
        }
    }

    @Override
    public void giveBack(Limit limit, String key) {
        Entry entry = buckets.get(new Key(limit, key));
        if (entry != null) {
            entry.bucket.addTokens(1);
        }
    }

    /** How many buckets are held: for tests of the bound. */
    int size() {
        return buckets.size();
    }

    private void sweepIfDue(long now) {
        long last = lastSweep.get();
        long elapsed = now - last;
        // Past the size bound a sweep comes sooner, but at most once a second: a sweep walks every bucket.
        boolean due = elapsed >= sweepEveryNanos || (buckets.size() > sweepAbove && elapsed >= 1_000_000_000L);
        if (!due || !lastSweep.compareAndSet(last, now)) {
            return;
        }
        buckets.entrySet().removeIf(e -> now - e.getValue().lastUsed >= settings.rate(e.getKey().limit()).per().toNanos());
    }

    private Bucket newBucket(LimitSettings.Rate rate) {
        return Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(rate.burst()).refillGreedy(rate.burst(), rate.per()).build())
                .withCustomTimePrecision(time)
                .build();
    }

    /** Whole seconds, rounded up, and at least one: what {@code Retry-After} can say. */
    static long retryAfterSeconds(long nanosToWait) {
        return Math.max(1, (nanosToWait + 999_999_999L) / 1_000_000_000L);
    }
}
