package io.cumulus.ingest.gc;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.apache.kafka.common.KafkaException;

import io.cumulus.ingest.IngestDatabase;

/**
 * Whether fsck may trust the reference counts of {@code gc.chunk_store}, asked through
 * {@link CountedUpTo}, with the reason for a no in words an operator can act on: the counter has never
 * run on this database, no Kafka is configured, Kafka cannot be reached, or the counter is behind. A
 * counter that cannot be asked is treated like one that is behind: the counts are not compared, and
 * nothing is deleted. One per fsck run; close it after.
 */
final class CounterCheck implements AutoCloseable {
    private final IngestDatabase db;
    private final String bootstrapServers;
    private final String topic;
    private final Duration wait;
    private CountedUpTo counted;
    private String note;

    CounterCheck(IngestDatabase db, String bootstrapServers, String topic, Duration wait) {
        this.db = db;
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.wait = wait;
    }

    /** The instant before which every batch's references are counted; empty (see {@link #note}) when the counts cannot be trusted. */
    Optional<Instant> countedUpTo() {
        note = null;
        boolean counterTables = Boolean.TRUE.equals(db.jdbc().sql("""
                        SELECT to_regclass('gc.chunk_store') IS NOT NULL AND to_regclass('gc.consumer_positions') IS NOT NULL""")
                .query(Boolean.class).single());
        if (!counterTables) {
            note = "the reference counter's tables (gc.chunk_store) do not exist: the counter has never run on this database";
            return Optional.empty();
        }
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            note = "no Kafka is configured (cumulus.kafka.bootstrap-servers), so the counter's progress cannot be checked";
            return Optional.empty();
        }
        try {
            if (counted == null) {
                counted = new CountedUpTo(db, bootstrapServers, topic);
            }
            Optional<Instant> at = counted.now(wait);
            if (at.isEmpty()) {
                note = "the reference counter is behind or not running: it had not counted every reference delta of "
                        + topic + " within " + wait.toSeconds() + " s";
            }
            return at;
        } catch (KafkaException e) {
            note = "Kafka cannot be reached to check the counter's progress: " + e.getMessage();
            return Optional.empty();
        }
    }

    /** Why the last {@link #countedUpTo} was empty, or null. */
    String note() {
        return note;
    }

    @Override
    public void close() {
        if (counted != null) {
            counted.close();
        }
    }
}
