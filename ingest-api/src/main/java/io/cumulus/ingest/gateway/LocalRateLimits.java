package io.cumulus.ingest.gateway;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;

/** {@link RateLimits} in this process's memory: for a single instance, when no Redis is configured. */
public final class LocalRateLimits implements RateLimits {
    private final LimitSettings settings;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public LocalRateLimits(LimitSettings settings) {
        this.settings = settings;
    }

    @Override
    public void take(Limit limit, String key) {
        LimitSettings.Rate rate = settings.rate(limit);
        Bucket bucket = buckets.computeIfAbsent(limit.name() + ':' + key, k -> Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(rate.burst()).refillGreedy(rate.burst(), rate.per()).build())
                .build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            throw new TooManyRequestsException(limit, Duration.ofNanos(probe.getNanosToWaitForRefill()).toSeconds() + 1);
        }
    }
}
