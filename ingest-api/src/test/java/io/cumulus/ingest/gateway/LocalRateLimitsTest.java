package io.cumulus.ingest.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.github.bucket4j.TimeMeter;

class LocalRateLimitsTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final TimeMeter clock = new TimeMeter() {
        @Override
        public long currentTimeNanos() {
            return nanos.get();
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }
    };
    private final LocalRateLimits limits = new LocalRateLimits(settings(3, Duration.ofMinutes(1)), clock,
            Duration.ofSeconds(10), 1_000);

    @Test
    void aKeyGetsItsBurstThenIsRefusedWithTheWaitForTheNextToken() {
        // given a key that spent its burst of 3 (a token every 20 s)
        for (int i = 0; i < 3; i++) {
            limits.take(Limit.DEVICE_REQUESTS, "device-a");
        }

        // when it asks once more
        TooManyRequestsException refused = catchThrowableOfType(TooManyRequestsException.class,
                () -> limits.take(Limit.DEVICE_REQUESTS, "device-a"));

        // then it is refused until the next token, and another key or limit is not
        assertThat(refused.retryAfterSeconds()).isEqualTo(20);
        assertThat(refused.status().value()).isEqualTo(429);
        assertThat(refused.headers().getFirst("Retry-After")).isEqualTo("20");
        limits.take(Limit.DEVICE_REQUESTS, "device-b");
        limits.take(Limit.ACCOUNT_REQUESTS, "device-a");
    }

    @Test
    void aTokenGivenBackCanBeSpentAgainButNeverBeyondTheBurst() {
        // given a key that spent its burst and gave one token back
        for (int i = 0; i < 3; i++) {
            limits.take(Limit.LOGIN_ACCOUNT, "alice");
        }
        limits.giveBack(Limit.LOGIN_ACCOUNT, "alice");

        // then exactly one more take passes
        limits.take(Limit.LOGIN_ACCOUNT, "alice");
        assertThatThrownBy(() -> limits.take(Limit.LOGIN_ACCOUNT, "alice")).isInstanceOf(TooManyRequestsException.class);

        // and tokens given back to a full bucket do not raise it above its burst
        limits.giveBack(Limit.LOGIN_ACCOUNT, "bob");
        for (int i = 0; i < 3; i++) {
            limits.take(Limit.LOGIN_ACCOUNT, "carol");
            limits.giveBack(Limit.LOGIN_ACCOUNT, "carol");
            limits.giveBack(Limit.LOGIN_ACCOUNT, "carol");
        }
        for (int i = 0; i < 3; i++) {
            limits.take(Limit.LOGIN_ACCOUNT, "carol");
        }
        assertThatThrownBy(() -> limits.take(Limit.LOGIN_ACCOUNT, "carol")).isInstanceOf(TooManyRequestsException.class);
    }

    @Test
    void bucketsIdleForTheirWholeRefillPeriodAreForgottenAndNothingElseIs() {
        // given many keys seen once, and one spent key still in use
        for (int i = 0; i < 50; i++) {
            limits.take(Limit.LOGIN_ADDRESS, "10.0.0." + i);
        }
        for (int i = 0; i < 3; i++) {
            limits.take(Limit.DEVICE_REQUESTS, "busy");
        }
        assertThat(limits.size()).isEqualTo(51);

        // when a refill period passes, during which only the busy key is used again (two of the 2.5 tokens refilled)
        nanos.addAndGet(Duration.ofSeconds(50).toNanos());
        limits.take(Limit.DEVICE_REQUESTS, "busy");
        limits.take(Limit.DEVICE_REQUESTS, "busy");
        nanos.addAndGet(Duration.ofSeconds(15).toNanos());
        limits.take(Limit.LINK_REQUESTS, "someone");

        // then the idle buckets are gone, and the busy one is kept with what it spent (1.25 tokens, not a fresh 3)
        assertThat(limits.size()).isEqualTo(2);
        limits.take(Limit.DEVICE_REQUESTS, "busy");
        assertThatThrownBy(() -> limits.take(Limit.DEVICE_REQUESTS, "busy")).isInstanceOf(TooManyRequestsException.class);
    }

    private static LimitSettings settings(long burst, Duration per) {
        Map<Limit, LimitSettings.Rate> rates = new EnumMap<>(Limit.class);
        for (Limit limit : Limit.values()) {
            rates.put(limit, new LimitSettings.Rate(burst, per));
        }
        return new LimitSettings(rates);
    }
}
