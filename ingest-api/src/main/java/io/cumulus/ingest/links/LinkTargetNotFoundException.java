package io.cumulus.ingest.links;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/**
 * A link was asked for a path that names no live file and no folder holding one, or for an album
 * that is not a live album the caller may write in: nothing to link (an album of another account
 * answers exactly as one that does not exist).
 */
final class LinkTargetNotFoundException extends ProblemException {

    private LinkTargetNotFoundException(String detail) {
        super(HttpStatus.NOT_FOUND, "link-target-not-found", "Nothing to link", detail);
    }

    static LinkTargetNotFoundException path(String path) {
        return new LinkTargetNotFoundException("no file or folder with files at " + path + " in this namespace");
    }

    static LinkTargetNotFoundException album(String albumId) {
        return new LinkTargetNotFoundException("no album " + albumId + " that this account can share");
    }
}
