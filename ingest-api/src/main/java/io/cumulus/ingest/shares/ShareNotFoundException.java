package io.cumulus.ingest.shares;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/**
 * A share that does not exist, whose id is malformed, or that the caller is not a member of: one
 * answer for all three, so no one learns which shares exist or who belongs to them.
 */
final class ShareNotFoundException extends ProblemException {

    ShareNotFoundException() {
        super(HttpStatus.NOT_FOUND, "share-not-found", "Share not found", "no share with this id that this account is a member of");
    }
}
