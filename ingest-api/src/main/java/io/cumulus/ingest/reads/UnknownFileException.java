package io.cumulus.ingest.reads;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** A file id that is in none of the namespaces this account may read (or not in the one asked for). */
public final class UnknownFileException extends ProblemException {

    public UnknownFileException(String fileId) {
        super(HttpStatus.NOT_FOUND, "file-not-found", "File not found", "no file " + fileId + " in a namespace this account can read");
    }
}
