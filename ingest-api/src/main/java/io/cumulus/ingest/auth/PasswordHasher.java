package io.cumulus.ingest.auth;

import java.security.SecureRandom;
import java.util.Optional;

/**
 * Password hashes: Argon2id, memory-hard, in the PHC string form
 * {@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>} with a random 16-byte salt per hash and
 * the cost of {@link Argon2Settings}. Hashes of the earlier PBKDF2 form ({@code pbkdf2$...}) still
 * verify; {@link #needsRehash} says which stored values a successful sign-in should replace (the old
 * form, or Argon2id at other settings), so accounts move to the current hash without a reset.
 * Verification compares in constant time, and a username that does not exist costs one
 * verification too ({@link #matchesNothing}).
 */
public final class PasswordHasher {
    private final SecureRandom random;
    private final Argon2Settings settings;
    /** A hash of no one's password, verified against when the user does not exist, so both cases take as long. */
    private final String decoy;

    public PasswordHasher(SecureRandom random, Argon2Settings settings) {
        this.random = random;
        this.settings = settings;
        this.decoy = hash("decoy password of no account");
    }

    /** OWASP's Argon2id settings. */
    public PasswordHasher() {
        this(new SecureRandom(), Argon2Settings.owasp());
    }

    public String hash(String password) {
        byte[] salt = new byte[Argon2idHash.SALT_BYTES];
        random.nextBytes(salt);
        return Argon2idHash.of(password, salt, settings).encoded();
    }

    /** Whether the password hashes to the stored value (Argon2id or the older PBKDF2); false for anything else. */
    public boolean matches(String password, String stored) {
        if (stored.startsWith(Argon2idHash.PREFIX)) {
            return Argon2idHash.parse(stored).map(h -> h.verifies(password)).orElse(false);
        }
        if (stored.startsWith(Pbkdf2Hash.PREFIX)) {
            return Pbkdf2Hash.verifies(password, stored);
        }
        return false;
    }

    /** Whether a stored value that just verified should be replaced by {@link #hash}: not Argon2id at the current settings. */
    public boolean needsRehash(String stored) {
        Optional<Argon2idHash> argon2 = Argon2idHash.parse(stored);
        return argon2.isEmpty() || !argon2.get().settings().equals(settings)
                || argon2.get().hash().length != Argon2idHash.HASH_BYTES;
    }

    /** Spends the time of one verification and answers false: for a username that does not exist. */
    public boolean matchesNothing(String password) {
        matches(password, decoy);
        return false;
    }
}
