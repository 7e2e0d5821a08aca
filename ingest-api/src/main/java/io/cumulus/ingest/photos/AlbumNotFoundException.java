package io.cumulus.ingest.photos;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** An album id that is no live album of the caller's library: unknown, deleted, or another account's. */
final class AlbumNotFoundException extends ProblemException {

    AlbumNotFoundException(String albumId) {
        super(HttpStatus.NOT_FOUND, "album-not-found", "Album not found", "no album " + albumId + " in this account's library");
    }
}
