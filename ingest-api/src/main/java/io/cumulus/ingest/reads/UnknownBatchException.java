package io.cumulus.ingest.reads;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** A batch id that is not one of this account's batches (another account's is not found either). */
public final class UnknownBatchException extends ProblemException {

    public UnknownBatchException(String batchId) {
        super(HttpStatus.NOT_FOUND, "batch-not-found", "Batch not found", "no batch " + batchId + " of this account");
    }
}
