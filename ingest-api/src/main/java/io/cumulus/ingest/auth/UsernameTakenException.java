package io.cumulus.ingest.auth;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** An account creation for a username that exists already (compared case-insensitively). */
public final class UsernameTakenException extends ProblemException {

    public UsernameTakenException(String username) {
        super(HttpStatus.CONFLICT, "username-taken", "Username taken", "the username '" + username + "' is taken");
    }
}
