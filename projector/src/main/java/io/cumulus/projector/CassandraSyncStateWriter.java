package io.cumulus.projector;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.connection.BusyConnectionException;
import com.datastax.oss.driver.api.core.connection.ClosedConnectionException;
import com.datastax.oss.driver.api.core.connection.HeartbeatException;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.servererrors.BootstrappingException;
import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import com.datastax.oss.driver.api.core.servererrors.QueryConsistencyException;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;

import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.FileOp;

/**
 * Writes the file events of one {@link ProjectionBatch} to the Cassandra sync state
 * ({@link CassandraSyncStateSchema}): the feed rows, then each file's latest state, then the
 * namespace heads, each step only once the one before is acknowledged, so a head never names a seq
 * whose feed row is missing. Every write is idempotent and order-independent: feed rows are keyed
 * by seq, and file rows and heads carry {@code USING TIMESTAMP seq}, so a redelivered or older
 * event never overwrites a newer one, whatever order the writes land in.
 */
final class CassandraSyncStateWriter {
    /** Writes in flight at once: enough to hide the round trips, far below a connection's 1,024 streams. */
    private static final int IN_FLIGHT = 64;

    private final CqlSession session;
    private final long bucketSize;
    private final PreparedStatement insertFeed;
    private final PreparedStatement upsertFile;
    private final PreparedStatement advanceHead;

    CassandraSyncStateWriter(CqlSession session, CassandraSettings settings) {
        this.session = session;
        this.bucketSize = settings.feedBucketSize();
        String ks = settings.keyspace();
        this.insertFeed = session.prepare("INSERT INTO " + ks + ".feed (namespace_id, bucket, seq, file_id, path, op,"
                + " vector, chunks, size, device_id, batch_id, change_index, conflict_of, at, merge_pending)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?");
        this.upsertFile = session.prepare("INSERT INTO " + ks + ".files (namespace_id, file_id, path, deleted, vector,"
                + " chunks, size, seq, device_id, updated_at, merge_pending) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " USING TIMESTAMP ?");
        this.advanceHead = session.prepare("UPDATE " + ks + ".namespace_heads USING TIMESTAMP ? SET last_seq = ?"
                + " WHERE namespace_id = ?");
    }

    /** @throws CassandraUnavailableException when Cassandra cannot take the writes now; the same batch may be written again */
    void write(ProjectionBatch batch) {
        List<FileEvent> events = batch.events();
        if (events.isEmpty()) {
            return;
        }
        List<BoundStatement> feed = new ArrayList<>();
        Map<String, FileEvent> latestPerFile = new LinkedHashMap<>();
        Map<UUID, Long> heads = new LinkedHashMap<>();
        for (FileEvent e : events) {
            UUID namespace = UUID.fromString(e.getNamespaceId());
            feed.add(insertFeed.bind(namespace, e.getSeq() / bucketSize, e.getSeq(), e.getFileId(), e.getPath(),
                    e.getOp().name(), ReadModelJson.vector(e.getVector()), ReadModelJson.chunks(e.getChunks()),
                    e.getSize(), e.getDeviceId(), e.getBatchId(), e.getChangeIndex(),
                    e.getConflictOf() == null ? null : e.getConflictOf().toString(), Instant.ofEpochMilli(e.getAt()),
                    e.getMergePending(), e.getSeq()).setIdempotent(true));
            latestPerFile.merge(e.getNamespaceId() + "/" + e.getFileId(), e, (a, b) -> b.getSeq() > a.getSeq() ? b : a);
            heads.merge(namespace, e.getSeq(), Math::max);
        }
        List<BoundStatement> files = latestPerFile.values().stream()
                .map(e -> upsertFile.bind(UUID.fromString(e.getNamespaceId()), e.getFileId(), e.getPath(),
                        e.getOp() == FileOp.DELETE, ReadModelJson.vector(e.getVector()),
                        ReadModelJson.chunks(e.getChunks()), e.getSize(), e.getSeq(), e.getDeviceId(),
                        Instant.ofEpochMilli(e.getAt()), e.getMergePending(), e.getSeq()).setIdempotent(true))
                .toList();
        List<BoundStatement> headWrites = heads.entrySet().stream()
                .map(h -> advanceHead.bind(h.getValue(), h.getValue(), h.getKey()).setIdempotent(true))
                .toList();
        executeAll(feed);
        executeAll(files);
        executeAll(headWrites);
    }

    /** Runs the statements with at most {@link #IN_FLIGHT} at a time, and returns once all are acknowledged. */
    private void executeAll(List<BoundStatement> statements) {
        Semaphore slots = new Semaphore(IN_FLIGHT);
        List<CompletableFuture<?>> pending = new ArrayList<>(statements.size());
        try {
            for (BoundStatement s : statements) {
                slots.acquire();
                CompletionStage<?> done = session.executeAsync(s).whenComplete((r, e) -> slots.release());
                pending.add(done.toCompletableFuture());
            }
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CassandraUnavailableException("interrupted while writing the sync state", e);
        } catch (CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (isUnavailability(cause)) {
                throw new CassandraUnavailableException("Cassandra did not take the sync state writes: " + cause, cause);
            }
            throw e;
        }
    }

    /**
     * Whether a failure says Cassandra is unreachable, too slow or short of replicas now, as opposed
     * to a statement it will refuse every time (a missing table, a malformed query).
     */
    static boolean isUnavailability(Throwable t) {
        return t instanceof AllNodesFailedException || t instanceof DriverTimeoutException
                || t instanceof QueryConsistencyException || t instanceof UnavailableException
                || t instanceof OverloadedException || t instanceof BootstrappingException
                || t instanceof BusyConnectionException || t instanceof ClosedConnectionException
                || t instanceof HeartbeatException;
    }
}
