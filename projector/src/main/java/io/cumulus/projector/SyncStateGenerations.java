package io.cumulus.projector;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

/**
 * Which keyspace holds the live generation of the Cassandra sync state: one row in PostgreSQL
 * ({@code sync_state.active_keyspace}), which every API instance and every projector reads, so a
 * rebuild's switch is seen by all of them. Generation 1 is the configured keyspace itself (and no
 * row is needed for it); generation {@code n > 1} is {@code <keyspace>_g<n>}. The device cursors are
 * not derived from the topics: they stay in the configured keyspace whatever the generation.
 *
 * <p>The row is also the switch's lock: a projector reads it {@code FOR SHARE} for as long as it
 * writes a poll to Cassandra, and a switch updates it, so the switch waits for the writes in flight
 * and holds new ones off until it commits (docs/decisions/0035).
 */
public final class SyncStateGenerations {
    private static final Pattern GENERATION = Pattern.compile("(.+)_g(\\d+)");

    private SyncStateGenerations() {
    }

    /** The keyspace of generation {@code n} of a sync state configured with {@code base}. */
    public static String keyspace(String base, int n) {
        return n == 1 ? base : base + "_g" + n;
    }

    /** The generation number of {@code keyspace}, a generation of {@code base}. */
    public static int generation(String base, String keyspace) {
        Matcher m = GENERATION.matcher(keyspace);
        return m.matches() && m.group(1).equals(base) ? Integer.parseInt(m.group(2)) : 1;
    }

    /** Creates the pointer table with generation 1 in it, when missing; safe to run from several processes at once. */
    public static void createPointer(DataSource dataSource, String base) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            try {
                s.execute("CREATE SCHEMA IF NOT EXISTS sync_state");
                s.execute("CREATE TABLE IF NOT EXISTS sync_state.active_keyspace (only_row boolean PRIMARY KEY DEFAULT true"
                        + " CHECK (only_row), keyspace text NOT NULL, switched_at timestamptz NOT NULL DEFAULT now())");
            } catch (SQLException e) {
                // Two processes creating it at once: the loser's unique violation on the catalogue; it exists now.
                if (!"23505".equals(e.getSQLState()) && !"42P06".equals(e.getSQLState()) && !"42P07".equals(e.getSQLState())) {
                    throw e;
                }
            }
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO sync_state.active_keyspace (keyspace) VALUES (?) ON CONFLICT DO NOTHING")) {
                insert.setString(1, base);
                insert.executeUpdate();
            }
        }
    }

    /** The live keyspace, or {@code base} when no generation was ever recorded. */
    public static String live(DataSource dataSource, String base) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return read(c, "").orElse(base);
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) {
                return base; // never created: no rebuild ever switched
            }
            throw e;
        }
    }

    /** Reads the live keyspace on {@code c} with the row lock {@code lock} ("", "FOR SHARE", "FOR UPDATE"). */
    static Optional<String> read(Connection c, String lock) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT keyspace FROM sync_state.active_keyspace " + lock)) {
            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
    }

    static void write(Connection c, String keyspace) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE sync_state.active_keyspace SET keyspace = ?, switched_at = now()")) {
            s.setString(1, keyspace);
            if (s.executeUpdate() != 1) {
                throw new SQLException("sync_state.active_keyspace has no row");
            }
        }
    }
}
