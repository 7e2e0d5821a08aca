package io.cumulus.ingest.web;

import org.springframework.http.HttpStatus;

/** A request body over the endpoint's limit, told by its Content-Length or found while reading it. */
public final class BodyTooLargeException extends ProblemException {

    public BodyTooLargeException(long limitBytes) {
        super(HttpStatus.CONTENT_TOO_LARGE, "body-too-large", "Request body too large",
                "the request body must be at most " + limitBytes + " bytes");
        property("limitBytes", limitBytes);
    }
}
