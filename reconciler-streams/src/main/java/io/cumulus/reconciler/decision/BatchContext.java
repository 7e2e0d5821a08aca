package io.cumulus.reconciler.decision;

import java.time.Instant;
import java.util.Objects;

/**
 * What a decision needs to know about the batch a change came in: its id (conflicted copies get ids
 * derived from it), the submitting device's name (conflicted copies are named after it) and the time
 * ingest accepted the batch, the only time the reconciler ever uses.
 */
public record BatchContext(String batchId, String deviceName, Instant acceptedAt) {

    public BatchContext {
        Objects.requireNonNull(batchId, "batchId");
        Objects.requireNonNull(deviceName, "deviceName");
        Objects.requireNonNull(acceptedAt, "acceptedAt");
    }
}
