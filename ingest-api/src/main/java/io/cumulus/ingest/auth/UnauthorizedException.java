package io.cumulus.ingest.auth;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/**
 * A request without a valid bearer token: none, unknown, or revoked. The three get the same answer
 * so a client cannot tell a revoked token from one that never existed.
 */
public final class UnauthorizedException extends ProblemException {

    public UnauthorizedException(String detail) {
        super(HttpStatus.UNAUTHORIZED, "unauthorized", "Unauthorized", detail);
    }

    public static UnauthorizedException deviceToken() {
        return new UnauthorizedException("a valid device token is required: Authorization: Bearer <token>");
    }

    @Override
    public HttpHeaders headers() {
        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        return headers;
    }
}
