package io.cumulus.notifier;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeviceHandshakeInterceptorTest {

    @Test
    void aBearerTokenIsTakenFromTheHeaderWhateverTheCaseOfItsScheme() {
        assertThat(DeviceHandshakeInterceptor.bearerToken("Bearer abc")).contains("abc");
        assertThat(DeviceHandshakeInterceptor.bearerToken("bearer abc ")).contains("abc");
        assertThat(DeviceHandshakeInterceptor.bearerToken("Basic abc")).isEmpty();
        assertThat(DeviceHandshakeInterceptor.bearerToken("Bearer ")).isEmpty();
        assertThat(DeviceHandshakeInterceptor.bearerToken(null)).isEmpty();
    }

    @Test
    void aDeviceMayAskForNoOutcomeFrames() {
        assertThat(DeviceHandshakeInterceptor.wantsOutcomes(null)).isTrue();
        assertThat(DeviceHandshakeInterceptor.wantsOutcomes("x=1")).isTrue();
        assertThat(DeviceHandshakeInterceptor.wantsOutcomes("outcomes=false")).isFalse();
        assertThat(DeviceHandshakeInterceptor.wantsOutcomes("x=1&outcomes=false")).isFalse();
    }
}
