package io.cumulus.gc.refs;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.gc.ChunkGcConfig;
import io.cumulus.gc.GcSchema;
import io.cumulus.schemas.Correlation;
import io.cumulus.schemas.PoisonRecordException;

/**
 * Keeps {@code gc.chunk_store}'s reference counts up to date with the chunk-refs topic, counting
 * every delta exactly once. One thread polls; each poll is counted in one database transaction that
 * also moves the partitions' positions in {@code gc.consumer_positions} ({@link RefCountStore}).
 * When it is given partitions it seeks to those positions, so neither a stale nor a lost Kafka offset
 * (a new group, a restored database) can skip or repeat a delta; and the transaction itself skips
 * whatever its positions have passed, so a redelivery that gets that far anyway counts nothing. The
 * group's Kafka offsets are committed after each transaction for progress and lag only.
 *
 * <p>A transient database failure is retried with a growing pause after rewinding to the poll's
 * first records. A record that cannot be counted stops the consumer: it is logged with its
 * coordinates and reported by {@link #failure()}.
 */
public final class RefCountConsumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RefCountConsumer.class);
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration FIRST_RETRY_BACKOFF = Duration.ofMillis(100);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final ChunkGcConfig config;
    private final DataSource dataSource;
    private final RefCountStore store;
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile Throwable failure;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;

    public RefCountConsumer(ChunkGcConfig config, DataSource dataSource) {
        this.config = config;
        this.dataSource = dataSource;
        this.store = new RefCountStore(dataSource, GcSchema.NAME);
    }

    /** Makes sure the {@code gc} schema exists, then starts the poll loop on its own thread. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("the reference count consumer was already started");
        }
        GcSchema.migrate(dataSource);
        consumer = new KafkaConsumer<>(consumerProperties(config), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        thread = new Thread(this::run, "cumulus-chunk-refs");
        thread.start();
        log.info("chunk reference counting started group={} topic={}", config.groupId(), config.chunkRefsTopic());
    }

    /** Why the consumer stopped on its own, if it did (a poison record or a permanent database error). */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** Whether the poll loop is running: started, not closed and not stopped by a failure. */
    public boolean isRunning() {
        Thread t = thread;
        return t != null && t.isAlive() && closing.getCount() > 0;
    }

    @Override
    public synchronized void close() {
        closing.countDown();
        if (thread == null) {
            return;
        }
        consumer.wakeup();
        try {
            thread.join(CLOSE_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.error("chunk reference counting did not stop within {}", CLOSE_TIMEOUT);
        }
    }

    private void run() {
        try {
            consumer.subscribe(List.of(config.chunkRefsTopic()), new SeekToCountedPositions());
            Duration backoff = FIRST_RETRY_BACKOFF;
            while (closing.getCount() > 0) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL_TIMEOUT);
                if (records.isEmpty()) {
                    continue;
                }
                RefDeltaBatch batch = RefDeltaBatch.decode(records, config.chunkRefsTopic());
                RefCountStore.Applied applied;
                try {
                    applied = store.apply(batch);
                } catch (SQLException e) {
                    if (!RefCountStore.isTransient(e)) {
                        throw e;
                    }
                    log.error("counting chunk references failed, retrying group={} records={} backoff={} error={}",
                            config.groupId(), records.count(), backoff, e.toString());
                    rewind(records);
                    pause(backoff);
                    backoff = min(backoff.multipliedBy(2), config.maxRetryBackoff());
                    continue;
                }
                backoff = FIRST_RETRY_BACKOFF;
                applied.negativeCounts().forEach((chunk, count) -> log.error(
                        "chunk reference count below zero, chunk kept until it is repaired chunk={} refCount={}",
                        chunk, count));
                if (applied.skipped() > 0) {
                    log.info("chunk reference deltas delivered again, skipped group={} skipped={}", config.groupId(),
                            applied.skipped());
                }
                commitProgress();
                log.debug("chunk references counted deltas={} skipped={}", applied.counted(), applied.skipped());
                if (log.isDebugEnabled()) {
                    Correlation.forEach(records, r -> log.debug("chunk reference delta counted partition={} offset={} chunk={}",
                            r.partition(), r.offset(), r.key() == null ? null
                                    : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8)));
                }
            }
        } catch (WakeupException e) {
            if (closing.getCount() > 0) {
                fail(e);
            }
        } catch (PoisonRecordException e) {
            log.error("poison record, chunk reference counting stopped topic={} partition={} offset={}", e.topic(),
                    e.partition(), e.offset(), e);
            failure = e;
        } catch (Exception | Error e) {
            fail(e);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            log.info("chunk reference counting stopped group={}", config.groupId());
        }
    }

    /**
     * Starts each partition it is given where the database says counting stopped; a partition that
     * never counted anything starts at its beginning. When the positions cannot be read, starting at
     * the beginning is still correct (the transaction skips every delta counted before), only slower.
     */
    private final class SeekToCountedPositions implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            Map<Integer, Long> positions;
            try {
                positions = store.positions(config.chunkRefsTopic(),
                        partitions.stream().map(TopicPartition::partition).toList());
            } catch (SQLException e) {
                log.warn("counted positions unreadable, reading the partitions from their start partitions={} error={}",
                        partitions, e.toString());
                consumer.seekToBeginning(partitions);
                return;
            }
            for (TopicPartition partition : partitions) {
                Long next = positions.get(partition.partition());
                if (next == null) {
                    consumer.seekToBeginning(List.of(partition));
                } else {
                    consumer.seek(partition, next);
                }
            }
            log.info("chunk-refs partitions assigned group={} positions={}", config.groupId(), positions);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // Nothing to hand over: the positions are in the database with the counts they cover.
        }
    }

    /** Sets every partition of a failed poll back to its first record of that poll. */
    private void rewind(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            consumer.seek(partition, records.records(partition).get(0).offset());
        }
    }

    /**
     * Commits the group's offsets so that its lag shows how far counting is. Correctness never
     * depends on them, so a failed commit is only logged; the next one covers it.
     */
    private void commitProgress() {
        try {
            consumer.commitSync();
        } catch (CommitFailedException | RetriableException e) {
            log.warn("offset commit failed, will be covered by the next one group={} error={}", config.groupId(),
                    e.toString());
        }
    }

    private void pause(Duration backoff) throws InterruptedException {
        closing.await(backoff.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void fail(Throwable e) {
        log.error("chunk reference counting stopped by an error group={}", config.groupId(), e);
        failure = e;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Map<String, Object> consumerProperties(ChunkGcConfig config) {
        Map<String, Object> p = new HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, config.groupId(),
                // The reconciler writes the deltas in Kafka transactions: count only committed ones.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000,
                // A crashed member holds its partitions until its session times out: keep that short.
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000,
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000));
        config.instanceId().ifPresent(id -> p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
        return p;
    }
}
