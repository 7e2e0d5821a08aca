package io.cumulus.ingest.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import io.cumulus.sync.hash.Sha256;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The operator's bearer token for the admin endpoints (property {@code cumulus.admin-token}).
 * Both sides are hashed before a constant-time comparison, so neither the content nor the
 * length of the token leaks through timing. Without a configured token the admin endpoints
 * refuse everyone.
 */
public final class AdminToken {
    private final byte[] expectedSha256;

    public AdminToken(String configured) {
        this.expectedSha256 = configured == null || configured.isBlank() ? null : digest(configured.trim());
    }

    /** Throws {@link UnauthorizedException} unless the request carries the admin token. */
    public void check(HttpServletRequest request) {
        String given = BearerToken.of(request).orElse("");
        boolean matches = MessageDigest.isEqual(digest(given), expectedSha256 == null ? new byte[32] : expectedSha256);
        if (expectedSha256 == null || !matches) {
            throw new UnauthorizedException("the admin token is required: Authorization: Bearer <admin token>");
        }
    }

    private static byte[] digest(String token) {
        return Sha256.newDigest().digest(token.getBytes(StandardCharsets.UTF_8));
    }
}
