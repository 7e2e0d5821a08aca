package io.cumulus.ingest.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {
    private final PasswordHasher hasher = new PasswordHasher();

    @Test
    void aHashVerifiesItsOwnPasswordAndNoOther() {
        // given a stored hash
        String stored = hasher.hash("correct horse battery staple");

        // then only the same password matches it
        assertThat(hasher.matches("correct horse battery staple", stored)).isTrue();
        assertThat(hasher.matches("correct horse battery stapleX", stored)).isFalse();
        assertThat(hasher.matches("", stored)).isFalse();
    }

    @Test
    void theStoredFormIsPbkdf2WithTheIterationsARandomSaltAndA256BitHash() {
        // when a password is hashed
        String[] parts = hasher.hash("password1").split("\\$");

        // then the format says how to verify it later
        assertThat(parts).hasSize(4);
        assertThat(parts[0]).isEqualTo("pbkdf2");
        assertThat(Integer.parseInt(parts[1])).isGreaterThanOrEqualTo(210_000);
        assertThat(Base64.getDecoder().decode(parts[2])).hasSize(16);
        assertThat(Base64.getDecoder().decode(parts[3])).hasSize(32);
    }

    @Test
    void theSamePasswordHashesDifferentlyForEveryAccount() {
        // when one password is hashed twice
        String first = hasher.hash("same password");
        String second = hasher.hash("same password");

        // then the salts differ, so the stored values do, and both still verify
        assertThat(first).isNotEqualTo(second);
        assertThat(hasher.matches("same password", first)).isTrue();
        assertThat(hasher.matches("same password", second)).isTrue();
    }

    @Test
    void aTamperedOrForeignStoredValueMatchesNothing() {
        // given a valid hash and damaged versions of it
        String stored = hasher.hash("password1");
        String[] parts = stored.split("\\$");

        // then none of the damaged ones verifies, and none throws
        assertThat(hasher.matches("password1", "bcrypt$" + parts[1] + "$" + parts[2] + "$" + parts[3])).isFalse();
        assertThat(hasher.matches("password1", parts[0] + "$" + (Integer.parseInt(parts[1]) + 1) + "$" + parts[2] + "$" + parts[3])).isFalse();
        assertThat(hasher.matches("password1", parts[0] + "$" + parts[1] + "$" + parts[2])).isFalse();
        assertThat(hasher.matches("password1", parts[0] + "$notanumber$" + parts[2] + "$" + parts[3])).isFalse();
        assertThat(hasher.matches("password1", parts[0] + "$" + parts[1] + "$!!!$" + parts[3])).isFalse();
        assertThat(hasher.matches("password1", "plain text")).isFalse();
    }

    @Test
    void tooFewIterationsAreRefused() {
        assertThatThrownBy(() -> new PasswordHasher(new java.security.SecureRandom(), 1_000))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anUnknownUserNeverMatches() {
        assertThat(hasher.matchesNothing("decoy password of no account")).isFalse();
    }
}
