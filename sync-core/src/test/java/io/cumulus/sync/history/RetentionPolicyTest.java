package io.cumulus.sync.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.cumulus.sync.history.RetentionPolicy.Entry;

class RetentionPolicyTest {
    private static final Instant DAY_0 = Instant.parse("2026-01-01T00:00:00Z");
    private final RetentionPolicy policy = new RetentionPolicy(Duration.ofDays(30), 3);

    private static Entry version(int day) {
        return new Entry(DAY_0.plus(Duration.ofDays(day)), false);
    }

    private static Entry deletion(int day) {
        return new Entry(DAY_0.plus(Duration.ofDays(day)), true);
    }

    private static Instant day(int day) {
        return DAY_0.plus(Duration.ofDays(day));
    }

    @Test
    void anOldVersionExpiresThePeriodAfterItWasReplacedOnceEnoughNewerVersionsExist() {
        List<Entry> history = List.of(version(0), version(1), version(2), version(40));

        // the version of day 0 was replaced on day 1: kept until day 31
        assertThat(policy.expired(history, day(30))).isEmpty();
        assertThat(policy.expired(history, day(31))).containsExactly(0);
        // the newest three are kept however old
        assertThat(policy.expired(history, day(400))).containsExactly(0);
    }

    @Test
    void theCurrentVersionOfALiveFileNeverExpires() {
        assertThat(new RetentionPolicy(Duration.ZERO, 1).expired(List.of(version(0)), day(1000))).isEmpty();
        assertThat(new RetentionPolicy(Duration.ZERO, 1).expired(List.of(version(0), version(1)), day(1)))
                .containsExactly(0);
    }

    @Test
    void aDeletedFileStaysInTheTrashForThePeriodThenExpiresWhole() {
        List<Entry> history = List.of(version(0), version(1), deletion(5));

        assertThat(policy.expired(history, day(34))).isEmpty();
        assertThat(policy.expired(history, day(35))).containsExactly(0, 1, 2);
        assertThat(policy.nextExpiry(history, day(6))).contains(day(35));
        assertThat(policy.nextExpiry(history, day(35))).isEmpty();
    }

    @Test
    void theNextExpiryIsTheEarliestEndOfARetentionStillRunning() {
        List<Entry> history = new ArrayList<>(List.of(version(0), version(10), version(20)));

        assertThat(policy.nextExpiry(history, day(5))).contains(day(40));
        assertThat(policy.nextExpiry(history, day(45))).contains(day(50));
        assertThat(policy.nextExpiry(history, day(50))).isEmpty();
        assertThat(policy.nextExpiry(List.of(), day(0))).isEmpty();
    }

    @Test
    void aPolicyThatKeepsNothingIsRefused() {
        assertThatThrownBy(() -> new RetentionPolicy(Duration.ofDays(1), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one version");
        assertThatThrownBy(() -> new RetentionPolicy(Duration.ofDays(-1), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
    }
}
