package io.cumulus.ingest.gateway;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Supplier;

import io.cumulus.sync.hash.Sha256;

/**
 * Throttles password attempts: each takes a token of {@link Limit#LOGIN_ADDRESS} (the client's
 * address) and of {@link Limit#LOGIN_ACCOUNT} (the username, lower-cased as usernames compare)
 * <em>before</em> the password is checked, so a throttled attempt is refused with {@code 429} without
 * spending a hash computation and without learning whether the password was right. An attempt whose
 * password was right gives both tokens back: in the long run only failures count, so a person who
 * registers many devices is never throttled, while a guesser is stopped whatever they guess. An unknown
 * username is throttled exactly as a known one, so a {@code 429} tells nothing about which exist.
 */
public final class LoginThrottle {
    /** Longer keys (a username is checked for length only after this) are kept in Redis as their hash. */
    private static final int MAX_KEY_LENGTH = 128;

    private final RateLimits limits;

    public LoginThrottle(RateLimits limits) {
        this.limits = limits;
    }

    /**
     * Runs {@code check} (a password check that throws when the password is wrong) when neither
     * bucket is empty; throws {@link TooManyRequestsException} without running it otherwise.
     */
    public <T> T attempt(String username, String clientAddress, Supplier<T> check) {
        String address = keyOf(clientAddress == null ? "unknown" : clientAddress);
        String account = keyOf(username == null ? "" : username.toLowerCase(Locale.ROOT));
        limits.take(Limit.LOGIN_ADDRESS, address);
        limits.take(Limit.LOGIN_ACCOUNT, account);
        T result = check.get();
        limits.giveBack(Limit.LOGIN_ACCOUNT, account);
        limits.giveBack(Limit.LOGIN_ADDRESS, address);
        return result;
    }

    private static String keyOf(String value) {
        return value.length() <= MAX_KEY_LENGTH ? value : "sha256-" + Sha256.hex(value.getBytes(StandardCharsets.UTF_8));
    }
}
