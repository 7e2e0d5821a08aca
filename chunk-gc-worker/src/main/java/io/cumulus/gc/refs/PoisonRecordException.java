package io.cumulus.gc.refs;

/**
 * A chunk-refs record that cannot be counted (not decodable, an invalid chunk id, a delta other than
 * +1 or -1). Skipping it would leave a count wrong for good, and a wrong count either keeps garbage
 * or, worse, lets a referenced chunk look unreferenced; so the consumer stops at it, and the
 * coordinates say which record an operator must look at.
 */
public final class PoisonRecordException extends RuntimeException {
    private final String topic;
    private final int partition;
    private final long offset;

    public PoisonRecordException(String topic, int partition, long offset, String reason, Throwable cause) {
        super("cannot count " + topic + "-" + partition + "@" + offset + ": " + reason, cause);
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
