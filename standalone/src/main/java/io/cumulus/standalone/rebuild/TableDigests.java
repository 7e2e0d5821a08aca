package io.cumulus.standalone.rebuild;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import javax.sql.DataSource;

/**
 * The {@link Digest} of the tables of one PostgreSQL schema: per table, SHA-256 over its rows, each
 * as PostgreSQL's text form of the whole row followed by a newline, in the byte order of those texts
 * (collation "C", so the order does not depend on the database's locale). jsonb is stored normalised
 * and timestamps are printed in UTC, so two generations with the same content print the same text.
 */
public final class TableDigests {

    /** Tables that are bookkeeping, not content: migration history and consumer positions. */
    public static final Set<String> BOOKKEEPING = Set.of("flyway_schema_history", "consumer_positions");

    private TableDigests() {
    }

    /**
     * The digest of every table of {@code schema} but the {@link #BOOKKEEPING} ones; {@code filters}
     * maps a table to a WHERE condition its rows must meet to count (a table not named counts whole).
     */
    public static Digest of(DataSource dataSource, String schema, Map<String, String> filters) throws SQLException {
        Map<String, String> tables = new TreeMap<>();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false); // one snapshot for every table, and a cursor for large ones
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL TIME ZONE 'UTC'");
            }
            for (String table : tables(c, schema)) {
                if (!BOOKKEEPING.contains(table)) {
                    tables.put(table, digest(c, schema, table, filters.get(table)));
                }
            }
            c.rollback();
        }
        return new Digest(tables);
    }

    private static List<String> tables(Connection c, String schema) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT tablename FROM pg_tables WHERE schemaname = ? ORDER BY 1")) {
            s.setString(1, schema);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
        }
        return tables;
    }

    private static String digest(Connection c, String schema, String table, String filter) throws SQLException {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        String sql = "SELECT t::text AS r FROM " + quote(schema) + "." + quote(table) + " t"
                + (filter == null ? "" : " WHERE " + filter) + " ORDER BY t::text COLLATE \"C\"";
        try (Statement s = c.createStatement()) {
            s.setFetchSize(1000);
            try (ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    sha256.update(rs.getString(1).getBytes(StandardCharsets.UTF_8));
                    sha256.update((byte) '\n');
                }
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
