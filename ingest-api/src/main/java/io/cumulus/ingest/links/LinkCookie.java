package io.cumulus.ingest.links;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.http.ResponseCookie;

/**
 * The proof that a browser typed a link's password: {@code <expiry epoch seconds>.<HMAC-SHA256>}, the
 * MAC keyed by the link's stored password hash over its token and that expiry. Any instance can check
 * it from the link's row alone, with no session store; it opens no other link (another token, another
 * key), and stops working when the link is revoked or expires (both checked before any cookie), or
 * when its own expiry passes. The password hash never leaves the server, so no one can mint one.
 *
 * <p>The cookie is {@code HttpOnly} (no script reads it), {@code SameSite=Strict} (no other site's page
 * sends it) and scoped to {@code Path=/s/<token>}, so a browser hands it to nothing but this link.
 */
final class LinkCookie {
    static final String NAME = "cumulus-link";
    /** How long one typing of the password lasts, at most (less when the link expires sooner). */
    static final Duration LIFETIME = Duration.ofHours(12);
    private static final String HMAC = "HmacSHA256";

    private LinkCookie() {
    }

    /** A cookie for this link from {@code now}, ending with the link if it expires first. */
    static ResponseCookie issue(Link link, LinkToken token, Instant now, boolean secure) {
        Instant until = now.plus(LIFETIME);
        if (link.expiresAt().isPresent() && link.expiresAt().get().isBefore(until)) {
            until = link.expiresAt().get();
        }
        long expiry = until.getEpochSecond();
        String value = expiry + "." + mac(link.passwordHash().orElseThrow(), token, expiry);
        return ResponseCookie.from(NAME, value).httpOnly(true).sameSite("Strict").secure(secure)
                .path("/s/" + token.value()).maxAge(Duration.ofSeconds(Math.max(0, expiry - now.getEpochSecond()))).build();
    }

    /** Whether the cookie's value proves the password of this link and has not expired. */
    static boolean verifies(String value, Link link, LinkToken token, Instant now) {
        if (value == null || link.passwordHash().isEmpty()) {
            return false;
        }
        int dot = value.indexOf('.');
        if (dot <= 0) {
            return false;
        }
        long expiry;
        try {
            expiry = Long.parseLong(value.substring(0, dot));
        } catch (NumberFormatException e) {
            return false;
        }
        String expected = mac(link.passwordHash().get(), token, expiry);
        boolean equal = MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                value.substring(dot + 1).getBytes(StandardCharsets.US_ASCII));
        return equal && now.getEpochSecond() < expiry;
    }

    private static String mac(String passwordHash, LinkToken token, long expiry) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(passwordHash.getBytes(StandardCharsets.UTF_8), HMAC));
            byte[] out = mac.doFinal((token.value() + "\n" + expiry).getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has " + HMAC, e);
        }
    }
}
