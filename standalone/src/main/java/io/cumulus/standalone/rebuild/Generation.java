package io.cumulus.standalone.rebuild;

import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

/**
 * One new generation of a {@link Projection} while it is being built: created empty by
 * {@link Projection#newGeneration()}, filled by {@link #apply}, then either made the live one by
 * {@link #switchOver} or thrown away by {@link #drop}. Every method is called from the one job thread
 * of its rebuild, never concurrently.
 */
public interface Generation {

    /** Its number (2 for the first rebuild of a store). */
    int number();

    /** Where it lives, for people and logs: "schema readmodel_g2", "keyspace cumulus_sync_g2". */
    String location();

    /**
     * Writes one poll of records of {@link Projection#topics()} (in offset order within each partition)
     * with the module's own writer code pointed at this generation, together with its positions. A
     * record at or after its partition's position is applied exactly once; a record before it (read
     * again after a retry) changes nothing.
     */
    void apply(ConsumerRecords<byte[], byte[]> records) throws Exception;

    /** The next offset to apply of every partition this generation has applied anything of. */
    Map<TopicPartition, Long> positions() throws Exception;

    /**
     * Makes this generation the live one: the one the API reads and the live worker writes, at once,
     * losing nothing the live worker wrote meanwhile. Called when the rebuild has caught up; the
     * implementation holds off the live worker (a lock), brings this generation up to what the live one
     * has with {@link CatchUp#until}, switches, and retires the old generation (dropped, as
     * docs/decisions/0034 says). A failure before the switch leaves the live generation untouched.
     */
    void switchOver(CatchUp catchUp) throws Exception;

    /** Drops this generation (an abort or a failure): the live one is not touched. Idempotent. */
    void drop() throws Exception;

    /**
     * How a generation catches up while it holds the live worker off in {@link #switchOver}: the job's
     * consumer keeps reading and applying until the positions are reached.
     */
    interface CatchUp {
        /** Reads and {@linkplain #apply applies} until every partition named is at or past its offset. */
        void until(Map<TopicPartition, Long> positions) throws Exception;

        /** The end offsets (last stable offsets) of every partition of the projection's topics, now. */
        Map<TopicPartition, Long> endOffsets() throws Exception;
    }
}
