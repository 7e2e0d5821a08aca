package io.cumulus.gc.refs;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.sql.DataSource;

import io.cumulus.gc.GcSchema;

/**
 * The reference counts in {@code gc.chunk_store} and how far each partition of the chunk-refs topic
 * has been counted ({@code gc.consumer_positions}), always written together in one transaction: a
 * delta is counted exactly when its offset is moved past, so a record delivered again (after a crash
 * between this commit and Kafka's offset commit, a rebalance, a replay by another consumer group) is
 * recognised by its offset and not counted twice.
 *
 * <p>Two instances may briefly hold the same partition (a rebalance while a poll is in flight). Each
 * transaction locks the partitions' position rows first, in partition order, and reads the positions
 * under that lock, so the second writer sees what the first counted and skips it; it then locks the
 * chunk rows in chunk-id order, so no two writers wait on each other in a cycle.
 *
 * <p>The schema is a parameter: the live one, {@code gc}, or a new generation being rebuilt beside it
 * ({@code gc_g2}, docs/decisions/0034). Each transaction first takes the schema's switch lock shared
 * ({@link GcSchema#lockShared}): a switch, which takes it exclusively, never happens in the middle of a
 * count, and a count that waited for one resolves the schema's name afresh, finds the new generation's
 * positions and skips what they have passed.
 */
public final class RefCountStore {
    private static final int QUERY_TIMEOUT_SECONDS = 30;
    /** Where the statements below name the schema, replaced by the store's own. */
    private static final String S = "${schema}";

    private static final String ENSURE_POSITIONS = "INSERT INTO " + S + ".consumer_positions"
            + " (topic, partition, next_offset)"
            + " SELECT ?, p, 0 FROM unnest(?::integer[]) AS p ORDER BY p"
            + " ON CONFLICT (topic, partition) DO NOTHING";

    private static final String LOCK_POSITIONS = "SELECT partition, next_offset FROM " + S + ".consumer_positions"
            + " WHERE topic = ? AND partition = ANY(?::integer[]) ORDER BY partition FOR UPDATE";

    private static final String READ_POSITIONS = "SELECT partition, next_offset FROM " + S + ".consumer_positions"
            + " WHERE topic = ? AND partition = ANY(?::integer[])";

    // INSERT ... SELECT ... ORDER BY inserts (and locks) the rows in chunk-id order.
    private static final String ADD_COUNTS = "INSERT INTO " + S + ".chunk_store AS s"
            + " (chunk_id, ref_count, last_referenced_at)"
            + " SELECT d.chunk_id, d.delta, timestamptz 'epoch' + d.at_ms * interval '1 millisecond'"
            + " FROM unnest(?::text[], ?::bigint[], ?::bigint[]) AS d(chunk_id, delta, at_ms)"
            + " ORDER BY d.chunk_id"
            + " ON CONFLICT (chunk_id) DO UPDATE SET ref_count = s.ref_count + excluded.ref_count,"
            + " last_referenced_at = greatest(s.last_referenced_at, excluded.last_referenced_at)"
            + " RETURNING s.chunk_id, s.ref_count";

    private static final String MOVE_POSITIONS = "UPDATE " + S + ".consumer_positions AS c"
            + " SET next_offset = greatest(c.next_offset, v.next_offset)"
            + " FROM unnest(?::integer[], ?::bigint[]) AS v(partition, next_offset)"
            + " WHERE c.topic = ? AND c.partition = v.partition";

    private final DataSource dataSource;
    private final String schema;

    /** The store of the live schema, {@link GcSchema#NAME}. */
    public RefCountStore(DataSource dataSource) {
        this(dataSource, GcSchema.NAME);
    }

    /** The store of {@code schema}: the live one or a new generation. */
    public RefCountStore(DataSource dataSource, String schema) {
        this.dataSource = dataSource;
        this.schema = GcSchema.requireName(schema);
    }

    private String sql(String statement) {
        return statement.replace(S, schema);
    }

    /**
     * What one {@link #apply} did: how many deltas it counted, how many it skipped as counted before,
     * and the chunks whose count it left below zero (a bug upstream, to report).
     */
    public record Applied(int counted, int skipped, Map<String, Long> negativeCounts) {
        public Applied {
            negativeCounts = Map.copyOf(negativeCounts);
        }
    }

    /**
     * Counts the batch's deltas that its partitions' positions have not passed yet, and moves the
     * positions past the batch, in one transaction.
     */
    public Applied apply(RefDeltaBatch batch) throws SQLException {
        if (batch.byPartition().isEmpty()) {
            return new Applied(0, 0, Map.of());
        }
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                GcSchema.lockShared(connection, schema);
                Integer[] partitions = batch.byPartition().keySet().toArray(Integer[]::new);
                ensurePositions(connection, batch.topic(), partitions);
                Map<Integer, Long> counted = lockPositions(connection, batch.topic(), partitions);
                List<ChunkSum> sums = batch.sumsFrom(counted);
                Map<String, Long> negative = addCounts(connection, sums);
                movePositions(connection, batch.topic(), batch.nextOffsets());
                connection.commit();
                int applied = batch.uncounted(counted);
                connection.setAutoCommit(true);
                return new Applied(applied, batch.size() - applied, negative);
            } catch (SQLException | RuntimeException e) {
                rollback(connection, e);
                throw e;
            }
        }
    }

    /** The next offset to count of each of these partitions of the topic that has counted anything. */
    public Map<Integer, Long> positions(String topic, Collection<Integer> partitions) throws SQLException {
        Map<Integer, Long> positions = new TreeMap<>();
        if (partitions.isEmpty()) {
            return positions;
        }
        try (Connection connection = dataSource.getConnection()) {
            return readPositions(connection, sql(READ_POSITIONS), topic, partitions.toArray(Integer[]::new));
        }
    }

    /**
     * Whether a failed write may succeed if tried again unchanged: the connection broke, the server
     * is starting or shutting down, out of resources, or the transaction lost a serialization or
     * deadlock race. Anything else (a constraint, a malformed value) would fail the same way forever.
     */
    public static boolean isTransient(SQLException failure) {
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

    private void ensurePositions(Connection connection, String topic, Integer[] partitions)
            throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(sql(ENSURE_POSITIONS))) {
            s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            s.setString(1, topic);
            s.setArray(2, connection.createArrayOf("integer", partitions));
            s.executeUpdate();
        }
    }

    private Map<Integer, Long> lockPositions(Connection connection, String topic, Integer[] partitions)
            throws SQLException {
        return readPositions(connection, sql(LOCK_POSITIONS), topic, partitions);
    }

    /** The positions {@code sql} ({@link #READ_POSITIONS} or {@link #LOCK_POSITIONS}) reads. */
    private static Map<Integer, Long> readPositions(Connection connection, String sql, String topic, Integer[] partitions)
            throws SQLException {
        Map<Integer, Long> positions = new TreeMap<>();
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            s.setString(1, topic);
            s.setArray(2, connection.createArrayOf("integer", partitions));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    positions.put(rs.getInt(1), rs.getLong(2));
                }
            }
        }
        return positions;
    }

    private Map<String, Long> addCounts(Connection connection, List<ChunkSum> sums) throws SQLException {
        Map<String, Long> negative = new TreeMap<>();
        if (sums.isEmpty()) {
            return negative;
        }
        String[] ids = new String[sums.size()];
        Long[] deltas = new Long[sums.size()];
        Long[] times = new Long[sums.size()];
        for (int i = 0; i < sums.size(); i++) {
            ids[i] = sums.get(i).chunkId().value();
            deltas[i] = sums.get(i).delta();
            times[i] = sums.get(i).latestAtMillis();
        }
        try (PreparedStatement s = connection.prepareStatement(sql(ADD_COUNTS))) {
            s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            s.setArray(1, connection.createArrayOf("text", ids));
            s.setArray(2, connection.createArrayOf("bigint", deltas));
            s.setArray(3, connection.createArrayOf("bigint", times));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    if (rs.getLong(2) < 0) {
                        negative.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
        }
        return negative;
    }

    private void movePositions(Connection connection, String topic, Map<Integer, Long> nextOffsets)
            throws SQLException {
        List<Integer> partitions = new ArrayList<>(nextOffsets.keySet());
        List<Long> offsets = new ArrayList<>(nextOffsets.values());
        try (PreparedStatement s = connection.prepareStatement(sql(MOVE_POSITIONS))) {
            s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            s.setArray(1, connection.createArrayOf("integer", partitions.toArray(Integer[]::new)));
            s.setArray(2, connection.createArrayOf("bigint", offsets.toArray(Long[]::new)));
            s.setString(3, topic);
            s.executeUpdate();
        }
    }

    private static void rollback(Connection connection, Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
