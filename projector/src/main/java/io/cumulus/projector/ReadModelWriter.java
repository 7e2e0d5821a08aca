package io.cumulus.projector;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import javax.sql.DataSource;

import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

import io.cumulus.schemas.ChangeOutcome;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.FileOp;

/**
 * Writes one {@link ProjectionBatch} to the read model's tables in one transaction, with the positions
 * ({@code consumer_positions}) of the partitions it covers. Every statement is keyed so that writing
 * the same batch again changes nothing: the feed and the outcomes are insert-if-absent, and a file row
 * is only replaced by an event with a higher sequence number, so a late or replayed older event never
 * moves a file backwards; and the records a position has passed are left out.
 *
 * <p>The schema is a parameter: the live one, {@code readmodel}, or a new generation being rebuilt
 * beside it ({@code readmodel_g2}, docs/decisions/0034). Each transaction first takes the schema's
 * switch lock shared ({@link ReadModelSchema#SWITCH_LOCK}), then locks its partitions' positions: a
 * switch, which takes that lock exclusively, never happens in the middle of a write, and a write that
 * waited for one resolves the schema's name afresh and finds the new generation's positions.
 */
public final class ReadModelWriter {
    private static final int QUERY_TIMEOUT_SECONDS = 30;
    private static final ProjectorConfig DEFAULT_TOPICS = ProjectorConfig.of("unused");

    private final DataSource dataSource;
    private final String schema;
    private final String insertFeed;
    private final String upsertFile;
    private final String insertOutcome;
    private final String ensurePositions;
    private final String lockPositions;
    private final String readPositions;
    private final String movePositions;

    /** A writer of the schema {@code schema} (the live one is {@link ReadModelSchema#NAME}). */
    public ReadModelWriter(DataSource dataSource, String schema) {
        this.dataSource = dataSource;
        this.schema = ReadModelSchema.requireName(schema);
        this.insertFeed = "INSERT INTO " + schema + ".feed (namespace_id, seq, file_id, path, op,"
                + " vector, chunks, size, device_id, batch_id, change_index, conflict_of, at, merge_pending)"
                + " VALUES (?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (namespace_id, seq) DO NOTHING";
        this.upsertFile = "INSERT INTO " + schema + ".files AS files (namespace_id, file_id, path,"
                + " deleted, vector, chunks, size, seq, device_id, updated_at, merge_pending)"
                + " VALUES (?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (namespace_id, file_id) DO UPDATE SET path = excluded.path, deleted = excluded.deleted,"
                + " vector = excluded.vector, chunks = excluded.chunks, size = excluded.size, seq = excluded.seq,"
                + " device_id = excluded.device_id, updated_at = excluded.updated_at, merge_pending = excluded.merge_pending"
                + " WHERE files.seq < excluded.seq";
        this.insertOutcome = "INSERT INTO " + schema + ".batch_outcomes (batch_id, change_index,"
                + " namespace_id, device_id, file_id, path, kind, seq, conflict_file_id, conflict_path, current_vector,"
                + " decided_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)"
                + " ON CONFLICT (batch_id, change_index) DO NOTHING";
        // A partition never projected here starts at the batch's first record: the projector reads from the
        // group's offsets until the positions exist, as it did before there were positions.
        this.ensurePositions = "INSERT INTO " + schema + ".consumer_positions (topic, partition, next_offset)"
                + " SELECT t, p, o FROM unnest(?::text[], ?::integer[], ?::bigint[]) AS v(t, p, o) ORDER BY t, p"
                + " ON CONFLICT (topic, partition) DO NOTHING";
        this.lockPositions = "SELECT c.topic, c.partition, c.next_offset FROM " + schema + ".consumer_positions c"
                + " JOIN unnest(?::text[], ?::integer[]) AS v(t, p) ON c.topic = v.t AND c.partition = v.p"
                + " ORDER BY c.topic, c.partition FOR UPDATE OF c";
        this.readPositions = "SELECT topic, partition, next_offset FROM " + schema + ".consumer_positions"
                + " WHERE topic = ANY(?::text[])";
        this.movePositions = "UPDATE " + schema + ".consumer_positions AS c"
                + " SET next_offset = greatest(c.next_offset, v.o)"
                + " FROM unnest(?::text[], ?::integer[], ?::bigint[]) AS v(t, p, o)"
                + " WHERE c.topic = v.t AND c.partition = v.p";
    }

    /** The schema it writes. */
    public String schema() {
        return schema;
    }

    /**
     * Decodes one poll of the file-event and outcome topics and writes it (a rebuild's records).
     *
     * @throws io.cumulus.schemas.PoisonRecordException for a record that cannot be projected
     */
    public void apply(ConsumerRecords<byte[], byte[]> records) throws SQLException {
        write(ProjectionBatch.decode(records, DEFAULT_TOPICS));
    }

    /** The next offset to project of every partition of these topics that has projected anything. */
    public Map<TopicPartition, Long> positions(Collection<String> topics) throws SQLException {
        Map<TopicPartition, Long> positions = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement s = connection.prepareStatement(readPositions)) {
            s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            s.setArray(1, connection.createArrayOf("text", topics.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    positions.put(new TopicPartition(rs.getString(1), rs.getInt(2)), rs.getLong(3));
                }
            }
        }
        return positions;
    }

    /** Writes the part of the batch the positions have not passed; answers how many records that was. */
    int write(ProjectionBatch batch) throws SQLException {
        if (batch.size() == 0) {
            return 0;
        }
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                ReadModelSchema.lockShared(connection, schema);
                List<Map.Entry<TopicPartition, Long>> first = sorted(batch.firstOffsets());
                positionsStatement(connection, ensurePositions, first, true);
                Map<TopicPartition, Long> applied = lockPositions(connection, first);
                ProjectionBatch fresh = batch.notBefore(applied);
                insertFeed(connection, fresh.events());
                upsertFiles(connection, latestPerFile(fresh.events()));
                insertOutcomes(connection, fresh.outcomes());
                positionsStatement(connection, movePositions, sorted(batch.nextOffsets()), true);
                connection.commit();
                connection.setAutoCommit(true);
                return fresh.size();
            } catch (SQLException | RuntimeException e) {
                rollback(connection, e);
                throw e;
            }
        }
    }

    private static List<Map.Entry<TopicPartition, Long>> sorted(Map<TopicPartition, Long> offsets) {
        List<Map.Entry<TopicPartition, Long>> entries = new ArrayList<>(offsets.entrySet());
        entries.sort(Map.Entry.comparingByKey(
                Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition)));
        return entries;
    }

    private static void positionsStatement(Connection connection, String sql, List<Map.Entry<TopicPartition, Long>> offsets,
            boolean withOffsets) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            s.setArray(1, connection.createArrayOf("text", offsets.stream().map(e -> e.getKey().topic()).toArray()));
            s.setArray(2, connection.createArrayOf("integer", offsets.stream().map(e -> e.getKey().partition()).toArray()));
            if (withOffsets) {
                s.setArray(3, connection.createArrayOf("bigint", offsets.stream().map(Map.Entry::getValue).toArray()));
            }
            s.executeUpdate();
        }
    }

    private Map<TopicPartition, Long> lockPositions(Connection connection, List<Map.Entry<TopicPartition, Long>> partitions)
            throws SQLException {
        Map<TopicPartition, Long> positions = new TreeMap<>(
                Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
        try (PreparedStatement s = connection.prepareStatement(lockPositions)) {
            s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            s.setArray(1, connection.createArrayOf("text", partitions.stream().map(e -> e.getKey().topic()).toArray()));
            s.setArray(2, connection.createArrayOf("integer", partitions.stream().map(e -> e.getKey().partition()).toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    positions.put(new TopicPartition(rs.getString(1), rs.getInt(2)), rs.getLong(3));
                }
            }
        }
        return positions;
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

    private void insertFeed(Connection connection, List<FileEvent> events) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        try (PreparedStatement s = connection.prepareStatement(insertFeed)) {
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

    private void upsertFiles(Connection connection, List<FileEvent> latest) throws SQLException {
        if (latest.isEmpty()) {
            return;
        }
        try (PreparedStatement s = connection.prepareStatement(upsertFile)) {
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

    private void insertOutcomes(Connection connection, List<ChangeOutcome> outcomes) throws SQLException {
        if (outcomes.isEmpty()) {
            return;
        }
        try (PreparedStatement s = connection.prepareStatement(insertOutcome)) {
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
