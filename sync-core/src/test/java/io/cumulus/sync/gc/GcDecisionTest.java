package io.cumulus.sync.gc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.cumulus.sync.gc.GcDecision.Delete;
import io.cumulus.sync.gc.GcDecision.Keep;
import io.cumulus.sync.manifest.ChunkId;

class GcDecisionTest {
    private static final Duration GRACE = Duration.ofHours(24);
    private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    private static final Instant LONG_AGO = NOW.minus(Duration.ofDays(30));
    private static final ChunkId CHUNK = ChunkId.of("a".repeat(64));

    /** A chunk stored long ago, referenced and used long ago, now counted zero and not locked. */
    private static ChunkFacts garbage() {
        return ChunkFacts.uploadedOnly(CHUNK, LONG_AGO).withLastReferencedAt(LONG_AGO).withLastUsedAt(LONG_AGO);
    }

    private static GcDecision decide(ChunkFacts facts) {
        return GcDecision.decide(facts, NOW, GRACE);
    }

    @Test
    void anUnreferencedChunkWhoseTimesAreAllOlderThanTheGraceIsDeleted() {
        assertThat(decide(garbage())).isEqualTo(new Delete());
        assertThat(decide(garbage()).deletes()).isTrue();
    }

    @Test
    void anUploadNeverCommittedIsDeletedOnceTheGraceHasPassed() {
        // given an upload that no batch ever referenced: no delta, so no reference time
        ChunkFacts facts = ChunkFacts.uploadedOnly(CHUNK, NOW.minus(GRACE).minusSeconds(1))
                .withLastUsedAt(NOW.minus(GRACE).minusSeconds(1));

        assertThat(decide(facts)).isEqualTo(new Delete());
    }

    @Test
    void anUploadNeverCommittedIsKeptWithinTheGrace() {
        ChunkFacts facts = ChunkFacts.uploadedOnly(CHUNK, NOW.minus(Duration.ofHours(23)));

        assertThat(decide(facts)).isEqualTo(new Keep(KeepReason.RECENTLY_UPLOADED));
    }

    @Test
    void aReferencedChunkIsKeptHoweverOldItsTimes() {
        assertThat(decide(garbage().withRefCount(1))).isEqualTo(new Keep(KeepReason.REFERENCED));
        assertThat(decide(garbage().withRefCount(Long.MAX_VALUE))).isEqualTo(new Keep(KeepReason.REFERENCED));
    }

    @Test
    void aNegativeCountIsNeverDeletedAndIsReportedAsAnAnomaly() {
        GcDecision decision = decide(garbage().withRefCount(-1));

        assertThat(decision).isEqualTo(new Keep(KeepReason.NEGATIVE_COUNT));
        assertThat(decision.deletes()).isFalse();
        assertThat(KeepReason.NEGATIVE_COUNT.isAnomaly()).isTrue();
        assertThat(decide(garbage().withRefCount(Long.MIN_VALUE))).isEqualTo(new Keep(KeepReason.NEGATIVE_COUNT));
    }

    @Test
    void aNegativeCountWinsOverEveryOtherReason() {
        ChunkFacts facts = garbage().withRefCount(-3).withLockedByCommit(true).withLastReferencedAt(NOW);

        assertThat(decide(facts)).isEqualTo(new Keep(KeepReason.NEGATIVE_COUNT));
    }

    @Test
    void onlyANegativeCountIsAnAnomaly() {
        for (KeepReason reason : KeepReason.values()) {
            assertThat(reason.isAnomaly()).as(reason.name()).isEqualTo(reason == KeepReason.NEGATIVE_COUNT);
        }
    }

    @Test
    void aChunkLockedByACommitIsKeptEvenWhenEverythingElseSaysDelete() {
        assertThat(decide(garbage().withLockedByCommit(true))).isEqualTo(new Keep(KeepReason.LOCKED_BY_COMMIT));
    }

    @Test
    void aChunkReleasedWithinTheGraceIsKept() {
        // the -1 that brought the count to zero came an hour ago
        ChunkFacts facts = garbage().withLastReferencedAt(NOW.minus(Duration.ofHours(1)));

        assertThat(decide(facts)).isEqualTo(new Keep(KeepReason.RECENTLY_REFERENCED));
    }

    @Test
    void aChunkUsedByAnAccountWithinTheGraceIsKept() {
        ChunkFacts facts = garbage().withLastUsedAt(NOW.minus(Duration.ofMinutes(5)));

        assertThat(decide(facts)).isEqualTo(new Keep(KeepReason.RECENTLY_USED));
    }

    @Test
    void aTimeExactlyOneGraceOldIsStillWithinTheGrace() {
        Instant boundary = NOW.minus(GRACE);

        assertThat(decide(garbage().withLastReferencedAt(boundary)))
                .isEqualTo(new Keep(KeepReason.RECENTLY_REFERENCED));
        assertThat(decide(new ChunkFacts(CHUNK, 0, garbage().lastReferencedAt(), boundary,
                garbage().lastUsedAt(), false))).isEqualTo(new Keep(KeepReason.RECENTLY_UPLOADED));
        assertThat(decide(garbage().withLastUsedAt(boundary))).isEqualTo(new Keep(KeepReason.RECENTLY_USED));
    }

    @Test
    void aTimeOneNanosecondOlderThanTheGraceNoLongerHoldsTheChunk() {
        Instant justOut = NOW.minus(GRACE).minusNanos(1);
        ChunkFacts facts = new ChunkFacts(CHUNK, 0, java.util.Optional.of(justOut), justOut,
                java.util.Optional.of(justOut), false);

        assertThat(decide(facts)).isEqualTo(new Delete());
    }

    @Test
    void aTimeInTheFutureCountsAsRecent() {
        // clocks that disagree must never make a chunk look old
        assertThat(decide(garbage().withLastReferencedAt(NOW.plus(Duration.ofHours(2)))))
                .isEqualTo(new Keep(KeepReason.RECENTLY_REFERENCED));
        assertThat(decide(garbage().withLastUsedAt(NOW.plusSeconds(1))))
                .isEqualTo(new Keep(KeepReason.RECENTLY_USED));
    }

    @Test
    void missingReferenceAndUseTimesDoNotHoldAChunk() {
        ChunkFacts facts = ChunkFacts.uploadedOnly(CHUNK, LONG_AGO);

        assertThat(facts.lastReferencedAt()).isEmpty();
        assertThat(facts.lastUsedAt()).isEmpty();
        assertThat(decide(facts)).isEqualTo(new Delete());
    }

    @Test
    void aZeroCountWithOnlyARecentReferenceIsKeptWhateverTheOtherTimes() {
        ChunkFacts facts = ChunkFacts.uploadedOnly(CHUNK, LONG_AGO).withLastReferencedAt(NOW);

        assertThat(decide(facts)).isEqualTo(new Keep(KeepReason.RECENTLY_REFERENCED));
    }

    @Test
    void aShortGraceLetsTestsCollectWithinSeconds() {
        ChunkFacts facts = ChunkFacts.uploadedOnly(CHUNK, NOW.minusSeconds(2));

        assertThat(GcDecision.decide(facts, NOW, Duration.ofSeconds(1))).isEqualTo(new Delete());
        assertThat(GcDecision.decide(facts, NOW, Duration.ofSeconds(2)))
                .isEqualTo(new Keep(KeepReason.RECENTLY_UPLOADED));
    }

    @Test
    void aGraceShorterThanASecondIsRefused() {
        assertThatThrownBy(() -> GcDecision.decide(garbage(), NOW, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1 second");
        assertThatThrownBy(() -> GcDecision.decide(garbage(), NOW, Duration.ofMillis(999)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GcDecision.decide(garbage(), NOW, Duration.ofHours(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
