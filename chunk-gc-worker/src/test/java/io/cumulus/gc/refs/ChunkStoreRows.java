package io.cumulus.gc.refs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;

import javax.sql.DataSource;

/** The rows of {@code gc.chunk_store} and {@code gc.consumer_positions}, read for assertions. */
final class ChunkStoreRows {

    /** One chunk's count and last reference time (epoch millis; -1 when none). */
    record Count(long refCount, long lastReferencedAtMillis) {
        static Count of(long refCount, long lastReferencedAtMillis) {
            return new Count(refCount, lastReferencedAtMillis);
        }
    }

    static Map<String, Count> counts(DataSource db) {
        Map<String, Count> rows = new TreeMap<>();
        query(db, "SELECT chunk_id, ref_count, last_referenced_at FROM gc.chunk_store", rs -> {
            java.sql.Timestamp at = rs.getTimestamp(3);
            rows.put(rs.getString(1), new Count(rs.getLong(2), at == null ? -1 : at.toInstant().toEpochMilli()));
        });
        return rows;
    }

    static Map<Integer, Long> positions(DataSource db, String topic) {
        Map<Integer, Long> rows = new TreeMap<>();
        query(db, "SELECT partition, next_offset FROM gc.consumer_positions WHERE topic = '" + topic.replace("'", "''")
                + "'", rs -> rows.put(rs.getInt(1), rs.getLong(2)));
        return rows;
    }

    /** Whether the database has counted every partition of the topic up to these end offsets. */
    static boolean countedUpTo(DataSource db, String topic, Map<Integer, Long> ends) {
        Map<Integer, Long> positions = positions(db, topic);
        return ends.entrySet().stream()
                .allMatch(e -> e.getValue() == 0 || positions.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }


    private interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    private static void query(DataSource db, String sql, RowReader reader) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql);
                ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                reader.read(rs);
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return; // the schema is not there yet: nothing counted
            }
            throw new IllegalStateException(e);
        }
    }

    private ChunkStoreRows() {
    }
}
