package io.cumulus.projector;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

/**
 * The read-model rows of some namespaces, each as its JSON text, in key order: two snapshots are
 * equal exactly when the tables hold the same rows.
 */
record ReadModelRows(List<String> files, List<String> feed, List<String> outcomes) {

    static ReadModelRows of(DataSource dataSource, UUID... namespaces) {
        try (Connection c = dataSource.getConnection()) {
            Array ids = c.createArrayOf("uuid", namespaces);
            return new ReadModelRows(
                    rows(c, "SELECT row_to_json(t)::text FROM readmodel.files t WHERE namespace_id = ANY(?)"
                            + " ORDER BY namespace_id, file_id", ids),
                    rows(c, "SELECT row_to_json(t)::text FROM readmodel.feed t WHERE namespace_id = ANY(?)"
                            + " ORDER BY namespace_id, seq", ids),
                    rows(c, "SELECT row_to_json(t)::text FROM readmodel.batch_outcomes t WHERE namespace_id = ANY(?)"
                            + " ORDER BY batch_id, change_index", ids));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteAll(DataSource dataSource) {
        try (Connection c = dataSource.getConnection(); var s = c.createStatement()) {
            // the positions too: they say how far these tables are projected, so a replay starts from nothing
            s.execute("DELETE FROM readmodel.files; DELETE FROM readmodel.feed;"
                    + " DELETE FROM readmodel.batch_outcomes; DELETE FROM readmodel.consumer_positions");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    int size() {
        return files.size() + feed.size() + outcomes.size();
    }

    private static List<String> rows(Connection c, String sql, Array ids) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setArray(1, ids);
            List<String> rows = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.add(r.getString(1));
                }
            }
            return rows;
        }
    }
}
