package io.cumulus.ingest.shares;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** The owner named an account that is not a member of its share (or a malformed account id). */
final class ShareMemberNotFoundException extends ProblemException {

    ShareMemberNotFoundException() {
        super(HttpStatus.NOT_FOUND, "share-member-not-found", "Share member not found", "no member of this share has this account id");
    }
}
