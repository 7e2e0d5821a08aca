package io.cumulus.photos.albums;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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

import io.cumulus.photos.PhotosSchema;
import io.cumulus.schemas.PoisonRecordException;

/**
 * Keeps {@code photos.albums}, {@code album_photos} and {@code favourites} up to date with the album
 * events, applying every event exactly once. One thread polls; each poll is applied in one database
 * transaction that also moves the partitions' positions in {@code photos.consumer_positions}
 * ({@link AlbumStore}). When it is given partitions it seeks to those positions, so neither a stale
 * nor a lost Kafka offset (a new group, a restored database, the tables emptied for a replay) can skip
 * or repeat an event. The group's Kafka offsets are committed after each transaction for lag only.
 *
 * <p>The ingest API waits for these positions to pass the offset of the event it published before it
 * answers with the album's new state.
 *
 * <p>A transient database failure is retried with a growing pause after rewinding to the poll's
 * first records. A record that cannot be projected stops the projector: it is logged with its
 * coordinates and reported by {@link #failure()}.
 */
public final class AlbumProjector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AlbumProjector.class);
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration FIRST_RETRY_BACKOFF = Duration.ofMillis(100);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final AlbumProjectorConfig config;
    private final AlbumStore store;
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile Throwable failure;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;

    public AlbumProjector(AlbumProjectorConfig config) {
        this.config = config;
        this.store = new AlbumStore(config.dataSource());
    }

    /** Makes sure the {@code photos} schema is current, then starts the poll loop on its own thread. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("the album projector was already started");
        }
        PhotosSchema.migrate(config.dataSource());
        consumer = new KafkaConsumer<>(consumerProperties(config), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        thread = new Thread(this::run, "cumulus-album-projector");
        thread.start();
        log.info("album projection started group={} topic={}", config.groupId(), config.topic());
    }

    /** Why the projector stopped on its own, if it did (a poison record or a permanent database error). */
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
            log.error("album projection did not stop within {}", CLOSE_TIMEOUT);
        }
    }

    private void run() {
        try {
            consumer.subscribe(List.of(config.topic()), new SeekToProjectedPositions());
            Duration backoff = FIRST_RETRY_BACKOFF;
            while (closing.getCount() > 0) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL_TIMEOUT);
                if (records.isEmpty()) {
                    continue;
                }
                AlbumEventBatch batch = AlbumEventBatch.decode(records, config.topic());
                AlbumStore.Applied applied;
                try {
                    applied = store.apply(batch);
                } catch (SQLException e) {
                    if (!AlbumStore.isTransient(e)) {
                        throw e;
                    }
                    log.error("projecting album events failed, retrying group={} records={} backoff={} error={}",
                            config.groupId(), records.count(), backoff, e.toString());
                    rewind(records);
                    pause(backoff);
                    backoff = min(backoff.multipliedBy(2), config.maxRetryBackoff());
                    continue;
                }
                backoff = FIRST_RETRY_BACKOFF;
                for (AlbumStore.Ignored i : applied.ignored()) {
                    log.warn("album event ignored kind={} namespace={} album={} event={} partition={} offset={} reason={}",
                            i.event().event().getKind(), i.event().event().getNamespaceId(), i.event().event().getAlbumId(),
                            i.event().event().getEventId(), i.event().partition(), i.event().offset(), i.reason());
                }
                if (applied.skipped() > 0) {
                    log.info("album events delivered again, skipped group={} skipped={}", config.groupId(), applied.skipped());
                }
                commitProgress();
                log.debug("album events projected applied={} ignored={} skipped={}", applied.applied(),
                        applied.ignored().size(), applied.skipped());
            }
        } catch (WakeupException e) {
            if (closing.getCount() > 0) {
                fail(e);
            }
        } catch (PoisonRecordException e) {
            log.error("poison record, album projection stopped topic={} partition={} offset={}", e.topic(),
                    e.partition(), e.offset(), e);
            failure = e;
        } catch (Exception | Error e) {
            fail(e);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            log.info("album projection stopped group={}", config.groupId());
        }
    }

    /**
     * Starts each partition it is given where the database says projection stopped; a partition that
     * never projected anything starts at its beginning. When the positions cannot be read, starting at
     * the beginning is still correct (the transaction skips every event applied before), only slower.
     */
    private final class SeekToProjectedPositions implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            Map<Integer, Long> positions;
            try {
                positions = store.positions(config.topic(), partitions.stream().map(TopicPartition::partition).toList());
            } catch (SQLException e) {
                log.warn("album positions unreadable, reading the partitions from their start partitions={} error={}",
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
            log.info("album event partitions assigned group={} positions={}", config.groupId(), positions);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // Nothing to hand over: the positions are in the database with the rows they cover.
        }
    }

    private void rewind(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            consumer.seek(partition, records.records(partition).get(0).offset());
        }
    }

    /** Commits the group's offsets so that its lag shows how far projection is; correctness never depends on them. */
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
        log.error("album projection stopped by an error group={}", config.groupId(), e);
        failure = e;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Map<String, Object> consumerProperties(AlbumProjectorConfig config) {
        Map<String, Object> p = new HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, config.groupId(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500,
                // A person waits for this projection after each album request: a poll returns as soon as one record is there.
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50,
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000,
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000));
        config.instanceId().ifPresent(id -> p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
        return p;
    }
}
