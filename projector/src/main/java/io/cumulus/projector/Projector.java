package io.cumulus.projector;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.datastax.oss.driver.api.core.CqlSession;

import io.cumulus.schemas.PipelineStages;
import io.cumulus.schemas.PoisonRecordException;

/**
 * Keeps the PostgreSQL read model ({@code readmodel.files}, {@code feed}, {@code batch_outcomes})
 * up to date with the file-event and outcome topics. One thread polls; each poll is written in one
 * database transaction together with the partitions' positions ({@code readmodel.consumer_positions}),
 * and the projector starts each partition it is given at its position there, so the read model, not the
 * group's offsets, says where projecting resumes: a read model rebuilt into a new generation and switched
 * to (docs/decisions/0034) is continued where it stands, and the records its positions have passed are
 * left out. The group's offsets are still committed after each poll, for lag, and are where a partition
 * without a position starts. Every write is idempotent besides, so a record written twice changes nothing.
 *
 * <p>A transient database failure (the server restarting, a broken connection) is retried with a
 * growing pause after rewinding to the last committed offsets. A record that cannot be projected
 * stops the projector: it is logged with its coordinates and reported by {@link #failure()}.
 *
 * <p>With a Cassandra sync state ({@link ProjectorConfig#cassandra()}), each poll's file events go to
 * Cassandra first, then the poll goes to PostgreSQL, then the offsets are committed: whatever
 * PostgreSQL shows (a batch {@code done}) Cassandra already has, so a device told its batch is done
 * finds the change in the Cassandra feed. Cassandra being unreachable is retried like a transient
 * database failure; the retry loop's growing pause is the projector's circuit breaker (one thread,
 * no caller waiting on it).
 */
public final class Projector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Projector.class);
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration FIRST_RETRY_BACKOFF = Duration.ofMillis(100);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final ProjectorConfig config;
    private final DataSource dataSource;
    private final ReadModelWriter writer;
    private CqlSession cassandra;
    private GenerationalSyncStateWriter syncState;
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile Throwable failure;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;

    public Projector(ProjectorConfig config, DataSource dataSource) {
        this.config = config;
        this.dataSource = dataSource;
        this.writer = new ReadModelWriter(dataSource, ReadModelSchema.NAME);
    }

    /** Makes sure the read-model schema exists, then starts the poll loop on its own thread. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("the projector was already started");
        }
        ReadModelSchema.migrate(dataSource);
        config.cassandra().ifPresent(settings -> {
            cassandra = settings.openSession();
            CassandraSyncStateSchema.create(cassandra, settings);
            try {
                syncState = new GenerationalSyncStateWriter(dataSource, cassandra, settings);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read the live generation of the sync state: " + e.getMessage(), e);
            }
        });
        consumer = new KafkaConsumer<>(consumerProperties(config), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        thread = new Thread(this::run, "cumulus-projector");
        thread.start();
        log.info("projector started group={} topics={}", config.groupId(), topics());
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
            closeCassandra();
            return;
        }
        consumer.wakeup();
        try {
            thread.join(CLOSE_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.error("projector did not stop within {}", CLOSE_TIMEOUT);
        }
        closeCassandra();
    }

    private void closeCassandra() {
        if (cassandra != null) {
            cassandra.close();
        }
    }

    private void run() {
        try {
            consumer.subscribe(topics(), new SeekToProjectedPositions());
            Duration backoff = FIRST_RETRY_BACKOFF;
            while (closing.getCount() > 0) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL_TIMEOUT);
                if (records.isEmpty()) {
                    continue;
                }
                ProjectionBatch batch = ProjectionBatch.decode(records, config);
                try {
                    if (syncState != null) {
                        syncState.write(batch);
                    }
                    writer.write(batch);
                } catch (SQLException | CassandraUnavailableException e) {
                    if (e instanceof SQLException sql && !ReadModelWriter.isTransient(sql)) {
                        throw e;
                    }
                    log.error("projection failed, retrying group={} records={} backoff={} error={}",
                            config.groupId(), records.count(), backoff, e.toString());
                    rewind(records);
                    pause(backoff);
                    backoff = min(backoff.multipliedBy(2), config.maxRetryBackoff());
                    continue;
                }
                backoff = FIRST_RETRY_BACKOFF;
                // Every record is stamped with its batch's acceptance time.
                records.forEach(r -> PipelineStages.sinceEpoch(PipelineStages.ACCEPTED_TO_PROJECTED, r.timestamp()));
                commit();
                log.debug("projected events={} outcomes={}", batch.events().size(), batch.outcomes().size());
            }
        } catch (WakeupException e) {
            if (closing.getCount() > 0) {
                fail(e);
            }
        } catch (PoisonRecordException e) {
            log.error("poison record, projector stopped topic={} partition={} offset={}", e.topic(), e.partition(),
                    e.offset(), e);
            failure = e;
        } catch (Exception | Error e) {
            fail(e);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            log.info("projector stopped group={}", config.groupId());
        }
    }

    /**
     * Starts each partition it is given at the read model's position; a partition without one (never
     * projected since positions exist) starts at the group's offset. When the positions cannot be read,
     * the group's offsets are still correct: the write leaves out what the positions have passed.
     */
    private final class SeekToProjectedPositions implements org.apache.kafka.clients.consumer.ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(java.util.Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            Map<TopicPartition, Long> positions;
            try {
                positions = writer.positions(topics());
            } catch (SQLException e) {
                log.warn("read model positions unreadable, starting at the group's offsets partitions={} error={}",
                        partitions, e.toString());
                return;
            }
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> seeked = new java.util.HashMap<>();
            for (TopicPartition partition : partitions) {
                Long next = positions.get(partition);
                // The Cassandra sync state needs every record past the group's offset (a rebuilt read model may be
                // ahead of it): with it, a position ahead is not jumped to; the writer leaves those records out anyway.
                if (next != null && (syncState == null || next < consumer.position(partition))) {
                    consumer.seek(partition, next);
                    seeked.put(partition, new org.apache.kafka.clients.consumer.OffsetAndMetadata(next));
                }
            }
            // The group's offsets show how far the read model is, from the start: a partition with nothing new
            // to project would otherwise keep whatever the group committed before.
            try {
                consumer.commitSync(seeked);
            } catch (RuntimeException e) {
                log.warn("committing the read model's positions to the group failed, lag shows late group={} error={}",
                        config.groupId(), e.toString());
            }
            log.info("projector partitions assigned group={} partitions={} positions={}", config.groupId(), partitions.size(),
                    positions.size());
        }

        @Override
        public void onPartitionsRevoked(java.util.Collection<TopicPartition> partitions) {
            // Nothing to hand over: the positions are in the database with the rows they cover.
        }
    }

    /**
     * Sets every partition of a failed poll back to its first record of that poll. Each poll is
     * committed before the next one, so that is the last committed offset: the same records come
     * again on the next poll.
     */
    private void rewind(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            consumer.seek(partition, records.records(partition).get(0).offset());
        }
    }

    /**
     * Commits the position of every assigned partition: everything polled so far is in the database.
     * A commit that fails is not fatal: the next one covers the same offsets, and a redelivery of
     * what was written is a no-op.
     */
    private void commit() {
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
        log.error("projector stopped by an error group={}", config.groupId(), e);
        failure = e;
    }

    private List<String> topics() {
        return List.of(config.fileEventsTopic(), config.outcomesTopic());
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Map<String, Object> consumerProperties(ProjectorConfig config) {
        Map<String, Object> p = new java.util.HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, config.groupId(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                // An edit must reach another device well under a second: never let the broker sit on a fetch.
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000,
                // A crashed member holds its partitions until its session times out: keep that short.
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000,
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000));
        config.instanceId().ifPresent(id -> p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
        return p;
    }
}
