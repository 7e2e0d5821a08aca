package io.cumulus.ingest.auth;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** A username and password that do not match an account; which of the two was wrong is not said. */
public final class BadCredentialsException extends ProblemException {

    public BadCredentialsException() {
        super(HttpStatus.UNAUTHORIZED, "bad-credentials", "Bad credentials", "the username or password is wrong");
    }
}
