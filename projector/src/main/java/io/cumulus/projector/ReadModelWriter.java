package io.cumulus.projector;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import io.cumulus.schemas.ChangeOutcome;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.FileOp;

/**
 * Writes one {@link ProjectionBatch} to the {@code readmodel} tables in one transaction. Every
 * statement is keyed so that writing the same batch again changes nothing: the feed and the outcomes
 * are insert-if-absent, and a file row is only replaced by an event with a higher sequence number,
 * so a late or replayed older event never moves a file backwards.
 */
final class ReadModelWriter {
    private static final int QUERY_TIMEOUT_SECONDS = 30;
    private static final String SCHEMA = ReadModelSchema.NAME;

    private static final String INSERT_FEED = "INSERT INTO " + SCHEMA + ".feed (namespace_id, seq, file_id, path, op,"
            + " vector, chunks, size, device_id, batch_id, change_index, conflict_of, at, merge_pending)"
            + " VALUES (?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (namespace_id, seq) DO NOTHING";

    private static final String UPSERT_FILE = "INSERT INTO " + SCHEMA + ".files AS files (namespace_id, file_id, path,"
            + " deleted, vector, chunks, size, seq, device_id, updated_at, merge_pending)"
            + " VALUES (?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (namespace_id, file_id) DO UPDATE SET path = excluded.path, deleted = excluded.deleted,"
            + " vector = excluded.vector, chunks = excluded.chunks, size = excluded.size, seq = excluded.seq,"
            + " device_id = excluded.device_id, updated_at = excluded.updated_at, merge_pending = excluded.merge_pending"
            + " WHERE files.seq < excluded.seq";

    private static final String INSERT_OUTCOME = "INSERT INTO " + SCHEMA + ".batch_outcomes (batch_id, change_index,"
            + " namespace_id, device_id, file_id, path, kind, seq, conflict_file_id, conflict_path, current_vector,"
            + " decided_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)"
            + " ON CONFLICT (batch_id, change_index) DO NOTHING";

    private final DataSource dataSource;

    ReadModelWriter(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    void write(ProjectionBatch batch) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                insertFeed(connection, batch.events());
                upsertFiles(connection, latestPerFile(batch.events()));
                insertOutcomes(connection, batch.outcomes());
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                rollback(connection, e);
                throw e;
            }
            connection.setAutoCommit(true);
        }
    }

    /**
     * Whether a failed write may succeed if tried again unchanged: the connection broke, the server
     * is starting or shutting down, out of resources, or the transaction lost a serialization race.
     * Anything else (a constraint, a malformed value) would fail the same way forever.
     */
    static boolean isTransient(SQLException failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException sql) {
                String state = sql.getSQLState();
                if (state != null && (state.startsWith("08") || state.startsWith("53") || state.startsWith("57")
                        || state.equals("40001") || state.equals("40P01"))) {
                    return true;
                }
                SQLException next = sql.getNextException();
                if (next != null && next != sql && isTransient(next)) {
                    return true;
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static void insertFeed(Connection connection, List<FileEvent> events) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        try (PreparedStatement s = connection.prepareStatement(INSERT_FEED)) {
            s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            for (FileEvent e : events) {
                s.setObject(1, UUID.fromString(e.getNamespaceId()));
                s.setLong(2, e.getSeq());
                s.setString(3, e.getFileId());
                s.setString(4, e.getPath());
                s.setString(5, e.getOp().name());
                s.setString(6, ReadModelJson.vector(e.getVector()));
                s.setString(7, ReadModelJson.chunks(e.getChunks()));
                s.setLong(8, e.getSize());
                s.setString(9, e.getDeviceId());
                s.setString(10, e.getBatchId());
                s.setInt(11, e.getChangeIndex());
                setNullableString(s, 12, e.getConflictOf());
                s.setObject(13, timestamp(e.getAt()));
                s.setBoolean(14, e.getMergePending());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    private static void upsertFiles(Connection connection, List<FileEvent> latest) throws SQLException {
        if (latest.isEmpty()) {
            return;
        }
        try (PreparedStatement s = connection.prepareStatement(UPSERT_FILE)) {
            s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            for (FileEvent e : latest) {
                s.setObject(1, UUID.fromString(e.getNamespaceId()));
                s.setString(2, e.getFileId());
                s.setString(3, e.getPath());
                s.setBoolean(4, e.getOp() == FileOp.DELETE);
                s.setString(5, ReadModelJson.vector(e.getVector()));
                s.setString(6, ReadModelJson.chunks(e.getChunks()));
                s.setLong(7, e.getSize());
                s.setLong(8, e.getSeq());
                s.setString(9, e.getDeviceId());
                s.setObject(10, timestamp(e.getAt()));
                s.setBoolean(11, e.getMergePending());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    private static void insertOutcomes(Connection connection, List<ChangeOutcome> outcomes) throws SQLException {
        if (outcomes.isEmpty()) {
            return;
        }
        try (PreparedStatement s = connection.prepareStatement(INSERT_OUTCOME)) {
            s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            for (ChangeOutcome o : outcomes) {
                s.setString(1, o.getBatchId());
                s.setInt(2, o.getChangeIndex());
                s.setObject(3, UUID.fromString(o.getNamespaceId()));
                s.setString(4, o.getDeviceId());
                s.setString(5, o.getFileId());
                s.setString(6, o.getPath());
                s.setString(7, o.getKind().name());
                if (o.getSeq() == null) {
                    s.setNull(8, Types.BIGINT);
                } else {
                    s.setLong(8, o.getSeq());
                }
                setNullableString(s, 9, o.getConflictFileId());
                setNullableString(s, 10, o.getConflictPath());
                s.setString(11, ReadModelJson.vector(o.getCurrentVector()));
                s.setObject(12, timestamp(o.getDecidedAt()));
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /**
     * Only the highest sequence number per file of this poll needs to reach {@code files}; it also
     * keeps one upsert from touching the same row twice if the driver rewrites the batch into one
     * multi-row statement.
     */
    private static List<FileEvent> latestPerFile(List<FileEvent> events) {
        Map<String, FileEvent> latest = new LinkedHashMap<>();
        for (FileEvent e : events) {
            latest.merge(e.getNamespaceId() + "/" + e.getFileId(), e, (a, b) -> b.getSeq() > a.getSeq() ? b : a);
        }
        return List.copyOf(latest.values());
    }

    private static void setNullableString(PreparedStatement s, int index, CharSequence value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.VARCHAR);
        } else {
            s.setString(index, value.toString());
        }
    }

    private static OffsetDateTime timestamp(long epochMillis) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
    }

    private static void rollback(Connection connection, Exception failure) {
        try {
            connection.rollback();
        } catch (SQLException rollbackFailure) {
            // The connection is most likely broken; the server discards the open transaction with it.
            failure.addSuppressed(rollbackFailure);
        }
    }
}
