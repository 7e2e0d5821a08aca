package io.cumulus.standalone.rebuild;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The generations of a store kept in one PostgreSQL schema (the read model, the chunk reference counts,
 * the photo library). The live generation has the store's own name ({@code readmodel}); generation N
 * is built beside it as {@code readmodel_gN}. The live schema's comment says its number
 * ({@code cumulus generation 3}); a schema without one is generation 1.
 *
 * <h2>The switch</h2>
 * Every write of the live worker takes the schema's switch lock shared first
 * ({@code pg_advisory_xact_lock_shared(hashtextextended('cumulus-generation:' || schema, 0))}), then locks
 * the positions of its partitions in the schema's {@code consumer_positions}. {@link #switchTo} takes that
 * lock exclusively, so no write of the live worker is in flight and the next one waits; brings the new
 * generation up to the live one's positions (or further); and renames, in the same transaction, the live
 * schema away and the new one to the store's name. The waiting write then resolves the name afresh (a
 * schema's renaming invalidates cached plans), finds the new generation's positions and leaves out what
 * they have passed. The retired schema is dropped after the commit.
 */
final class SchemaGenerations {
    private static final Logger log = LoggerFactory.getLogger(SchemaGenerations.class);
    /** The key prefix the modules' writers lock shared (ReadModelSchema, GcSchema, PhotosSchema.SWITCH_LOCK). */
    static final String SWITCH_LOCK = "cumulus-generation:";
    private static final Pattern COMMENT = Pattern.compile("cumulus generation (\\d+)");

    private final DataSource dataSource;
    private final String live;

    SchemaGenerations(DataSource dataSource, String live) {
        this.dataSource = dataSource;
        this.live = live;
    }

    String live() {
        return live;
    }

    DataSource dataSource() {
        return dataSource;
    }

    /** The schema generation {@code number} is built in. */
    String schemaOf(int number) {
        return live + "_g" + number;
    }

    /** The live generation's number; 1 for a schema without a generation comment. */
    int liveNumber() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = ?")) {
            s.setString(1, live);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("the schema " + live + " does not exist: the service that owns it"
                            + " has never run against this database, so there is nothing to rebuild");
                }
                Matcher m = COMMENT.matcher(String.valueOf(rs.getString(1)));
                return m.matches() ? Integer.parseInt(m.group(1)) : 1;
            }
        }
    }

    /** Drops what a rebuild that did not finish left: the schema of generation {@code number}, retired schemas. */
    void dropLeftovers(int number) throws SQLException {
        List<String> leftovers = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT nspname FROM pg_namespace WHERE nspname = ?"
                        + " OR nspname LIKE ? ESCAPE '!'")) {
            s.setString(1, schemaOf(number));
            s.setString(2, live.replace("_", "!_") + "!_retired!_g%");
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    leftovers.add(rs.getString(1));
                }
            }
        }
        for (String schema : leftovers) {
            log.info("dropping a generation left by an earlier rebuild schema={}", schema);
            drop(schema);
        }
    }

    /**
     * Drops every generation schema beside the live one: {@code live_gN} never switched to and
     * {@code live_retired_gN} never dropped. Only while no rebuild of the store runs.
     */
    void dropAllLeftovers() throws SQLException {
        Pattern leftover = Pattern.compile(Pattern.quote(live) + "_(retired_)?g\\d+");
        List<String> leftovers = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT nspname FROM pg_namespace WHERE nspname LIKE ? ESCAPE '!'")) {
            s.setString(1, live.replace("_", "!_") + "!_%");
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    if (leftover.matcher(rs.getString(1)).matches()) {
                        leftovers.add(rs.getString(1));
                    }
                }
            }
        }
        for (String schema : leftovers) {
            log.info("dropping a generation left by a rebuild that did not finish schema={}", schema);
            drop(schema);
        }
    }

    void drop(String schema) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + TableDigests.quote(schema) + " CASCADE");
        }
    }

    /** The positions in {@code schema}'s consumer_positions, of the given topics. */
    Map<TopicPartition, Long> positions(Connection c, String schema, List<String> topics) throws SQLException {
        Map<TopicPartition, Long> positions = new HashMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT topic, partition, next_offset FROM "
                + TableDigests.quote(schema) + ".consumer_positions WHERE topic = ANY(?::text[])")) {
            s.setArray(1, c.createArrayOf("text", topics.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    positions.put(new TopicPartition(rs.getString(1), rs.getInt(2)), rs.getLong(3));
                }
            }
        }
        return positions;
    }

    Map<TopicPartition, Long> positions(String schema, List<String> topics) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return positions(c, schema, topics);
        }
    }

    /** What a switch does between taking the lock and renaming, on the switch's own transaction. */
    interface BeforeRename {
        /**
         * Brings the new generation up to the live one (through {@code catchUp}), and anything else the
         * new generation needs before it goes live; {@code c} holds the switch lock.
         */
        void prepare(Connection c) throws Exception;
    }

    /**
     * Switches the live schema to generation {@code number}: takes the switch lock exclusively, runs
     * {@code beforeRename}, renames both schemas and records the number, commits, then drops the retired
     * schema. A failure before the commit leaves the live generation as it was.
     */
    void switchTo(int number, BeforeRename beforeRename) throws Exception {
        String next = schemaOf(number);
        String retired = live + "_retired_g" + liveNumber();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
                    lock.setString(1, SWITCH_LOCK + live);
                    lock.execute();
                }
                beforeRename.prepare(c);
                try (Statement s = c.createStatement()) {
                    s.execute("ALTER SCHEMA " + TableDigests.quote(live) + " RENAME TO " + TableDigests.quote(retired));
                    s.execute("ALTER SCHEMA " + TableDigests.quote(next) + " RENAME TO " + TableDigests.quote(live));
                    s.execute("COMMENT ON SCHEMA " + TableDigests.quote(live) + " IS 'cumulus generation " + number + "'");
                }
                c.commit();
            } catch (Exception | Error e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            }
        }
        log.info("generation switched schema={} generation={} retired={}", live, number, retired);
        drop(retired);
    }

    /**
     * Throws unless generation {@code schema} is at or past every position of {@code required}: what
     * the live generation has, the new one must have before it replaces it.
     */
    void requireAtOrPast(Connection c, String schema, List<String> topics, Map<TopicPartition, Long> required)
            throws SQLException {
        Map<TopicPartition, Long> have = positions(c, schema, topics);
        for (Map.Entry<TopicPartition, Long> e : required.entrySet()) {
            if (have.getOrDefault(e.getKey(), 0L) < e.getValue()) {
                throw new IllegalStateException(schema + " is at " + have.get(e.getKey()) + " of " + e.getKey()
                        + " but the live " + live + " is at " + e.getValue() + "; not switching");
            }
        }
    }
}
