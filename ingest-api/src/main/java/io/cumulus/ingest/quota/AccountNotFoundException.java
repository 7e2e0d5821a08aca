package io.cumulus.ingest.quota;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** An admin request names a username no account has. */
final class AccountNotFoundException extends ProblemException {

    AccountNotFoundException(String username) {
        super(HttpStatus.NOT_FOUND, "account-not-found", "Account not found", "no account is named '"
                + (username.length() <= 64 ? username : username.substring(0, 64) + "…") + "'");
    }
}
