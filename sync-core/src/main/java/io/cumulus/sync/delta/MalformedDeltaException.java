package io.cumulus.sync.delta;

/** A delta or signature that cannot be read or applied: truncated, out of bounds, or over a size limit. */
public final class MalformedDeltaException extends RuntimeException {

    public MalformedDeltaException(String message) {
        super(message);
    }
}
