package io.cumulus.ingest.gateway;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** A rate limit is spent: {@code 429}, with {@code Retry-After} saying when the next request may pass. */
public final class TooManyRequestsException extends ProblemException {
    private final long retryAfterSeconds;

    public TooManyRequestsException(Limit limit, long retryAfterSeconds) {
        super(HttpStatus.TOO_MANY_REQUESTS, "rate-limited", "Too many requests",
                "too many requests (" + limit.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                        + "); try again in " + Math.max(1, retryAfterSeconds) + " s");
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
        property("retryAfterSeconds", this.retryAfterSeconds);
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    @Override
    public HttpHeaders headers() {
        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
        return headers;
    }
}
