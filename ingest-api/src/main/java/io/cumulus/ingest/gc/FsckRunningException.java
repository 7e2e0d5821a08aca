package io.cumulus.ingest.gc;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** A 409: fsck is already running; two runs at once would only repeat each other's work and repairs. */
public final class FsckRunningException extends ProblemException {

    public FsckRunningException() {
        super(HttpStatus.CONFLICT, "fsck-running", "Fsck already running",
                "a chunk store check is already running; wait for its report");
    }
}
