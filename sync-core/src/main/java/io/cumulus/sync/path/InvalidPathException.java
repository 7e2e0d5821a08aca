package io.cumulus.sync.path;

/**
 * A path a device sent that Cumulus cannot store, with a short machine-readable {@link #reason()}
 * slug ({@code empty}, {@code absolute}, {@code empty-segment}, {@code dot-segment},
 * {@code nul-character}, {@code unpaired-surrogate}, {@code segment-too-long},
 * {@code path-too-long}, {@code reserved-name}) so the edge can map it to one problem type and tell the device why.
 */
public final class InvalidPathException extends IllegalArgumentException {

    private final String reason;

    public InvalidPathException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** The short slug naming the rule the path broke. */
    public String reason() {
        return reason;
    }
}
