package io.cumulus.client.api;

import java.time.Duration;
import java.util.Optional;

/**
 * The server answered with an error. {@link #retryable()} tells a transient failure (the server is
 * down or unreachable, 429, 5xx) from a refusal that a retry would only repeat (4xx).
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String problemType;
    private final Optional<Duration> retryAfter;

    public ApiException(int status, String problemType, String message, Optional<Duration> retryAfter, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.problemType = problemType;
        this.retryAfter = retryAfter;
    }

    /** The server could not be reached at all. */
    static ApiException unreachable(String what, Throwable cause) {
        return new ApiException(0, "unreachable", what + ": the server cannot be reached ("
                + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()) + ")",
                Optional.empty(), cause);
    }

    /** The HTTP status, or 0 when the server could not be reached. */
    public int status() {
        return status;
    }

    /** The problem type the server named (such as {@code /problems/chunk-missing}), or empty. */
    public String problemType() {
        return problemType;
    }

    /** How long the server asked the client to wait before retrying, if it said. */
    public Optional<Duration> retryAfter() {
        return retryAfter;
    }

    public boolean retryable() {
        return status == 0 || status == 429 || status >= 500;
    }

    /**
     * The server is up but still processing earlier changes (503 {@code /problems/pipeline-busy}): it
     * stored nothing and takes the same request after {@link #retryAfter()}.
     */
    public boolean busy() {
        return status == 503 && problemType.endsWith("/pipeline-busy");
    }

    /**
     * The server refused because the account's storage quota is full (403 {@code /problems/quota-exceeded}):
     * it stored nothing, and takes the same request once there is room.
     */
    public boolean overQuota() {
        return status == 403 && problemType.endsWith("/quota-exceeded");
    }

    public boolean unauthorized() {
        return status == 401;
    }
}
