package io.cumulus.ingest.shares;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** A member asked for something only the share's owner may do: invite, withdraw, change roles, remove, transfer. */
final class NotShareOwnerException extends ProblemException {

    NotShareOwnerException() {
        super(HttpStatus.FORBIDDEN, "not-share-owner", "Not the share's owner", "only the owner of this share may do this");
    }
}
