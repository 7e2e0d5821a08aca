package io.cumulus.projector;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.sql.DataSource;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;

/**
 * A new generation of the Cassandra sync state: a keyspace of its own ({@link SyncStateGenerations}),
 * filled from the file events by the projector's own {@link CassandraSyncStateWriter}, then switched
 * to. Every write carries {@code USING TIMESTAMP seq}, so applying a record twice, or after the live
 * projector wrote it too, changes nothing: the switch relies on it.
 *
 * <p>The switch, in one PostgreSQL transaction: lock the pointer row ({@code FOR UPDATE}, which waits
 * for the live projectors' polls in flight and holds off their next ones), read the end offsets of
 * the file events, apply up to them, point the row at the new keyspace, commit. Everything a live
 * projector wrote to the old keyspace was in the topic below those end offsets, and everything after
 * goes to the new keyspace. The API re-reads the row at most a second later; the retired keyspace
 * is dropped after that.
 */
public final class SyncStateRebuild implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SyncStateRebuild.class);
    /** Longer than the API's cache of the pointer row, so no API reads the retired generation when it goes. */
    private static final Duration RETIRE_AFTER = Duration.ofSeconds(3);
    private static final Duration DDL_TIMEOUT = Duration.ofSeconds(60);
    private static final String[] TABLES = {"feed", "files", "namespace_heads"};

    /** How the switch reads the topic's end and applies records up to it, under the lock. */
    public interface CatchUp {
        Map<TopicPartition, Long> endOffsets() throws Exception;

        void until(Map<TopicPartition, Long> positions) throws Exception;
    }

    private final DataSource dataSource;
    private final CassandraSettings base;
    private final CassandraSettings settings;
    private final int generation;
    private final CqlSession session;
    private final CassandraSyncStateWriter writer;
    private final ProjectorConfig decoding;
    private final Map<TopicPartition, Long> positions = new HashMap<>();

    private SyncStateRebuild(DataSource dataSource, CassandraSettings base, int generation, CqlSession session) {
        this.dataSource = dataSource;
        this.base = base;
        this.generation = generation;
        this.settings = base.withKeyspace(SyncStateGenerations.keyspace(base.keyspace(), generation));
        this.session = session;
        CassandraSyncStateSchema.create(session, settings);
        this.writer = new CassandraSyncStateWriter(session, settings);
        this.decoding = ProjectorConfig.of("unused");
    }

    /** The generation of the live keyspace: 1 until a rebuild has switched. */
    public static int liveGeneration(DataSource dataSource, CassandraSettings base) throws SQLException {
        return SyncStateGenerations.generation(base.keyspace(), SyncStateGenerations.live(dataSource, base.keyspace()));
    }

    /** Creates generation {@code n}'s keyspace empty (dropping what an earlier attempt left in it). */
    public static SyncStateRebuild create(DataSource dataSource, CassandraSettings base, int n) throws SQLException {
        if (n < 2) {
            throw new IllegalArgumentException("a rebuilt generation is numbered 2 or more, not " + n);
        }
        SyncStateGenerations.createPointer(dataSource, base.keyspace());
        CqlSession session = base.openSession();
        try {
            ddl(session, "DROP KEYSPACE IF EXISTS " + SyncStateGenerations.keyspace(base.keyspace(), n));
            return new SyncStateRebuild(dataSource, base, n, session);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    public String keyspace() {
        return settings.keyspace();
    }

    public int generation() {
        return generation;
    }

    /** Writes the file events of one poll into this generation. */
    public void apply(ConsumerRecords<byte[], byte[]> records) {
        writer.write(ProjectionBatch.decode(records, decoding));
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> part = records.records(tp);
            positions.merge(tp, part.get(part.size() - 1).offset() + 1, Math::max);
        }
    }

    /** The next offset to apply of every partition applied so far. */
    public Map<TopicPartition, Long> positions() {
        return Map.copyOf(positions);
    }

    /** Makes this generation the live one (see the class comment), then drops the retired one. */
    public void switchOver(CatchUp catchUp) throws Exception {
        String retired;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (Statement s = c.createStatement()) {
                    s.execute("SET LOCAL lock_timeout = '30s'");
                }
                retired = SyncStateGenerations.read(c, "FOR UPDATE").orElse(base.keyspace());
                catchUp.until(catchUp.endOffsets());
                SyncStateGenerations.write(c, keyspace());
                c.commit();
            } catch (Exception e) {
                c.rollback();
                throw e;
            }
        }
        log.info("sync state switched keyspace={} generation={} retired={}", keyspace(), generation, retired);
        // Switched: nothing from here may fail the switch (a failed rebuild drops its generation, now the live one).
        try {
            Thread.sleep(RETIRE_AFTER.toMillis()); // no signal tells when every API has re-read the row: its cache's age bounds it
            retire(retired);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("sync state generation not retired, drop it by hand keyspace={}", retired);
        } catch (RuntimeException e) {
            log.warn("sync state generation not retired, drop it by hand keyspace={} error={}", retired, e.toString());
        }
    }

    /** Drops this generation's keyspace (an abort or a failure); the live one is untouched. */
    public void drop() throws SQLException {
        if (SyncStateGenerations.live(dataSource, base.keyspace()).equals(keyspace())) {
            log.warn("sync state generation is live, not dropped keyspace={}", keyspace());
            return;
        }
        ddl(session, "DROP KEYSPACE IF EXISTS " + keyspace());
    }

    @Override
    public void close() {
        session.close();
    }

    /** The retired generation's tables go; the configured keyspace itself stays, with the device cursors. */
    private void retire(String retired) {
        if (retired.equals(base.keyspace())) {
            for (String table : TABLES) {
                ddl(session, "DROP TABLE IF EXISTS " + retired + "." + table);
            }
        } else {
            ddl(session, "DROP KEYSPACE IF EXISTS " + retired);
        }
        log.info("sync state generation retired keyspace={}", retired);
    }

    /**
     * A SHA-256 per table of the live generation (feed, files, namespace_heads), over its rows' values
     * in a canonical order; the device cursors, which are not derived, are left out.
     */
    public static Map<String, String> digest(DataSource dataSource, CassandraSettings base) throws SQLException {
        String live = SyncStateGenerations.live(dataSource, base.keyspace());
        try (CqlSession session = base.openSession()) {
            return digest(session, live);
        }
    }

    static Map<String, String> digest(CqlSession session, String keyspace) {
        Map<String, String> digests = new TreeMap<>();
        for (String table : TABLES) {
            List<String> rows = new ArrayList<>();
            for (Row row : session.execute(SimpleStatement.newInstance("SELECT * FROM " + keyspace + "." + table)
                    .setPageSize(1000).setTimeout(DDL_TIMEOUT))) {
                rows.add(row.getFormattedContents());
            }
            rows.sort(null);
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                rows.forEach(r -> sha.update((r + "\n").getBytes(StandardCharsets.UTF_8)));
                digests.put(table, HexFormat.of().formatHex(sha.digest()) + " (" + rows.size() + " rows)");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return digests;
    }

    private static void ddl(CqlSession session, String cql) {
        session.execute(SimpleStatement.newInstance(cql).setTimeout(DDL_TIMEOUT));
    }
}
