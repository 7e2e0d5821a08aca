package io.cumulus.standalone;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;

/**
 * What the tables of a Cassandra keyspace hold, table by table, as {@link DerivedTables} reads a
 * PostgreSQL schema: the tables and their columns come from {@code system_schema}, every row is read
 * as the text of its columns, and the rows are sorted before they are hashed (Cassandra has no order
 * across partitions), so a column or a table added later is included without touching this class.
 */
final class KeyspaceTables {
    private final CqlSession session;

    KeyspaceTables(CqlSession session) {
        this.session = session;
    }

    /** Every table of the keyspace, by name (without the keyspace), but those {@code leftOut}. */
    DerivedTables.Snapshot capture(String keyspace, List<String> leftOut) {
        Map<String, List<String>> tables = new TreeMap<>();
        for (Row r : execute("SELECT table_name, column_name FROM system_schema.columns WHERE keyspace_name = ?", keyspace)) {
            if (!leftOut.contains(r.getString(0))) {
                tables.computeIfAbsent(r.getString(0), t -> new ArrayList<>()).add(r.getString(1));
            }
        }
        Map<String, DerivedTables.Table> read = new TreeMap<>();
        tables.forEach((table, columns) -> {
            List<String> sorted = columns.stream().sorted().toList();
            List<String> rows = new ArrayList<>();
            for (Row r : execute("SELECT " + sorted.stream().map(c -> "\"" + c + "\"").collect(Collectors.joining(", "))
                    + " FROM \"" + keyspace + "\".\"" + table + "\"")) {
                List<String> values = new ArrayList<>();
                for (int i = 0; i < sorted.size(); i++) {
                    Object v = r.getObject(i);
                    values.add(v == null ? "NULL" : CumulusClient.JSON.writeValueAsString(v.toString()));
                }
                rows.add(String.join(", ", values));
            }
            rows.sort(null);
            read.put(table, DerivedTables.Table.of(keyspace + "." + table, sorted, rows));
        });
        return new DerivedTables.Snapshot(read);
    }

    /** Empties a table, as a lost node would leave it. */
    void truncate(String keyspace, String table) {
        session.execute(SimpleStatement.newInstance("TRUNCATE \"" + keyspace + "\".\"" + table + "\"")
                .setTimeout(Duration.ofSeconds(30)));
    }

    private List<Row> execute(String cql, Object... values) {
        return session.execute(SimpleStatement.newInstance(cql, values).setTimeout(Duration.ofSeconds(30))).all();
    }
}
