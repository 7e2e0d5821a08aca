package io.cumulus.sync.gc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class GracePeriodTest {

    @Test
    void aNumberAndAUnitReadAsThatDuration() {
        assertThat(GracePeriod.parse("24h")).isEqualTo(Duration.ofHours(24));
        assertThat(GracePeriod.parse("1s")).isEqualTo(Duration.ofSeconds(1));
        assertThat(GracePeriod.parse("90m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GracePeriod.parse("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(GracePeriod.parse(" 30 S ")).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void anIsoDurationReadsAsThatDuration() {
        assertThat(GracePeriod.parse("PT24H")).isEqualTo(Duration.ofHours(24));
        assertThat(GracePeriod.parse("pt1m30s")).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void theDefaultIsADay() {
        assertThat(GracePeriod.DEFAULT).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void somethingElseIsRefusedWithTheAcceptedForms() {
        for (String bad : new String[] {"24", "24x", "h", "-5s", "1.5h", "24 hours", "PTXH", ""}) {
            assertThatThrownBy(() -> GracePeriod.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("e.g. 24h");
        }
        assertThatThrownBy(() -> GracePeriod.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPeriodShorterThanASecondIsRefused() {
        assertThatThrownBy(() -> GracePeriod.parse("0s")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1 second");
        assertThatThrownBy(() -> GracePeriod.parse("PT0.5S")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1 second");
        assertThatThrownBy(() -> GracePeriod.require(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLongBadValueIsNotEchoedWhole() {
        String bad = "x".repeat(10_000);

        assertThatThrownBy(() -> GracePeriod.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
    }
}
