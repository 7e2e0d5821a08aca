package io.cumulus.ingest.photos;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** A member the album is shared with to view tried to add photos to it. */
final class NotAlbumContributorException extends ProblemException {

    NotAlbumContributorException() {
        super(HttpStatus.FORBIDDEN, "not-album-contributor", "Not a contributor",
                "this album is shared with this account to view; only its owner and contributors add photos");
    }
}
