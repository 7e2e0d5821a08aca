package io.cumulus.client.api;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Retries a call that failed transiently, with exponential backoff and full jitter, honouring the
 * server's {@code Retry-After}. A refusal (4xx) is never retried. A server that answers it is busy
 * ({@link ApiException#busy()}: up, but still processing earlier changes) is waited out as it asks,
 * for up to {@code busyPatience} in all, without using up attempts: it will take the call once it has
 * caught up, and a device that gave up would only send the same call later.
 */
public final class Retry {
    private final int attempts;
    private final Duration base;
    private final Duration cap;
    private final Duration busyPatience;

    /** Hears each wait a busy server asks for, before it is taken. */
    @FunctionalInterface
    public interface WhileBusy {
        WhileBusy IGNORED = (refusal, wait) -> { };

        void waiting(ApiException refusal, Duration wait);
    }

    /** Busy answers count as any transient failure. */
    public Retry(int attempts, Duration base, Duration cap) {
        this(attempts, base, cap, Duration.ZERO);
    }

    public Retry(int attempts, Duration base, Duration cap, Duration busyPatience) {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1");
        }
        this.attempts = attempts;
        this.base = base;
        this.cap = cap;
        this.busyPatience = busyPatience;
    }

    /** Six attempts from 200 ms up to 10 s apart; a busy server is waited out for up to five minutes. */
    public static Retry defaults() {
        return new Retry(6, Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofMinutes(5));
    }

    public static Retry never() {
        return new Retry(1, Duration.ZERO, Duration.ZERO);
    }

    public <T> T call(Supplier<T> call) {
        return call(call, WhileBusy.IGNORED);
    }

    /** As {@link #call(Supplier)}, telling {@code whileBusy} of every wait a busy server asks for. */
    public <T> T call(Supplier<T> call, WhileBusy whileBusy) {
        Duration waitedWhileBusy = Duration.ZERO;
        for (int attempt = 1; ; ) {
            try {
                return call.get();
            } catch (ApiException e) {
                if (e.busy() && busyPatience.isPositive()) {
                    if (waitedWhileBusy.compareTo(busyPatience) >= 0) {
                        throw e;
                    }
                    Duration wait = busyDelay(e);
                    whileBusy.waiting(e, wait);
                    sleep(wait);
                    waitedWhileBusy = waitedWhileBusy.plus(wait);
                    continue;
                }
                if (!e.retryable() || attempt >= attempts) {
                    throw e;
                }
                sleep(delay(attempt, e));
                attempt++;
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

    /** The wait a busy server asked for (a second when it did not say), capped. */
    Duration busyDelay(ApiException e) {
        Duration asked = e.retryAfter().orElse(Duration.ofSeconds(1));
        return asked.compareTo(cap) > 0 ? cap : asked;
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
