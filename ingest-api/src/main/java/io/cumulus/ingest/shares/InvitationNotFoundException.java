package io.cumulus.ingest.shares;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** A member declined a share it has no pending invitation to (it is a member already). */
final class InvitationNotFoundException extends ProblemException {

    InvitationNotFoundException() {
        super(HttpStatus.NOT_FOUND, "invitation-not-found", "Invitation not found",
                "this account has no pending invitation to this share; to stop being a member, leave it");
    }
}
