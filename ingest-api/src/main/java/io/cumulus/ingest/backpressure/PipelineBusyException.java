package io.cumulus.ingest.backpressure;

import java.util.Locale;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/**
 * The pipeline is behind (the oldest batch this instance accepted and the reconciler has not decided
 * is older than the bound, or too many changes wait): a batch accepted now would wait longer still.
 * Nothing was read or written; the same request, with the same idempotency key, succeeds once the
 * pipeline has caught up. Answered with {@code 503} and {@code Retry-After}.
 */
public final class PipelineBusyException extends ProblemException {
    private final long retryAfterSeconds;

    PipelineBusyException(PipelineLag.Snapshot lag, long retryAfterSeconds) {
        super(HttpStatus.SERVICE_UNAVAILABLE, "pipeline-busy", "Pipeline busy",
                String.format(Locale.ROOT, "the server is still processing earlier changes (%,d waiting, the oldest for %.1f s);"
                        + " send the same request again after %d s", lag.changes(), lag.oldest().toMillis() / 1000.0,
                        retryAfterSeconds));
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    public HttpHeaders headers() {
        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
        return headers;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
