package io.cumulus.ingest.audit;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** An admin request naming a username no account has. */
public final class UnknownAccountException extends ProblemException {

    public UnknownAccountException(String username) {
        super(HttpStatus.NOT_FOUND, "account-not-found", "Account not found",
                "no account is named '" + (username.length() <= 64 ? username : username.substring(0, 64) + "…") + "'");
    }
}
