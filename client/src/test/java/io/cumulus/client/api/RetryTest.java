package io.cumulus.client.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class RetryTest {
    private static ApiException failure(int status, Optional<Duration> retryAfter) {
        return new ApiException(status, "", "failed with " + status, retryAfter, null);
    }

    @Test
    void aTransientFailureIsRetriedUntilTheCallSucceeds() {
        // given a call that fails twice with 503, then succeeds
        AtomicInteger calls = new AtomicInteger();
        Retry retry = new Retry(5, Duration.ofMillis(1), Duration.ofMillis(5));

        // when it is retried
        String result = retry.call(() -> {
            if (calls.incrementAndGet() < 3) {
                throw failure(503, Optional.empty());
            }
            return "ok";
        });

        // then the third call's answer comes back
        assertThat(result).isEqualTo("ok");
        assertThat(calls).hasValue(3);
    }

    @Test
    void aRefusalIsNeverRetried() {
        // given a call the server refuses with 422
        AtomicInteger calls = new AtomicInteger();
        Retry retry = new Retry(5, Duration.ofMillis(1), Duration.ofMillis(5));

        // when it is called, then it fails at once
        assertThatThrownBy(() -> retry.call(() -> {
            calls.incrementAndGet();
            throw failure(422, Optional.empty());
        })).isInstanceOf(ApiException.class);
        assertThat(calls).hasValue(1);
    }

    @Test
    void theLastFailureIsThrownWhenAttemptsRunOut() {
        // given a server that stays unreachable
        AtomicInteger calls = new AtomicInteger();
        Retry retry = new Retry(3, Duration.ofMillis(1), Duration.ofMillis(2));

        // when it is called, then it gives up after three attempts
        assertThatThrownBy(() -> retry.call(() -> {
            calls.incrementAndGet();
            throw failure(0, Optional.empty());
        })).isInstanceOf(ApiException.class);
        assertThat(calls).hasValue(3);
    }

    @Test
    void backoffGrowsExponentiallyWithJitterUpToTheCapAndHonoursRetryAfter() {
        // given a retry policy starting at 100 ms, capped at 1 s
        Retry retry = new Retry(10, Duration.ofMillis(100), Duration.ofSeconds(1));

        // then each delay is random between 0 and base * 2^(attempt-1), never above the cap
        for (int i = 0; i < 200; i++) {
            assertThat(retry.delay(1, failure(503, Optional.empty()))).isBetween(Duration.ZERO, Duration.ofMillis(100));
            assertThat(retry.delay(3, failure(503, Optional.empty()))).isBetween(Duration.ZERO, Duration.ofMillis(400));
            assertThat(retry.delay(9, failure(503, Optional.empty()))).isBetween(Duration.ZERO, Duration.ofSeconds(1));
        }
        // and the server's Retry-After wins, within the cap
        assertThat(retry.delay(1, failure(429, Optional.of(Duration.ofMillis(700))))).isEqualTo(Duration.ofMillis(700));
        assertThat(retry.delay(1, failure(503, Optional.of(Duration.ofSeconds(30))))).isEqualTo(Duration.ofSeconds(1));
    }

    private static ApiException busy(Duration retryAfter) {
        return new ApiException(503, "/problems/pipeline-busy", "busy", Optional.of(retryAfter), null);
    }

    @Test
    void aBusyServerIsWaitedOutAsItAsksWithoutUsingUpAttempts() {
        // given a server busy five times, and a policy of two attempts with patience for a busy server
        AtomicInteger calls = new AtomicInteger();
        List<Duration> waits = new ArrayList<>();
        Retry retry = new Retry(2, Duration.ofMillis(1), Duration.ofMillis(50), Duration.ofSeconds(10));

        // when it is called
        String result = retry.call(() -> {
            if (calls.incrementAndGet() <= 5) {
                throw busy(Duration.ofMillis(3));
            }
            return "taken";
        }, (refusal, wait) -> waits.add(wait));

        // then every busy answer was waited out as long as it asked, and the call went through
        assertThat(result).isEqualTo("taken");
        assertThat(calls).hasValue(6);
        assertThat(waits).hasSize(5).containsOnly(Duration.ofMillis(3));
    }

    @Test
    void aServerBusyForLongerThanThePatienceIsReportedBusy() {
        AtomicInteger calls = new AtomicInteger();
        Retry retry = new Retry(5, Duration.ofMillis(1), Duration.ofMillis(50), Duration.ofMillis(20));

        assertThatThrownBy(() -> retry.call(() -> {
            calls.incrementAndGet();
            throw busy(Duration.ofMillis(5));
        })).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.busy()).isTrue());
        assertThat(calls).as("four waits of 5 ms use up 20 ms of patience").hasValue(5);
    }

    @Test
    void withoutPatienceABusyAnswerIsRetriedAsAnyTransientFailure() {
        AtomicInteger calls = new AtomicInteger();
        Retry retry = new Retry(3, Duration.ofMillis(1), Duration.ofMillis(5));

        assertThatThrownBy(() -> retry.call(() -> {
            calls.incrementAndGet();
            throw busy(Duration.ofMillis(1));
        })).isInstanceOf(ApiException.class);
        assertThat(calls).hasValue(3);
    }

    @Test
    void onlyA503NamingTheBusyPipelineIsBusy() {
        assertThat(busy(Duration.ofSeconds(1)).busy()).isTrue();
        assertThat(new ApiException(503, "/problems/store-unavailable", "down", Optional.of(Duration.ofSeconds(1)), null).busy())
                .isFalse();
        assertThat(new ApiException(400, "/problems/pipeline-busy", "odd", Optional.empty(), null).busy()).isFalse();
    }
}
