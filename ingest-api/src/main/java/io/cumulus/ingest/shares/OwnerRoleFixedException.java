package io.cumulus.ingest.shares;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** The owner's role was to be changed by a role change: ownership only moves by transfer. */
final class OwnerRoleFixedException extends ProblemException {

    OwnerRoleFixedException() {
        super(HttpStatus.CONFLICT, "owner-role-fixed", "The owner's role is fixed",
                "the owner's role changes only by transferring the ownership (POST /v1/shares/{id}/owner)");
    }
}
