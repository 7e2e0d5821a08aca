package io.cumulus.ingest.reads;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** A file id that names no unresolved conflicted copy in the namespace (unknown, not a copy, or resolved already). */
public final class UnknownConflictException extends ProblemException {

    public UnknownConflictException(String namespaceId, String fileId) {
        super(HttpStatus.NOT_FOUND, "conflict-not-found", "Conflict not found", "file " + fileId
                + " is not an unresolved conflicted copy in namespace " + namespaceId
                + " (GET /v1/namespaces/" + namespaceId + "/conflicts lists them)");
    }
}
