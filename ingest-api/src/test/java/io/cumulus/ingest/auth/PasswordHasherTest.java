package io.cumulus.ingest.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Base64;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {
    /** Cheap settings, so the tests run fast; the format and the checks are the same as with the defaults. */
    private static final Argon2Settings CHEAP = new Argon2Settings(64, 1, 1);
    private final PasswordHasher hasher = new PasswordHasher(new SecureRandom(), CHEAP);

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
    void theStoredFormIsAnArgon2idPhcStringWithItsSettingsARandomSaltAndA256BitHash() {
        // when a password is hashed with the default settings
        String stored = new PasswordHasher().hash("password1");

        // then the PHC string says how to verify it later
        assertThat(stored).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
        String[] parts = stored.split("\\$");
        assertThat(parts).hasSize(6);
        assertThat(Base64.getDecoder().decode(parts[4])).hasSize(16);
        assertThat(Base64.getDecoder().decode(parts[5])).hasSize(32);
        assertThat(parts[4]).doesNotContain("=");
        assertThat(new PasswordHasher().matches("password1", stored)).isTrue();
    }

    @Test
    void aHashWrittenByTheReferenceImplementationVerifies() {
        // given a hash argon2-cffi (the reference C code) published for this password
        String reference = "$argon2id$v=19$m=65536,t=3,p=4$MIIRqgvgQbgj220jfp0MPA$YfwJSVjtjSU0zzV/P3S9nnQ/USre2wvJMjfCIjrTQbg";

        // then it verifies here, whatever our own settings, and a wrong password does not
        assertThat(hasher.matches("correct horse battery staple", reference)).isTrue();
        assertThat(hasher.matches("Tr0ub4dor&3", reference)).isFalse();
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
    void anOldPbkdf2HashStillVerifiesAndAsksToBeReplaced() {
        // given a hash of the form stored before Argon2id
        String old = Pbkdf2Hash.hash("old password", new byte[16], Pbkdf2Hash.MIN_ITERATIONS);
        assertThat(old).startsWith("pbkdf2$210000$");

        // then it verifies the password it was made of, no other, and needs a rehash
        assertThat(hasher.matches("old password", old)).isTrue();
        assertThat(hasher.matches("old passwordX", old)).isFalse();
        assertThat(hasher.needsRehash(old)).isTrue();
    }

    @Test
    void onlyAnArgon2idHashAtTheCurrentSettingsNeedsNoRehash() {
        // given hashes at the current settings and at others
        String current = hasher.hash("password1");
        String stronger = new PasswordHasher(new SecureRandom(), new Argon2Settings(128, 2, 1)).hash("password1");

        // then only the first is kept as it is
        assertThat(hasher.needsRehash(current)).isFalse();
        assertThat(hasher.needsRehash(stronger)).isTrue();
        assertThat(hasher.matches("password1", stronger)).isTrue();
    }

    @Test
    void aTamperedOrForeignStoredValueMatchesNothing() {
        // given a valid hash and damaged versions of it
        String stored = hasher.hash("password1");
        String[] parts = stored.split("\\$");
        String salt = parts[4];
        String hash = parts[5];

        // then none of the damaged ones verifies, and none throws
        assertThat(hasher.matches("password1", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + hash)).isFalse();
        assertThat(hasher.matches("password1", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + hash)).isFalse();
        assertThat(hasher.matches("password1", "$argon2id$v=19$m=64,t=2,p=1$" + salt + "$" + hash)).isFalse();
        assertThat(hasher.matches("password1", "$argon2id$v=19$m=64,t=1,p=1$" + salt)).isFalse();
        assertThat(hasher.matches("password1", "$argon2id$v=19$m=99999999,t=1,p=1$" + salt + "$" + hash)).isFalse();
        assertThat(hasher.matches("password1", "$argon2id$v=19$m=64,t=1,p=1$!!!$" + hash)).isFalse();
        assertThat(hasher.matches("password1", "pbkdf2$notanumber$" + salt + "$" + hash)).isFalse();
        assertThat(hasher.matches("password1", "plain text")).isFalse();
        assertThat(hasher.needsRehash("plain text")).isTrue();
    }

    @Test
    void settingsOutsideArgon2sBoundsAreRefused() {
        assertThatThrownBy(() -> new Argon2Settings(4, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Argon2Settings(64, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Argon2Settings(64, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Argon2Settings.owasp()).isEqualTo(new Argon2Settings(19_456, 2, 1));
    }

    @Test
    void anUnknownUserNeverMatches() {
        assertThat(hasher.matchesNothing("decoy password of no account")).isFalse();
    }
}
