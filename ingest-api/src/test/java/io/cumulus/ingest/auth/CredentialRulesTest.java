package io.cumulus.ingest.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.cumulus.ingest.web.InvalidRequestException;

class CredentialRulesTest {

    @Test
    void usernamesAreOneToSixtyFourUrlSafeCharacters() {
        assertThat(CredentialRules.username("a")).isEqualTo("a");
        assertThat(CredentialRules.username("Alice.B_c-9")).isEqualTo("Alice.B_c-9");
        assertThat(CredentialRules.username("x".repeat(64))).hasSize(64);
        for (String bad : new String[] {"", "x".repeat(65), "a b", "a/b", "ädmin", "a@b", "a\nb"}) {
            assertThatThrownBy(() -> CredentialRules.username(bad)).as(bad)
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("username");
        }
        assertThatThrownBy(() -> CredentialRules.username(null)).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void passwordsHaveAtLeastEightCharacters() {
        assertThat(CredentialRules.newPassword("12345678")).isEqualTo("12345678");
        assertThatThrownBy(() -> CredentialRules.newPassword("1234567")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> CredentialRules.newPassword(null)).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> CredentialRules.newPassword("x".repeat(1025))).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void deviceNamesAreNotBlankAndHaveNoControlCharacters() {
        assertThat(CredentialRules.deviceName("Alice's MacBook")).isEqualTo("Alice's MacBook");
        assertThatThrownBy(() -> CredentialRules.deviceName(" ")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> CredentialRules.deviceName("a\u0007b")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> CredentialRules.deviceName("x".repeat(101))).isInstanceOf(InvalidRequestException.class);
    }
}
