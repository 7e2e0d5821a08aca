package io.cumulus.ingest.backpressure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class BackPressureTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final PipelineLag lag = new PipelineLag(Duration.ofMinutes(5), nanos::get);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private BackPressure gate(boolean enabled, Duration maxLag, long maxPendingChanges) {
        lag.watching();
        return new BackPressure(lag, new BackPressureSettings(enabled, maxLag, maxPendingChanges), meters);
    }

    private UUID accepted(int changes) {
        UUID id = UUID.randomUUID();
        lag.accepted(id, changes);
        return id;
    }

    private void after(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void batchesAreAdmittedWhileThePipelineIsWithinBothBounds() {
        BackPressure gate = gate(true, Duration.ofSeconds(2), 100);
        accepted(100);
        after(Duration.ofSeconds(2));

        assertThatCode(gate::admit).doesNotThrowAnyException();
    }

    @Test
    void batchesAreRefusedWhileTheOldestUndecidedOneIsOlderThanTheBound() {
        // given a batch undecided for 3.5 s, with a bound of 2 s
        BackPressure gate = gate(true, Duration.ofSeconds(2), 100);
        accepted(1);
        after(Duration.ofMillis(3_500));

        // when a device submits, then it is refused with 503, pipeline-busy and Retry-After
        PipelineBusyException refused = catchThrowableOfType(PipelineBusyException.class, gate::admit);
        assertThat(refused.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(refused.toProblemDetail().getType()).hasToString("/problems/pipeline-busy");
        assertThat(refused.headers().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("2");
        assertThat(refused.getMessage()).contains("the oldest for 3.5 s");
    }

    @Test
    void batchesAreRefusedWhileMoreChangesThanTheBoundAreUndecided() {
        // given 101 undecided changes, a moment old, with a bound of 100
        BackPressure gate = gate(true, Duration.ofSeconds(10), 100);
        accepted(60);
        accepted(41);

        // when a device submits, then it is refused and asked to come back in a second
        PipelineBusyException refused = catchThrowableOfType(PipelineBusyException.class, gate::admit);
        assertThat(refused.headers().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
        assertThat(refused.getMessage()).contains("101 waiting");
    }

    @Test
    void batchesAreAdmittedAgainOnceThePipelineHasCaughtUp() {
        // given a refusing gate
        BackPressure gate = gate(true, Duration.ofSeconds(1), 100);
        UUID slow = accepted(1);
        after(Duration.ofSeconds(5));
        assertThatThrownBy(gate::admit).isInstanceOf(PipelineBusyException.class);

        // when the batch is decided, then batches are admitted
        lag.decided(slow, 0);
        assertThatCode(gate::admit).doesNotThrowAnyException();
    }

    @Test
    void nothingIsRefusedWhenBackPressureIsOffYetTheLagIsStillMeasured() {
        BackPressure gate = gate(false, Duration.ofSeconds(1), 1);
        accepted(500);
        after(Duration.ofMinutes(1));

        assertThatCode(gate::admit).doesNotThrowAnyException();
        assertThat(meters.get("cumulus.intake.undecided.changes").gauge().value()).isEqualTo(500);
    }

    @Test
    void retryAfterIsHowFarThePipelineIsPastTheBoundInWholeSecondsAtLeastOneAndAtMostTheBound() {
        Duration bound = Duration.ofSeconds(10);
        assertThat(BackPressure.retryAfterSeconds(Duration.ofMillis(200), bound)).isEqualTo(1);
        assertThat(BackPressure.retryAfterSeconds(Duration.ofMillis(10_001), bound)).isEqualTo(1);
        assertThat(BackPressure.retryAfterSeconds(Duration.ofMillis(13_200), bound)).isEqualTo(4);
        assertThat(BackPressure.retryAfterSeconds(Duration.ofMinutes(4), bound)).isEqualTo(10);
        assertThat(BackPressure.retryAfterSeconds(Duration.ofSeconds(3), Duration.ofMillis(300))).isEqualTo(1);
    }

    @Test
    void theLagAndTheRefusalsAreExportedAsMetrics() {
        // given two undecided batches, the oldest 4 s old, with a bound of 1 s
        BackPressure gate = gate(true, Duration.ofSeconds(1), 1_000);
        accepted(3);
        after(Duration.ofSeconds(1));
        accepted(2);
        after(Duration.ofSeconds(3));

        // when two submissions are refused
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(gate::admit).isInstanceOf(PipelineBusyException.class);
        }

        // then the gauges show the lag and the counter the refusals
        assertThat(meters.get("cumulus.intake.undecided.oldest").gauge().value()).isEqualTo(4.0);
        assertThat(meters.get("cumulus.intake.undecided.changes").gauge().value()).isEqualTo(5);
        assertThat(meters.get("cumulus.intake.undecided.batches").gauge().value()).isEqualTo(2);
        assertThat(meters.get("cumulus.intake.refused").counter().count()).isEqualTo(2);
    }
}
