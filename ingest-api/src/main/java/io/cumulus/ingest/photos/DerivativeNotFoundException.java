package io.cumulus.ingest.photos;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** A photo without the thumbnail or preview asked for: it could not be read, or it has not been derived yet. */
final class DerivativeNotFoundException extends ProblemException {

    DerivativeNotFoundException(String fileId, String kind, String why) {
        super(HttpStatus.NOT_FOUND, "derivative-not-found", "Derivative not found", "photo " + fileId + " has no " + kind + ": " + why);
    }
}
