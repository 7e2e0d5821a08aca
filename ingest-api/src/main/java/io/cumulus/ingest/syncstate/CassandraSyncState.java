package io.cumulus.ingest.syncstate;

import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.connection.BusyConnectionException;
import com.datastax.oss.driver.api.core.connection.ClosedConnectionException;
import com.datastax.oss.driver.api.core.connection.HeartbeatException;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.servererrors.BootstrappingException;
import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import com.datastax.oss.driver.api.core.servererrors.QueryConsistencyException;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;

import io.cumulus.ingest.IngestDatabase;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sync state in Cassandra: the feed, files and heads that the projector writes (its
 * {@code CassandraSyncStateSchema}), and the device cursors, which this class owns and creates. Every
 * request has the session's timeout, and runs behind one of two circuit breakers,
 * {@code cassandra-read} and {@code cassandra-write} (the cursors), in the API's breaker registry:
 * only unavailability counts against them (no node, a timeout, too few replicas), and while one is
 * open its calls fail at once with {@link SyncStateUnavailableException} (503 with
 * {@code Retry-After}); after the registry's open time a few calls probe Cassandra, and the breaker
 * closes by itself when they succeed.
 *
 * <p>Cursors are written with {@code USING TIMESTAMP <seq>}: the highest seq wins whatever the
 * order of the writes, without a lightweight transaction.
 */
public final class CassandraSyncState implements SyncState, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CassandraSyncState.class);
    private static final Duration DDL_TIMEOUT = Duration.ofSeconds(60);

    private final CqlSession session;
    private final String ks;
    /** The keyspace of the feed, files and heads: the live generation's (the cursors stay in {@link #ks}). */
    private final Supplier<String> live;
    private final FeedBuckets buckets;
    private final CircuitBreaker read;
    private final CircuitBreaker write;
    private final Clock clock;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Map<String, PreparedStatement> prepared = new ConcurrentHashMap<>();

    private CassandraSyncState(CqlSession session, CassandraSettings settings, CircuitBreakerRegistry breakers, Clock clock,
            Supplier<String> live) {
        this.session = session;
        this.ks = settings.keyspace();
        this.live = live;
        this.buckets = new FeedBuckets(settings.feedBucketSize());
        CircuitBreakerConfig config = CircuitBreakerConfig.from(breakers.getDefaultConfig())
                .recordExceptions(SyncStateUnavailableException.class)
                .build();
        this.read = breakers.circuitBreaker("cassandra-read", config);
        this.write = breakers.circuitBreaker("cassandra-write", config);
        this.clock = clock;
        for (CircuitBreaker b : new CircuitBreaker[] {read, write}) {
            b.getEventPublisher().onStateTransition(e -> log.warn("circuit breaker transition breaker={} transition={}",
                    e.getCircuitBreakerName(), e.getStateTransition()));
        }
    }

    /**
     * Connects, and creates the keyspace and the cursors table when missing. The feed, files and heads
     * tables are the projector's; their statements are prepared on first use, so the API may start
     * first. Fails when no contact point answers.
     */
    public static CassandraSyncState open(CassandraSettings settings, CircuitBreakerRegistry breakers) {
        return open(settings, breakers, settings::keyspace);
    }

    /**
     * As {@link #open(CassandraSettings, CircuitBreakerRegistry)}, reading the feed, files and heads from
     * the live generation that {@code db} names (a rebuild of the sync state switches it).
     */
    public static CassandraSyncState open(CassandraSettings settings, CircuitBreakerRegistry breakers, IngestDatabase db) {
        return open(settings, breakers, new LiveKeyspace(db, settings.keyspace(), Clock.systemUTC()));
    }

    private static CassandraSyncState open(CassandraSettings settings, CircuitBreakerRegistry breakers,
            Supplier<String> live) {
        CqlSession session = settings.openSession();
        try {
            String ks = settings.keyspace();
            ddl(session, "CREATE KEYSPACE IF NOT EXISTS " + ks + " WITH replication = " + settings.replication());
            ddl(session, "CREATE TABLE IF NOT EXISTS " + ks + ".device_cursors (namespace_id uuid, device_id uuid,"
                    + " seq bigint, updated_at timestamp, PRIMARY KEY ((namespace_id), device_id))");
            log.info("sync state on cassandra contactPoints={} datacenter={} keyspace={} consistency={}",
                    settings.contactPoints(), settings.localDatacenter(), ks, settings.consistency());
            return new CassandraSyncState(session, settings, breakers, Clock.systemUTC(), live);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    @Override
    public List<FeedEntry> feed(UUID namespaceId, long afterSeq, int limit) {
        return guarded(read, () -> buckets.page(afterSeq, readHead(namespaceId), limit, (bucket, after, n) ->
                session.execute(statement("SELECT seq, file_id, path, op, vector, chunks, size, device_id, batch_id,"
                                + " change_index, conflict_of, at, merge_pending FROM " + live.get() + ".feed"
                                + " WHERE namespace_id = ? AND bucket = ? AND seq > ? ORDER BY seq LIMIT ?")
                                .bind(namespaceId, bucket, after, n).setIdempotent(true))
                        .all().stream().map(this::feedEntry).toList()));
    }

    @Override
    public long head(UUID namespaceId) {
        return guarded(read, () -> readHead(namespaceId));
    }

    @Override
    public Optional<FileEntry> file(UUID namespaceId, String fileId) {
        return guarded(read, () -> Optional.ofNullable(session.execute(statement("SELECT path, deleted, vector, chunks,"
                        + " size, seq, updated_at, merge_pending FROM " + live.get() + ".files WHERE namespace_id = ? AND file_id = ?")
                        .bind(namespaceId, fileId).setIdempotent(true)).one())
                .map(r -> new FileEntry(namespaceId, fileId, r.getString("path"), r.getBoolean("deleted"),
                        tree(r.getString("vector")), tree(r.getString("chunks")), r.getLong("size"), r.getLong("seq"),
                        r.getInstant("updated_at"), mergePending(r))));
    }

    @Override
    public void recordCursor(UUID namespaceId, UUID deviceId, long seq) {
        if (seq < 0) {
            throw new IllegalArgumentException("a cursor is a seq >= 0, not " + seq);
        }
        guarded(write, () -> session.execute(statement("INSERT INTO " + ks + ".device_cursors (namespace_id, device_id,"
                        + " seq, updated_at) VALUES (?, ?, ?, ?) USING TIMESTAMP ?")
                .bind(namespaceId, deviceId, seq, clock.instant(), seq).setIdempotent(true)));
    }

    @Override
    public List<DeviceCursor> cursors(UUID namespaceId) {
        return guarded(read, () -> session.execute(statement("SELECT device_id, seq, updated_at FROM " + ks
                        + ".device_cursors WHERE namespace_id = ?").bind(namespaceId).setIdempotent(true))
                .all().stream()
                .map(r -> new DeviceCursor(r.getUuid("device_id"), r.getLong("seq"), r.getInstant("updated_at")))
                .sorted(Comparator.comparing(c -> c.deviceId().toString()))
                .toList());
    }

    public CircuitBreaker.State state(String breaker) {
        return switch (breaker) {
            case "read" -> read.getState();
            case "write" -> write.getState();
            default -> throw new IllegalArgumentException("no breaker " + breaker);
        };
    }

    @Override
    public void close() {
        session.close();
    }

    private long readHead(UUID namespaceId) {
        Row row = session.execute(statement("SELECT last_seq FROM " + live.get() + ".namespace_heads WHERE namespace_id = ?")
                .bind(namespaceId).setIdempotent(true)).one();
        return row == null ? 0 : row.getLong(0);
    }

    private FeedEntry feedEntry(Row r) {
        return new FeedEntry(r.getLong("seq"), r.getString("file_id"), r.getString("path"), r.getString("op"),
                tree(r.getString("vector")), tree(r.getString("chunks")), r.getLong("size"), r.getString("device_id"),
                r.getString("batch_id"), r.getInt("change_index"), r.getString("conflict_of"), r.getInstant("at"),
                mergePending(r));
    }

    /** A row written before the column existed holds null there: it waits for no merge. */
    private static boolean mergePending(Row r) {
        return !r.isNull("merge_pending") && r.getBoolean("merge_pending");
    }

    /** Prepared once per statement text; a failed prepare (Cassandra away) is tried again on the next call. */
    private PreparedStatement statement(String cql) {
        PreparedStatement p = prepared.get(cql);
        if (p == null) {
            p = session.prepare(cql);
            prepared.put(cql, p);
        }
        return p;
    }

    private JsonNode tree(String text) {
        return text == null ? null : json.readTree(text);
    }

    private static <T> T guarded(CircuitBreaker breaker, Supplier<T> call) {
        try {
            return breaker.executeSupplier(() -> {
                try {
                    return call.get();
                } catch (RuntimeException e) {
                    if (isUnavailability(e)) {
                        throw new SyncStateUnavailableException("Cassandra did not answer: " + e, e);
                    }
                    throw e;
                }
            });
        } catch (CallNotPermittedException e) {
            throw new SyncStateUnavailableException("the sync state's " + breaker.getName()
                    + " circuit is open after repeated failures; retry shortly", e);
        }
    }

    /**
     * Whether a failure says Cassandra is unreachable, too slow or short of replicas now, as opposed to
     * a statement it will refuse every time.
     */
    static boolean isUnavailability(Throwable t) {
        return t instanceof AllNodesFailedException || t instanceof DriverTimeoutException
                || t instanceof QueryConsistencyException || t instanceof UnavailableException
                || t instanceof OverloadedException || t instanceof BootstrappingException
                || t instanceof BusyConnectionException || t instanceof ClosedConnectionException
                || t instanceof HeartbeatException;
    }

    private static void ddl(CqlSession session, String cql) {
        session.execute(SimpleStatement.newInstance(cql).setTimeout(DDL_TIMEOUT));
    }
}
