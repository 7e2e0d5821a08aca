package io.cumulus.photos.albums;

import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.photos.PhotosSchema;
import io.cumulus.photos.PositionedConsumer;
import io.cumulus.schemas.Correlation;

/**
 * Keeps {@code photos.albums}, {@code album_photos}, {@code album_members} and {@code favourites} up to date with the album
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
    private static final Duration FIRST_RETRY_BACKOFF = Duration.ofMillis(100);

    private final AlbumProjectorConfig config;
    private final AlbumStore store;
    private final PositionedConsumer loop;

    public AlbumProjector(AlbumProjectorConfig config) {
        this.config = config;
        this.store = new AlbumStore(config.dataSource());
        this.loop = new PositionedConsumer("album projection", config.topic(), consumerProperties(config),
                partitions -> store.positions(config.topic(), partitions), FIRST_RETRY_BACKOFF, config.maxRetryBackoff(),
                this::project);
    }

    /** Makes sure the {@code photos} schema is current, then starts the poll loop on its own thread. */
    public synchronized void start() {
        PhotosSchema.migrate(config.dataSource());
        loop.start();
        log.info("album projection started group={} topic={}", config.groupId(), config.topic());
    }

    /** Why the projector stopped on its own, if it did (a poison record or a permanent database error). */
    public Optional<Throwable> failure() {
        return loop.failure();
    }

    /** Whether the poll loop is running: started, not closed and not stopped by a failure. */
    public boolean isRunning() {
        return loop.isRunning();
    }

    @Override
    public synchronized void close() {
        loop.close();
    }

    private void project(ConsumerRecords<byte[], byte[]> records) throws SQLException, PositionedConsumer.Retry {
        AlbumEventBatch batch = AlbumEventBatch.decode(records, config.topic());
        AlbumStore.Applied applied;
        try {
            applied = store.apply(batch);
        } catch (SQLException e) {
            if (!AlbumStore.isTransient(e)) {
                throw e;
            }
            throw new PositionedConsumer.Retry(e);
        }
        for (AlbumStore.Ignored i : applied.ignored()) {
            log.warn("album event ignored kind={} namespace={} album={} event={} partition={} offset={} reason={}",
                    i.event().event().getKind(), i.event().event().getNamespaceId(), i.event().event().getAlbumId(),
                    i.event().event().getEventId(), i.event().partition(), i.event().offset(), i.reason());
        }
        if (applied.skipped() > 0) {
            log.info("album events delivered again, skipped group={} skipped={}", config.groupId(), applied.skipped());
        }
        log.debug("album events projected applied={} ignored={} skipped={}", applied.applied(), applied.ignored().size(),
                applied.skipped());
        if (log.isDebugEnabled()) {
            Correlation.forEach(records, r -> log.debug("album event projected partition={} offset={}", r.partition(),
                    r.offset()));
        }
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
