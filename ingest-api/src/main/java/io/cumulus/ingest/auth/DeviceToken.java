package io.cumulus.ingest.auth;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

import io.cumulus.sync.hash.Sha256;

/**
 * A device's bearer token: 32 random bytes, base64url without padding. It is shown to the device
 * once; the server keeps only {@link #sha256()}, so a leak of the database reveals no token.
 */
public record DeviceToken(String value) {

    public static DeviceToken generate(SecureRandom random) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return new DeviceToken(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    /** What the database stores and looks tokens up by. */
    public String sha256() {
        return sha256Of(value);
    }

    public static String sha256Of(String token) {
        return Sha256.hex(token.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "DeviceToken[redacted]";
    }
}
