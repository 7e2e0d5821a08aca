package io.cumulus.ingest.web;

import org.springframework.http.HttpStatus;

/** A request body that is not well-formed JSON (or has a member twice). */
public final class MalformedJsonException extends ProblemException {

    public MalformedJsonException(String detail) {
        super(HttpStatus.BAD_REQUEST, "malformed-json", "Malformed JSON", detail);
    }
}
