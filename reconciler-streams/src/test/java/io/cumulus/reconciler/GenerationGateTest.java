package io.cumulus.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

class GenerationGateTest {

    @Test
    void aLiveGenerationPublishesEveryRecord() {
        assertThat(GenerationGate.live().admit(0, 0)).isTrue();
        assertThat(GenerationGate.live().admit(3, 1_000_000)).isTrue();
    }

    @Test
    void aShadowAppliesSilentlyWhatWasPublishedAndWaitsAtThePublishedPosition() {
        GenerationGate gate = GenerationGate.shadow();
        gate.publishedUpTo(Map.of(0, 5L));

        assertThat(gate.admit(0, 4)).isFalse();
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> gate.admit(0, 5));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !waiting.isDone());

        gate.publishedUpTo(Map.of(0, 6L));
        assertThat(waiting.join()).isFalse();
    }

    @Test
    void aHandedOverGenerationPublishesFromWhereThePublishingOneStopped() {
        GenerationGate gate = GenerationGate.shadow();
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> gate.admit(1, 7));

        gate.handOver(Map.of(0, 3L, 1, 7L));

        assertThat(waiting.join()).isTrue();
        assertThat(gate.admit(0, 2)).isFalse();
        assertThat(gate.admit(0, 3)).isTrue();
        assertThat(gate.admit(2, 0)).as("a partition the stopped one never read").isTrue();
    }

    @Test
    void anAbortedShadowStopsItsWaitingThread() {
        GenerationGate gate = GenerationGate.shadow();
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> gate.admit(0, 0));

        gate.abort();

        assertThatThrownBy(waiting::join).hasCauseInstanceOf(GenerationGate.Aborted.class);
    }

    @Test
    void theRecordedGenerationReadsBackAsWritten() {
        ActiveGeneration active = new ActiveGeneration(3, Map.of(0, 12L, 1, 0L, 2, 7L));

        assertThat(active.format()).isEqualTo("3 0:12 1:0 2:7");
        assertThat(ActiveGeneration.parse(active.format())).isEqualTo(active);
        assertThat(ActiveGeneration.applicationId("cumulus-reconciler", 1)).isEqualTo("cumulus-reconciler");
        assertThat(ActiveGeneration.applicationId("cumulus-reconciler", 3)).isEqualTo("cumulus-reconciler-g3");
    }
}
