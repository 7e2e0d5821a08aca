package io.cumulus.ingest.shares;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** The owner invited an account that is already a member (the owner sees its members, so this reveals nothing). */
final class AlreadyShareMemberException extends ProblemException {

    AlreadyShareMemberException(String username) {
        super(HttpStatus.CONFLICT, "already-share-member", "Already a member",
                username + " is already a member of this share; change its role instead");
    }
}
