package io.cumulus.ingest.web;

import org.springframework.http.HttpStatus;

/** A request body whose {@code Content-Encoding} it does not follow (gzip that does not inflate). */
public final class MalformedEncodingException extends ProblemException {

    public MalformedEncodingException(String detail) {
        super(HttpStatus.BAD_REQUEST, "malformed-encoding", "Malformed content encoding", detail);
    }
}
