package io.cumulus.standalone;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/** What a running server's chunk catalogue and reference counts hold, read from its database. */
final class ChunkTables {
    private final StandaloneServer server;

    ChunkTables(StandaloneServer server) {
        this.server = server;
    }

    /** Every catalogued chunk and its state ({@code uploading}, {@code stored}, {@code deleting}). */
    Map<String, String> states() throws SQLException {
        return query("SELECT id, state FROM ingest.chunks", rs -> rs.getString(2));
    }

    /** Every counted chunk and its reference count. */
    Map<String, Long> refCounts() throws SQLException {
        return query("SELECT chunk_id, ref_count FROM gc.chunk_store", rs -> rs.getLong(2));
    }

    @FunctionalInterface
    private interface Column<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** A two-column query as a map from the first column to the second. */
    private <T> Map<String, T> query(String sql, Column<T> value) throws SQLException {
        Map<String, T> rows = new HashMap<>();
        try (Connection c = server.postgres().dataSource().getConnection(); PreparedStatement s = c.prepareStatement(sql);
                ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                rows.put(rs.getString(1), value.read(rs));
            }
        }
        return rows;
    }
}
