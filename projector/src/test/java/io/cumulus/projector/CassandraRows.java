package io.cumulus.projector;

import java.util.List;
import java.util.UUID;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;

/**
 * The Cassandra sync-state rows of one namespace, each as its JSON text (Cassandra's {@code SELECT
 * JSON}) in key order, with the write time of the cells a newer event must win: two snapshots are
 * equal exactly when the tables hold the same rows.
 */
record CassandraRows(List<String> feed, List<String> files, List<String> heads) {

    static CassandraRows of(CqlSession session, String keyspace, UUID namespace, long maxBucket) {
        List<String> feed = new java.util.ArrayList<>();
        for (long bucket = 0; bucket <= maxBucket; bucket++) {
            feed.addAll(rows(session, "SELECT JSON * FROM " + keyspace + ".feed WHERE namespace_id = ? AND bucket = ?",
                    namespace, bucket));
        }
        return new CassandraRows(feed,
                rows(session, "SELECT JSON file_id, path, deleted, vector, chunks, size, seq, device_id, updated_at, merge_pending,"
                        + " writetime(path) AS written FROM " + keyspace + ".files WHERE namespace_id = ?", namespace),
                rows(session, "SELECT JSON last_seq, writetime(last_seq) AS written FROM " + keyspace
                        + ".namespace_heads WHERE namespace_id = ?", namespace));
    }

    int size() {
        return feed.size() + files.size() + heads.size();
    }

    private static List<String> rows(CqlSession session, String cql, Object... values) {
        return session.execute(SimpleStatement.newInstance(cql, values)).all().stream()
                .map((Row r) -> r.getString(0)).toList();
    }
}
