package io.cumulus.ingest.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The hashes Cumulus stored before Argon2id: PBKDF2 with HMAC-SHA256, a 16-byte salt, at least
 * 210,000 iterations and a 256-bit result, as {@code pbkdf2$<iterations>$<salt>$<hash>} (base64).
 * They are still verified, and replaced by an Argon2id hash at the next successful sign-in
 * (docs/decisions/0027); no new one is made outside tests.
 */
final class Pbkdf2Hash {
    static final String PREFIX = "pbkdf2$";
    static final int MIN_ITERATIONS = 210_000;
    private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
    private static final int HASH_BITS = 256;
    /** Stored iteration counts beyond this are damage, not settings: verification refuses them rather than spin. */
    private static final int MAX_ITERATIONS = 10_000_000;

    private Pbkdf2Hash() {
    }

    /** A hash in the old form, as an account created before Argon2id has one. */
    static String hash(String password, byte[] salt, int iterations) {
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return PREFIX + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(pbkdf2(password, salt, iterations));
    }

    /** Whether the password hashes to the stored value; false for a value that is not a well-formed PBKDF2 hash. */
    static boolean verifies(String password, String stored) {
        String[] parts = stored.split("\\$", -1);
        if (parts.length != 4 || !stored.startsWith(PREFIX)) {
            return false;
        }
        try {
            int iterations = Integer.parseInt(parts[1]);
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] expected = Base64.getDecoder().decode(parts[3]);
            if (iterations < 1 || iterations > MAX_ITERATIONS || salt.length == 0 || expected.length == 0) {
                return false;
            }
            return MessageDigest.isEqual(expected, pbkdf2(password, salt, iterations));
        } catch (IllegalArgumentException malformed) {
            return false;
        }
    }

    private static byte[] pbkdf2(String password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has " + ALGORITHM, e);
        } finally {
            spec.clearPassword();
        }
    }
}
