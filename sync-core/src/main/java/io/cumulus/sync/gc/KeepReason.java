package io.cumulus.sync.gc;

/**
 * Why a chunk is kept, in the order {@link GcDecision#decide} checks them: the first that applies is
 * the answer.
 */
public enum KeepReason {
    /** The count is below zero: a delta was lost or counted twice upstream. Never acted on; reported. */
    NEGATIVE_COUNT(true),
    /** A retained version or trash entry references it. */
    REFERENCED(false),
    /** A batch being committed holds it: after that commit it is referenced. */
    LOCKED_BY_COMMIT(false),
    /** A reference delta, either sign, is not older than the grace period. */
    RECENTLY_REFERENCED(false),
    /** Its bytes were stored within the grace period: the batch that uses them may still be coming. */
    RECENTLY_UPLOADED(false),
    /** An account uploaded it again or a batch referenced it within the grace period. */
    RECENTLY_USED(false),
    /** It is a photo's thumbnail or preview, and the version of the photo it was made from is retained. */
    DERIVATIVE_OF_RETAINED_VERSION(false);

    private final boolean anomaly;

    KeepReason(boolean anomaly) {
        this.anomaly = anomaly;
    }

    /** Whether the reason is a bug to report (an error log line, a metric) rather than a normal keep. */
    public boolean isAnomaly() {
        return anomaly;
    }
}
