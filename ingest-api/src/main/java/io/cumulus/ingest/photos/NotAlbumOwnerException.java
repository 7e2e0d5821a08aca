package io.cumulus.ingest.photos;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/**
 * A member of a shared album asked for what only its owner does: rename, delete or order it, share it
 * or change who it is shared with, or take out a photo someone else put in.
 */
final class NotAlbumOwnerException extends ProblemException {

    NotAlbumOwnerException(String what) {
        super(HttpStatus.FORBIDDEN, "not-album-owner", "Not the album's owner", "only the album's owner " + what);
    }
}
