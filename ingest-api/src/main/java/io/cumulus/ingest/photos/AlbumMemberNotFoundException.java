package io.cumulus.ingest.photos;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** An account id that is no member of the album (the owner is not a member of their own album). */
final class AlbumMemberNotFoundException extends ProblemException {

    AlbumMemberNotFoundException(String accountId) {
        super(HttpStatus.NOT_FOUND, "album-member-not-found", "Album member not found",
                "the album is not shared with account " + accountId);
    }
}
