package io.cumulus.ingest.backpressure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class BackPressureSettingsTest {

    @Test
    void theMaximumLagIsWrittenAsANumberAndAUnitOrInIso8601() {
        assertThat(BackPressureSettings.parseMaxLag("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(BackPressureSettings.parseMaxLag("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(BackPressureSettings.parseMaxLag("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(BackPressureSettings.parseMaxLag("PT2S")).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aMaximumLagThatIsNoDurationOrUnder100msIsRefusedWithTheFormsItTakes() {
        assertThatThrownBy(() -> BackPressureSettings.parseMaxLag("soon")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'soon' is not a duration").hasMessageContaining("10s");
        assertThatThrownBy(() -> BackPressureSettings.parseMaxLag("50ms")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 100ms");
        assertThatThrownBy(() -> new BackPressureSettings(true, Duration.ofSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
    }

    @Test
    void undecidedBatchesAreForgottenAfterFiveMinutesOrThreeBoundsWhenThatIsLonger() {
        assertThat(BackPressureSettings.defaults().forgetAfter()).isEqualTo(Duration.ofMinutes(5));
        assertThat(new BackPressureSettings(true, Duration.ofMinutes(4), 1).forgetAfter()).isEqualTo(Duration.ofMinutes(12));
    }
}
