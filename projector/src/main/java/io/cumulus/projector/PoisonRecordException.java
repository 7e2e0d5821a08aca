package io.cumulus.projector;

/**
 * A record the projector cannot turn into read-model rows (not decodable, or not the shape the
 * contract promises). Skipping it would leave a silent hole in the read model, so the projector
 * stops at it; the coordinates say which record an operator must look at.
 */
public final class PoisonRecordException extends RuntimeException {
    private final String topic;
    private final int partition;
    private final long offset;

    public PoisonRecordException(String topic, int partition, long offset, String reason, Throwable cause) {
        super("cannot project " + topic + "-" + partition + "@" + offset + ": " + reason, cause);
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    public long offset() {
        return offset;
    }
}
