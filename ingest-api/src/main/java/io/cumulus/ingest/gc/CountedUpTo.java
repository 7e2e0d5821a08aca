package io.cumulus.ingest.gc;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.ingest.IngestDatabase;

/**
 * How far the reference counts can be trusted: an instant before which every accepted batch has
 * been reconciled and every reference delta it caused has been counted into {@code gc.chunk_store}.
 *
 * <p>A batch bumps its chunks' {@code ingest.account_chunks.last_used_at} when it is accepted, but its
 * {@code +1} deltas exist only once the reconciler has applied it, and count only once the counter
 * has read them. With a grace period of a day that gap never matters; with a grace of one second (the
 * tests) it would let a chunk a pending batch needs look unreferenced. So a chunk is a candidate only
 * if it was last used before this instant:
 * <ol>
 * <li>the time the oldest batch of {@code ingest.batches} without an outcome in
 *     {@code readmodel.batch_outcomes} was recorded (the reconciler emits a batch's outcomes and its
 *     deltas in one Kafka transaction), or now when every batch has one. {@code recorded_at} is the
 *     {@code now()} of the transaction that also set its chunks' {@code last_used_at}, so the two
 *     compare on one clock. And no later than the start of the oldest transaction open in the database
 *     just before (read first, from {@code pg_stat_activity}): a commit that is still open is invisible
 *     to that query, yet once it ends its batch is dated its start, and it may end before the
 *     collector locks the chunk (its own lock on the chunk covers it only while it is open);</li>
 * <li>then the end of {@code cumulus.chunk-refs.v1} (its high watermark), read after step 1, so it
 *     lies past the deltas of every batch step 1 saw reconciled;</li>
 * <li>then the counter's positions ({@code gc.consumer_positions}) must reach that end.</li>
 * </ol>
 * Not thread-safe: one collector (or fsck) thread uses one instance.
 */
public final class CountedUpTo implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CountedUpTo.class);
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(100);
    /** How long one look at what the counter has left may take; the caller looks again until its wait ends. */
    private static final Duration SCAN = Duration.ofSeconds(2);

    private final IngestDatabase db;
    private final String topic;
    private final String bootstrapServers;
    private KafkaConsumer<byte[], byte[]> kafka;
    private KafkaConsumer<byte[], byte[]> tail;
    /**
     * The last instant found: every batch recorded before it had been reconciled then (one still open
     * then would have held it back to its start), so the next look reads only the batches since.
     */
    private Instant reconciledBefore = Instant.EPOCH;

    public CountedUpTo(IngestDatabase db, String bootstrapServers, String topic) {
        this.db = Objects.requireNonNull(db, "db");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    }

    /** The consumer that reads what the counter has left, as it reads it (committed records only), opened on first use. */
    private KafkaConsumer<byte[], byte[]> kafka() {
        if (kafka == null) {
            kafka = consumer("read_committed");
        }
        return kafka;
    }

    /** The consumer that reads the topic's ends including transactions not decided yet, opened on first use. */
    private KafkaConsumer<byte[], byte[]> tail() {
        if (tail == null) {
            tail = consumer("read_uncommitted");
        }
        return tail;
    }

    private KafkaConsumer<byte[], byte[]> consumer(String isolation) {
        if (bootstrapServers.isBlank()) {
            throw new IllegalStateException("the chunk collector needs cumulus.kafka.bootstrap-servers");
        }
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
                ConsumerConfig.CLIENT_ID_CONFIG, "cumulus-chunk-collector-" + isolation.replace('_', '-'),
                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) KAFKA_TIMEOUT.toMillis(),
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) KAFKA_TIMEOUT.toMillis()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * The instant before which every reference is counted, once the counter has caught up with the
     * deltas already written; empty when it has not within {@code wait} (it is behind, or not running),
     * in which case nothing may be judged unreferenced yet.
     */
    public Optional<Instant> now(Duration wait) {
        // First the transactions still open (a commit among them may record a batch dated its start), then,
        // in a later statement, the batches recorded: one that commits in between is seen by the second.
        record Activity(Instant oldestOpen, long hidden) {
        }
        Activity activity = db.jdbc().sql("""
                        SELECT least(coalesce(min(a.xact_start), now()), now()) AS oldest_open,
                               count(*) FILTER (WHERE a.state IS NULL AND a.backend_type = 'client backend') AS hidden
                        FROM pg_stat_activity a
                        WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()""")
                .query((rs, i) -> new Activity(rs.getTimestamp("oldest_open").toInstant(), rs.getLong("hidden")))
                .single();
        if (activity.hidden() > 0) {
            // Sessions of another role whose transactions this role may not see (it needs pg_read_all_stats):
            // a commit among them could be open, so nothing is trusted.
            log.warn("chunk collection waits: {} sessions of another database role hide their transactions; connect"
                    + " every instance as one role, or grant this one pg_read_all_stats", activity.hidden());
            return Optional.empty();
        }
        Instant open = activity.oldestOpen();
        Instant unreconciled = db.jdbc().sql("""
                        SELECT coalesce(min(b.recorded_at), now()) FROM ingest.batches b
                        WHERE b.recorded_at >= ?
                          AND NOT EXISTS (SELECT 1 FROM readmodel.batch_outcomes o WHERE o.batch_id = b.id::text)""")
                .param(java.sql.Timestamp.from(reconciledBefore))
                .query(java.sql.Timestamp.class).single().toInstant();
        Instant settled = open.isBefore(unreconciled) ? open : unreconciled;
        // Every batch recorded before it was visible and reconciled: no later look needs to read those again.
        reconciledBefore = settled;
        Optional<Map<Integer, Long>> known = ends();
        if (known.isEmpty()) {
            log.info("chunk collection waits for the topic of reference deltas to exist topic={}", topic);
            return Optional.empty();
        }
        Map<Integer, Long> ends = known.get();
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Map<Integer, Long> behind = behind(ends);
            if (behind.isEmpty()) {
                return Optional.of(settled);
            }
            if (System.nanoTime() - deadline >= 0) {
                log.info("chunk collection waits for the reference counter topic={} partitionsBehind={}", topic, behind);
                return Optional.empty();
            }
            try {
                Thread.sleep(POLL.toMillis()); // polling another process's progress in the database: no event to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    /**
     * The end offset of each partition that has any record: its high watermark, past the records of
     * transactions not decided yet. Not the last stable offset: the reconciler's transaction is
     * decided before the markers reach every partition, so a batch's outcome can be read while the
     * marker of its deltas' partition, and so the stable offset there, still lags. Empty when the
     * topic is not known (yet): then nothing says the counts are complete.
     */
    private Optional<Map<Integer, Long>> ends() {
        List<PartitionInfo> partitions = tail().partitionsFor(topic, KAFKA_TIMEOUT);
        Map<Integer, Long> ends = new HashMap<>();
        if (partitions == null || partitions.isEmpty()) {
            return Optional.empty();
        }
        List<TopicPartition> tps = partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        tail().endOffsets(tps, KAFKA_TIMEOUT).forEach((tp, end) -> {
            if (end > 0) {
                ends.put(tp.partition(), end);
            }
        });
        return Optional.of(ends);
    }

    /**
     * The partitions whose counted position is short of {@code ends}, with how many deltas are left.
     * The counter's position is the offset after the last delta it counted, and the end of a
     * transactional topic lies past commit markers (and aborted records) that are not deltas: so a
     * partition whose position is short of its end is read from that position to its end, and is
     * behind if a committed delta lies there, or if the read cannot reach the end yet (a transaction
     * there is not decided).
     */
    private Map<Integer, Long> behind(Map<Integer, Long> ends) {
        if (ends.isEmpty()) {
            return Map.of();
        }
        Map<Integer, Long> positions = new HashMap<>();
        db.jdbc().sql("SELECT partition, next_offset FROM gc.consumer_positions WHERE topic = ?")
                .param(topic)
                .query(rs -> {
                    positions.put(rs.getInt("partition"), rs.getLong("next_offset"));
                });
        Map<TopicPartition, Long> shortOf = new HashMap<>();
        ends.forEach((partition, end) -> {
            long at = positions.getOrDefault(partition, 0L);
            if (at < end) {
                shortOf.put(new TopicPartition(topic, partition), at);
            }
        });
        if (shortOf.isEmpty()) {
            return Map.of();
        }
        KafkaConsumer<byte[], byte[]> kafka = kafka();
        // Every partition stays assigned from one look to the next (re-assigning would drop requests in
        // flight); the ones with nothing left to count are paused.
        Set<TopicPartition> all = new HashSet<>(kafka.assignment());
        all.addAll(shortOf.keySet());
        if (!all.equals(kafka.assignment())) {
            kafka.assign(all);
        }
        kafka.pause(all.stream().filter(tp -> !shortOf.containsKey(tp)).toList());
        kafka.resume(shortOf.keySet());
        shortOf.forEach(kafka::seek);
        Map<Integer, Long> behind = new HashMap<>();
        long deadline = System.nanoTime() + SCAN.toNanos();
        while (shortOf.keySet().stream().anyMatch(tp -> kafka.position(tp, KAFKA_TIMEOUT) < ends.get(tp.partition()))
                && System.nanoTime() - deadline < 0) {
            kafka.poll(POLL).forEach(r -> {
                if (r.offset() < ends.get(r.partition())) {
                    behind.merge(r.partition(), 1L, Long::sum);
                }
            });
        }
        shortOf.keySet().stream().filter(tp -> kafka.position(tp, KAFKA_TIMEOUT) < ends.get(tp.partition()))
                .forEach(tp -> behind.putIfAbsent(tp.partition(), ends.get(tp.partition()) - kafka.position(tp)));
        return behind;
    }

    @Override
    public void close() {
        if (kafka != null) {
            kafka.close(Duration.ofSeconds(5));
            kafka = null;
        }
        if (tail != null) {
            tail.close(Duration.ofSeconds(5));
            tail = null;
        }
    }
}
