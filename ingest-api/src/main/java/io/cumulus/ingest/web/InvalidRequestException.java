package io.cumulus.ingest.web;

import org.springframework.http.HttpStatus;

/**
 * A 400 for a request whose content breaks a rule of the API; the slug names the rule
 * ({@code invalid-username}, {@code invalid-vector}, ...) and the detail says what was wrong.
 */
public class InvalidRequestException extends ProblemException {

    public InvalidRequestException(String slug, String title, String detail) {
        super(HttpStatus.BAD_REQUEST, slug, title, detail);
    }

    /** The same, with one extension member (e.g. the index of the offending change). */
    public InvalidRequestException with(String name, Object value) {
        property(name, value);
        return this;
    }

    public static InvalidRequestException invalid(String detail) {
        return new InvalidRequestException("invalid-request", "Invalid request", detail);
    }
}
