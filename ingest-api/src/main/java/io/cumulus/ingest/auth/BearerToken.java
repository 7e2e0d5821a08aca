package io.cumulus.ingest.auth;

import java.util.Optional;

import org.springframework.http.HttpHeaders;

import jakarta.servlet.http.HttpServletRequest;

/** The token of an {@code Authorization: Bearer <token>} header (RFC 6750), scheme matched case-insensitively. */
final class BearerToken {
    private static final String SCHEME = "bearer ";
    private static final int MAX_LENGTH = 512;

    static Optional<String> of(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || header.length() <= SCHEME.length() || header.length() > MAX_LENGTH
                || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return Optional.empty();
        }
        String token = header.substring(SCHEME.length()).trim();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    private BearerToken() {
    }
}
