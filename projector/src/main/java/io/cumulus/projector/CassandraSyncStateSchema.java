package io.cumulus.projector;

import java.time.Duration;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;

/**
 * The Cassandra tables of the sync state that the projector owns, in the keyspace of its settings:
 * <ul>
 *   <li>{@code feed ((namespace_id, bucket), seq)}: the namespace change feed, one row per file event,
 *       {@code bucket = seq / feedBucketSize}, so a partition never grows past one bucket;</li>
 *   <li>{@code files ((namespace_id), file_id)}: each file's current state (path, deleted, version
 *       vector, manifest, size, seq, whether it is a copy waiting for the text merge), written with {@code USING TIMESTAMP seq} so an older event
 *       never overwrites a newer one;</li>
 *   <li>{@code namespace_heads (namespace_id)}: the highest projected seq, also written with
 *       {@code USING TIMESTAMP seq}; a feed read stops at its bucket.</li>
 * </ul>
 * Columns added after a table was first created are added to an existing table at start too
 * ({@code ALTER TABLE ... ADD IF NOT EXISTS}); a row written before reads them as null.
 * Vectors and manifests are the JSON texts of the PostgreSQL read model ({@link ReadModelJson}).
 * Everything here is derived: dropping the keyspace and replaying the topics rebuilds it. Device
 * cursors are the API's (it creates {@code device_cursors} in the same keyspace).
 */
public final class CassandraSyncStateSchema {
    private static final Duration DDL_TIMEOUT = Duration.ofSeconds(60);

    /** Creates the keyspace and the tables when missing; safe to run at every start. */
    public static void create(CassandraSettings settings) {
        try (CqlSession session = settings.openSession()) {
            create(session, settings);
        }
    }

    static void create(CqlSession session, CassandraSettings settings) {
        String ks = settings.keyspace();
        ddl(session, "CREATE KEYSPACE IF NOT EXISTS " + ks + " WITH replication = " + settings.replication());
        ddl(session, "CREATE TABLE IF NOT EXISTS " + ks + ".feed ("
                + " namespace_id uuid, bucket bigint, seq bigint, file_id text, path text, op text, vector text,"
                + " chunks text, size bigint, device_id text, batch_id text, change_index int, conflict_of text,"
                + " at timestamp, merge_pending boolean,"
                + " PRIMARY KEY ((namespace_id, bucket), seq)) WITH CLUSTERING ORDER BY (seq ASC)");
        ddl(session, "CREATE TABLE IF NOT EXISTS " + ks + ".files ("
                + " namespace_id uuid, file_id text, path text, deleted boolean, vector text, chunks text, size bigint,"
                + " seq bigint, device_id text, updated_at timestamp, merge_pending boolean,"
                + " PRIMARY KEY ((namespace_id), file_id))");
        // Tables created before the text merge marked its copies (mergePending).
        ddl(session, "ALTER TABLE " + ks + ".feed ADD IF NOT EXISTS merge_pending boolean");
        ddl(session, "ALTER TABLE " + ks + ".files ADD IF NOT EXISTS merge_pending boolean");
        ddl(session, "CREATE TABLE IF NOT EXISTS " + ks + ".namespace_heads (namespace_id uuid PRIMARY KEY, last_seq bigint)");
    }

    private static void ddl(CqlSession session, String cql) {
        session.execute(SimpleStatement.newInstance(cql).setTimeout(DDL_TIMEOUT));
    }

    private CassandraSyncStateSchema() {
    }
}
