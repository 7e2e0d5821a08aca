package io.cumulus.ingest.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

class LimitSettingsTest {

    @Test
    void withoutSettingsEveryLimitHasItsDefault() {
        // when nothing is configured
        LimitSettings settings = LimitSettings.read(key -> null);

        // then each limit has the documented default
        assertThat(settings.rate(Limit.DEVICE_REQUESTS)).isEqualTo(new LimitSettings.Rate(3_000, Duration.ofSeconds(10)));
        assertThat(settings.rate(Limit.ACCOUNT_REQUESTS)).isEqualTo(new LimitSettings.Rate(6_000, Duration.ofSeconds(10)));
        assertThat(settings.rate(Limit.LOGIN_ACCOUNT)).isEqualTo(new LimitSettings.Rate(10, Duration.ofMinutes(5)));
        assertThat(settings.rate(Limit.LOGIN_ADDRESS)).isEqualTo(new LimitSettings.Rate(30, Duration.ofMinutes(5)));
        assertThat(settings.rate(Limit.LINK_REQUESTS)).isEqualTo(new LimitSettings.Rate(120, Duration.ofMinutes(1)));
        assertThat(settings.rate(Limit.LINK_PASSWORD)).isEqualTo(new LimitSettings.Rate(10, Duration.ofMinutes(5)));
    }

    @Test
    void aLimitIsSetByItsKebabCaseNameWithABurstAndAPeriod() {
        // given settings for two limits, one only in part, in both duration styles
        Map<String, String> properties = Map.of(
                "cumulus.limits.device-requests.burst", "6",
                "cumulus.limits.device-requests.per", "1h",
                "cumulus.limits.login-address.per", "PT30S");

        // when they are read
        LimitSettings settings = LimitSettings.read(properties::get);

        // then those limits take them, the unset parts and the other limits keep their defaults
        assertThat(settings.rate(Limit.DEVICE_REQUESTS)).isEqualTo(new LimitSettings.Rate(6, Duration.ofHours(1)));
        assertThat(settings.rate(Limit.LOGIN_ADDRESS)).isEqualTo(new LimitSettings.Rate(30, Duration.ofSeconds(30)));
        assertThat(settings.rate(Limit.LOGIN_ACCOUNT)).isEqualTo(LimitSettings.defaultRate(Limit.LOGIN_ACCOUNT));
    }

    @Test
    void aMalformedOrEmptyLimitIsRefusedNamingItsSetting() {
        assertThatThrownBy(() -> LimitSettings.read(Map.of("cumulus.limits.login-account.burst", "0")::get))
                .hasMessageContaining("cumulus.limits.login-account");
        assertThatThrownBy(() -> LimitSettings.read(Map.of("cumulus.limits.login-account.burst", "ten")::get))
                .hasMessageContaining("cumulus.limits.login-account");
        assertThatThrownBy(() -> LimitSettings.read(Map.of("cumulus.limits.link-requests.per", "soon")::get))
                .hasMessageContaining("cumulus.limits.link-requests");
        assertThatThrownBy(() -> LimitSettings.read(Map.of("cumulus.limits.link-requests.per", "0s")::get))
                .hasMessageContaining("cumulus.limits.link-requests");
    }
}
