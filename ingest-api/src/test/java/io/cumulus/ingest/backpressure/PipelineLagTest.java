package io.cumulus.ingest.backpressure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class PipelineLagTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final PipelineLag lag = new PipelineLag(Duration.ofMinutes(5), nanos::get);

    private void after(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void nothingIsCountedWhileNoReaderOfTheOutcomesWatches() {
        // given no reader has said it watches the outcomes
        // when a batch is accepted
        lag.accepted(UUID.randomUUID(), 3);
        after(Duration.ofMinutes(1));

        // then nothing is undecided: nothing could ever decide it
        assertThat(lag.watched()).isFalse();
        assertThat(lag.snapshot()).isEqualTo(PipelineLag.Snapshot.NONE);
    }

    @Test
    void aBatchStaysUndecidedUntilTheOutcomeOfItsLastChangeArrives() {
        // given a watched batch of three changes
        lag.watching();
        UUID batch = UUID.randomUUID();
        lag.accepted(batch, 3);

        // when the outcomes of its first two changes arrive
        lag.decided(batch, 0);
        lag.decided(batch, 1);

        // then it is still undecided, with its three changes
        assertThat(lag.snapshot().batches()).isEqualTo(1);
        assertThat(lag.snapshot().changes()).isEqualTo(3);

        // and once the last one arrives, it is decided
        lag.decided(batch, 2);
        assertThat(lag.snapshot()).isEqualTo(PipelineLag.Snapshot.NONE);
    }

    @Test
    void theLagIsTheAgeOfTheOldestUndecidedBatch() {
        // given two batches accepted a second apart
        lag.watching();
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        lag.accepted(first, 1);
        after(Duration.ofSeconds(1));
        lag.accepted(second, 2);

        // when two more seconds pass
        after(Duration.ofSeconds(2));

        // then the lag is the first one's age, and both batches' changes wait
        assertThat(lag.snapshot()).isEqualTo(new PipelineLag.Snapshot(2, 3, Duration.ofSeconds(3)));

        // and once the first is decided, the second one's age
        lag.decided(first, 0);
        assertThat(lag.snapshot()).isEqualTo(new PipelineLag.Snapshot(1, 2, Duration.ofSeconds(2)));
    }

    @Test
    void outcomesOfBatchesAcceptedElsewhereChangeNothing() {
        // given one batch accepted here
        lag.watching();
        lag.accepted(UUID.randomUUID(), 1);

        // when outcomes of batches accepted by other instances arrive
        lag.decided(UUID.randomUUID(), 0);
        lag.decided(UUID.randomUUID(), 5);

        // then this instance's batch still waits
        assertThat(lag.snapshot().batches()).isEqualTo(1);
    }

    @Test
    void aBatchWhoseTransactionDidNotCommitIsWithdrawn() {
        lag.watching();
        UUID batch = UUID.randomUUID();
        lag.accepted(batch, 4);

        lag.withdrawn(batch);

        assertThat(lag.snapshot()).isEqualTo(PipelineLag.Snapshot.NONE);
    }

    @Test
    void aBatchWhoseOutcomeNeverArrivesIsForgottenAfterAWhile() {
        // given a batch whose outcome is lost, and a later one
        lag.watching();
        lag.accepted(UUID.randomUUID(), 2);
        after(Duration.ofMinutes(4));
        lag.accepted(UUID.randomUUID(), 1);

        // when more than five minutes have passed since the first
        after(Duration.ofMinutes(1).plusMillis(1));

        // then only the later one is counted
        assertThat(lag.snapshot()).isEqualTo(new PipelineLag.Snapshot(1, 1, Duration.ofMinutes(1).plusMillis(1)));
    }

    @Test
    void whenTheReaderStopsNothingIsCountedAnyMore() {
        // given an undecided batch
        lag.watching();
        lag.accepted(UUID.randomUUID(), 1);

        // when the reader of the outcomes stops
        lag.notWatching();
        lag.accepted(UUID.randomUUID(), 1);
        after(Duration.ofMinutes(1));

        // then nothing is counted, neither what waited nor what comes
        assertThat(lag.snapshot()).isEqualTo(PipelineLag.Snapshot.NONE);
    }
}
