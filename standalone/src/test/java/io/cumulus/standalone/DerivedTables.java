package io.cumulus.standalone;

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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import javax.sql.DataSource;

/**
 * What the derived PostgreSQL schemas of a server hold, table by table: every row of every table,
 * read in a canonical order, and a SHA-256 of them. The tables and their columns come from the
 * catalogue, so a table or a column added by a later migration is included without touching this
 * class; only Flyway's own history table is left out (it records when a migration ran, not what the
 * topics imply).
 */
final class DerivedTables {
    /** The schemas every derived PostgreSQL store of a standalone server lives in. */
    static final List<String> SCHEMAS = List.of("readmodel", "gc", "photos");

    private final DataSource db;

    DerivedTables(DataSource db) {
        this.db = db;
    }

    /** One table's rows: its columns in catalogue order, each row as text, in canonical order. */
    record Table(String name, List<String> columns, List<String> rows, String sha256) {
        /** A table of these rows, in this order, and its digest: over the column names, then each row. */
        static Table of(String name, List<String> columns, List<String> rows) {
            MessageDigest sha = newSha256();
            sha.update(String.join("\u001f", columns).getBytes(StandardCharsets.UTF_8));
            for (String row : rows) {
                byte[] bytes = row.getBytes(StandardCharsets.UTF_8);
                sha.update(java.nio.ByteBuffer.allocate(4).putInt(bytes.length).array());
                sha.update(bytes);
            }
            return new Table(name, List.copyOf(columns), List.copyOf(rows), HexFormat.of().formatHex(sha.digest()));
        }

        /** The same table without the rows that match. */
        Table without(java.util.function.Predicate<String> row) {
            return of(name, columns, rows.stream().filter(row.negate()).toList());
        }

        @Override
        public String toString() {
            return name + " (" + rows.size() + " rows, " + sha256.substring(0, 12) + ")";
        }
    }

    /** Every table of some schemas, by {@code schema.table}. Equal snapshots hold equal rows. */
    record Snapshot(Map<String, Table> tables) {
        /** Each table's digest, by {@code schema.table}: what a test compares. */
        Map<String, String> digests() {
            Map<String, String> digests = new TreeMap<>();
            tables.forEach((name, t) -> digests.put(name, t.sha256()));
            return digests;
        }

        long rows(String table) {
            return tables.get(table).rows().size();
        }

        /** The same tables, one of them without the rows that match. */
        Snapshot without(String table, java.util.function.Predicate<String> row) {
            Map<String, Table> changed = new TreeMap<>(tables);
            changed.computeIfPresent(table, (name, t) -> t.without(row));
            return new Snapshot(changed);
        }

        /**
         * The rows that differ from {@code other}, table by table, for an assertion's message: a
         * line per row only one side has ({@code -} this one's, {@code +} the other's).
         */
        String differences(Snapshot other) {
            StringBuilder out = new StringBuilder();
            Set<String> names = new LinkedHashSet<>(tables.keySet());
            names.addAll(other.tables().keySet());
            for (String name : names) {
                Table mine = tables.get(name);
                Table theirs = other.tables().get(name);
                if (mine == null || theirs == null) {
                    out.append(name).append(": only ").append(mine == null ? "after" : "before").append('\n');
                    continue;
                }
                if (mine.sha256().equals(theirs.sha256())) {
                    continue;
                }
                out.append(name).append(' ').append(mine.columns()).append(":\n");
                if (!mine.columns().equals(theirs.columns())) {
                    out.append("  columns differ: ").append(theirs.columns()).append('\n');
                }
                List<String> gone = new ArrayList<>(mine.rows());
                gone.removeAll(theirs.rows());
                List<String> added = new ArrayList<>(theirs.rows());
                added.removeAll(mine.rows());
                gone.stream().limit(20).forEach(r -> out.append("  - ").append(r).append('\n'));
                added.stream().limit(20).forEach(r -> out.append("  + ").append(r).append('\n'));
                if (gone.isEmpty() && added.isEmpty()) {
                    out.append("  same rows, different multiplicity\n");
                }
            }
            return out.toString();
        }

        @Override
        public String toString() {
            return tables.values().stream().map(Table::toString).collect(Collectors.joining(", ", "[", "]"));
        }
    }

    /** Every table of the given schemas, read in one repeatable-read transaction (one consistent view). */
    Snapshot capture(List<String> schemas) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            Map<String, Table> tables = new TreeMap<>();
            for (String schema : schemas) {
                for (Map.Entry<String, List<String>> t : tablesOf(c, schema).entrySet()) {
                    tables.put(schema + "." + t.getKey(), read(c, schema, t.getKey(), t.getValue()));
                }
            }
            c.commit();
            return new Snapshot(tables);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the derived tables of " + schemas, e);
        }
    }

    Snapshot capture() {
        return capture(SCHEMAS);
    }

    /**
     * Loses the schemas' contents, as a lost disk or a bad migration would: every row of every table
     * (positions included) in one statement; the tables stay, empty.
     */
    void truncate(String... schemas) {
        try (Connection c = db.getConnection()) {
            List<String> tables = new ArrayList<>();
            for (String schema : schemas) {
                tablesOf(c, schema).keySet().forEach(t -> tables.add(quoted(schema) + "." + quoted(t)));
            }
            if (tables.isEmpty()) {
                return;
            }
            try (Statement s = c.createStatement()) {
                s.execute("TRUNCATE " + String.join(", ", tables));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot empty schemas " + List.of(schemas), e);
        }
    }

    /** The schema's tables (partitioned ones included, partitions not), each with its columns in order. */
    private static Map<String, List<String>> tablesOf(Connection c, String schema) throws SQLException {
        Map<String, List<String>> tables = new TreeMap<>();
        try (PreparedStatement s = c.prepareStatement("""
                SELECT cl.relname, a.attname
                  FROM pg_catalog.pg_class cl
                  JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace
                  JOIN pg_catalog.pg_attribute a ON a.attrelid = cl.oid
                 WHERE n.nspname = ? AND cl.relkind IN ('r', 'p') AND NOT cl.relispartition
                   AND cl.relname <> 'flyway_schema_history'
                   AND a.attnum > 0 AND NOT a.attisdropped
                 ORDER BY cl.relname, a.attnum""")) {
            s.setString(1, schema);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    tables.computeIfAbsent(rs.getString(1), t -> new ArrayList<>()).add(rs.getString(2));
                }
            }
        }
        return tables;
    }

    /**
     * Every row as the text of its columns, ordered by those texts under the C collation: an order
     * that depends on the values alone, not on the physical order or the database's locale. A row
     * is written {@code NULL} or a JSON string per column, so no two different rows read the same.
     */
    private static Table read(Connection c, String schema, String table, List<String> columns) throws SQLException {
        String texts = columns.stream().map(col -> quoted(col) + "::text").collect(Collectors.joining(", "));
        String order = columns.stream().map(col -> "(" + quoted(col) + "::text) COLLATE \"C\" NULLS FIRST")
                .collect(Collectors.joining(", "));
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT " + texts + " FROM " + quoted(schema) + "." + quoted(table)
                     + " ORDER BY " + order)) {
            while (rs.next()) {
                List<String> values = new ArrayList<>();
                for (int i = 1; i <= columns.size(); i++) {
                    String v = rs.getString(i);
                    values.add(v == null ? "NULL" : CumulusClient.JSON.writeValueAsString(v));
                }
                rows.add(String.join(", ", values));
            }
        }
        return Table.of(schema + "." + table, columns, rows);
    }

    private static String quoted(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
