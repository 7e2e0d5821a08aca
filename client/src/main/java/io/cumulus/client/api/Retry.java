package io.cumulus.client.api;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Retries a call that failed transiently, with exponential backoff and full jitter, honouring the
 * server's {@code Retry-After}. A refusal (4xx) is never retried.
 */
public final class Retry {
    private final int attempts;
    private final Duration base;
    private final Duration cap;

    public Retry(int attempts, Duration base, Duration cap) {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1");
        }
        this.attempts = attempts;
        this.base = base;
        this.cap = cap;
    }

    public static Retry defaults() {
        return new Retry(6, Duration.ofMillis(200), Duration.ofSeconds(10));
    }

    public static Retry never() {
        return new Retry(1, Duration.ZERO, Duration.ZERO);
    }

    public <T> T call(Supplier<T> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (ApiException e) {
                if (!e.retryable() || attempt >= attempts) {
                    throw e;
                }
                sleep(delay(attempt, e));
            }
        }
    }

    /** The wait before retry number {@code attempt}: the server's Retry-After, else a random time up to base × 2^(attempt-1), capped. */
    Duration delay(int attempt, ApiException e) {
        if (e.retryAfter().isPresent()) {
            return e.retryAfter().get().compareTo(cap) > 0 ? cap : e.retryAfter().get();
        }
        long ceiling = Math.min(cap.toMillis(), base.toMillis() << Math.min(attempt - 1, 20));
        return Duration.ofMillis(ceiling <= 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1));
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to retry", ie);
        }
    }
}
