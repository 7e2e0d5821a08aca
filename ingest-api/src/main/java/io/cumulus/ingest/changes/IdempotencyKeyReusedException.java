package io.cumulus.ingest.changes;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** An Idempotency-Key this account already used for a different request; nothing was written. */
public final class IdempotencyKeyReusedException extends ProblemException {

    public IdempotencyKeyReusedException(String key) {
        super(HttpStatus.UNPROCESSABLE_CONTENT, "idempotency-key-reused", "Idempotency-Key reused",
                "the Idempotency-Key '" + key + "' was already used for a different request; use a new key for a new request");
    }
}
