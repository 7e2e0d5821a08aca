package io.cumulus.ingest.shares;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** The owner tried to leave (or remove itself from) its share: a share always has an owner. */
final class OwnerCannotLeaveException extends ProblemException {

    OwnerCannotLeaveException() {
        super(HttpStatus.CONFLICT, "owner-cannot-leave", "The owner cannot leave",
                "the owner cannot leave its share: transfer the ownership to another member first (POST /v1/shares/{id}/owner)");
    }
}
