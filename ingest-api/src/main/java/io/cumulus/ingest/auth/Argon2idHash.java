package io.cumulus.ingest.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * One Argon2id hash (RFC 9106, version 1.3) in the PHC string format that libsodium, argon2-cffi
 * and the reference implementation write: {@code $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>},
 * salt and hash in base64 without padding. The settings travel with each hash, so raising them
 * later leaves existing hashes verifiable (and {@link PasswordHasher#needsRehash} upgrades them).
 */
record Argon2idHash(Argon2Settings settings, byte[] salt, byte[] hash) {
    static final String PREFIX = "$argon2id$";
    static final int SALT_BYTES = 16;
    static final int HASH_BYTES = 32;
    private static final Pattern PHC = Pattern.compile(
            "\\$argon2id\\$v=19\\$m=(\\d{1,8}),t=(\\d{1,3}),p=(\\d{1,2})\\$([A-Za-z0-9+/]{11,})\\$([A-Za-z0-9+/]{22,})");

    static Argon2idHash of(String password, byte[] salt, Argon2Settings settings) {
        return new Argon2idHash(settings, salt, compute(password, salt, settings, HASH_BYTES));
    }

    /** The stored value read back; empty when it is not a well-formed Argon2id version 1.3 hash. */
    static Optional<Argon2idHash> parse(String stored) {
        Matcher m = PHC.matcher(stored);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            Argon2Settings settings = new Argon2Settings(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3)));
            byte[] salt = Base64.getDecoder().decode(m.group(4));
            byte[] hash = Base64.getDecoder().decode(m.group(5));
            if (salt.length < 8 || hash.length < 16 || hash.length > 64) {
                return Optional.empty();
            }
            return Optional.of(new Argon2idHash(settings, salt, hash));
        } catch (IllegalArgumentException malformed) {
            return Optional.empty();
        }
    }

    /** Whether the password hashes to this value, compared in constant time. */
    boolean verifies(String password) {
        return MessageDigest.isEqual(hash, compute(password, salt, settings, hash.length));
    }

    String encoded() {
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return PREFIX + "v=19$m=" + settings.memoryKib() + ",t=" + settings.iterations() + ",p=" + settings.parallelism()
                + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    private static byte[] compute(String password, byte[] salt, Argon2Settings settings, int length) {
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(salt)
                .withMemoryAsKB(settings.memoryKib())
                .withIterations(settings.iterations())
                .withParallelism(settings.parallelism())
                .build());
        byte[] out = new byte[length];
        byte[] secret = password.getBytes(StandardCharsets.UTF_8);
        try {
            generator.generateBytes(secret, out);
        } finally {
            java.util.Arrays.fill(secret, (byte) 0);
        }
        return out;
    }
}
