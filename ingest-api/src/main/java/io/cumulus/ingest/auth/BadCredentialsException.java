package io.cumulus.ingest.auth;

import java.util.Optional;
import java.util.UUID;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/**
 * A username and password that do not match an account; which of the two was wrong is not said.
 * The account the username names, when there is one, travels with the exception for the audit log,
 * never into the answer.
 */
public final class BadCredentialsException extends ProblemException {
    private final transient Optional<UUID> accountId;

    public BadCredentialsException() {
        this(Optional.empty());
    }

    public BadCredentialsException(Optional<UUID> accountId) {
        super(HttpStatus.UNAUTHORIZED, "bad-credentials", "Bad credentials", "the username or password is wrong");
        this.accountId = accountId;
    }

    /** The account whose password was wrong; empty when the username names none. */
    public Optional<UUID> accountId() {
        return accountId;
    }
}
