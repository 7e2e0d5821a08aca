package io.cumulus.schemas;

/**
 * A record a consumer cannot handle (not decodable, or not the shape the contract promises).
 * Skipping it would leave a silent hole in what the consumer derives from the topic (a read model,
 * reference counts), so the consumer stops at it; the coordinates say which record an operator must
 * look at.
 */
public final class PoisonRecordException extends RuntimeException {
    private final String topic;
    private final int partition;
    private final long offset;

    /** @param action what the consumer does with records, for the message ("project", "count") */
    public PoisonRecordException(String action, String topic, int partition, long offset, String reason, Throwable cause) {
        super("cannot " + action + " " + topic + "-" + partition + "@" + offset + ": " + reason, cause);
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
