package io.cumulus.bench.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

import io.cumulus.embedded.PostgresConnection;

/**
 * The server's metadata after a run, per file version (a row of the change feed: every upsert and
 * deletion the run made): the PostgreSQL relations with their indexes and TOAST
 * ({@code pg_total_relation_size}, as they are on disk, dead rows included), and the Kafka log
 * segments of each topic (the {@code .log} files; indexes are preallocated and left out).
 */
final class ServerFootprint {
    private ServerFootprint() {
    }

    static void report(PostgresConnection database, Path kafkaLogDir, Consumer<String> say) {
        try (Connection c = database.connect(); Statement st = c.createStatement()) {
            long versions;
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM readmodel.feed")) {
                rs.next();
                versions = rs.getLong(1);
            }
            if (versions == 0) {
                say.accept("server metadata: no file versions");
                return;
            }
            Map<String, Long> tables = new TreeMap<>();
            Map<String, Long> indexes = new TreeMap<>();
            try (ResultSet rs = st.executeQuery("""
                    SELECT schemaname || '.' || relname, pg_total_relation_size(relid), pg_indexes_size(relid)
                    FROM pg_stat_user_tables WHERE schemaname IN ('ingest', 'readmodel') ORDER BY 1""")) {
                while (rs.next()) {
                    tables.put(rs.getString(1), rs.getLong(2));
                    indexes.put(rs.getString(1), rs.getLong(3));
                }
            }
            long pg = tables.values().stream().mapToLong(Long::longValue).sum();
            Map<String, Long> topics = topicBytes(kafkaLogDir);
            long kafka = topics.values().stream().mapToLong(Long::longValue).sum();
            say.accept(String.format("server metadata: %d file versions; PostgreSQL %d B per version, Kafka log %d B per version, "
                    + "%d B in all", versions, pg / versions, kafka / versions, (pg + kafka) / versions));
            tables.forEach((t, b) -> {
                if (b / versions > 0) {
                    say.accept(String.format("  postgres %-40s %10d B  %6d B per version (indexes %d)", t, b, b / versions,
                            indexes.get(t) / versions));
                }
            });
            topics.forEach((t, b) -> say.accept(String.format("  kafka    %-40s %10d B  %6d B per version", t, b, b / versions)));
        } catch (Exception e) {
            say.accept("server metadata: not measured (" + e + ")");
        }
    }

    /** Log segment bytes per topic: partition directories are {@code <topic>-<n>}. */
    private static Map<String, Long> topicBytes(Path logDir) throws IOException {
        Map<String, Long> topics = new TreeMap<>();
        if (!Files.isDirectory(logDir)) {
            return topics;
        }
        try (Stream<Path> files = Files.walk(logDir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".log")).toList()) {
                String partition = f.getParent().getFileName().toString();
                int dash = partition.lastIndexOf('-');
                if (dash < 0 || !partition.substring(dash + 1).chars().allMatch(Character::isDigit)) {
                    continue;
                }
                topics.merge(partition.substring(0, dash), Files.size(f), Long::sum);
            }
        }
        return topics;
    }
}
