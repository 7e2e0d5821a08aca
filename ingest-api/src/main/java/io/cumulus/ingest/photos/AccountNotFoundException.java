package io.cumulus.ingest.photos;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** An album was to be shared with a username no account has. */
final class AccountNotFoundException extends ProblemException {

    AccountNotFoundException(String username) {
        super(HttpStatus.NOT_FOUND, "account-not-found", "Account not found", "no account is named " + username);
    }
}
