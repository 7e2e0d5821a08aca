package io.cumulus.ingest.syncstate;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.cumulus.ingest.IngestDatabase;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sync state in PostgreSQL, the default: the feed and files of the projector's {@code readmodel}
 * schema, and the cursors in {@code ingest.device_cursors}. The jsonb columns are handed on as JSON
 * trees, in the formats the projector writes them.
 */
public final class PostgresSyncState implements SyncState {
    private final IngestDatabase db;
    private final JsonMapper json = JsonMapper.builder().build();

    public PostgresSyncState(IngestDatabase db) {
        this.db = db;
    }

    @Override
    public List<FeedEntry> feed(UUID namespaceId, long afterSeq, int limit) {
        return db.jdbc().sql("""
                        SELECT seq, file_id, path, op, vector::text, chunks::text, size, device_id, batch_id, change_index,
                               conflict_of, at, merge_pending
                        FROM readmodel.feed WHERE namespace_id = ? AND seq > ? ORDER BY seq LIMIT ?""")
                .params(namespaceId, afterSeq, limit)
                .query((rs, i) -> new FeedEntry(rs.getLong("seq"), rs.getString("file_id"), rs.getString("path"),
                        rs.getString("op"), tree(rs.getString("vector")), tree(rs.getString("chunks")), rs.getLong("size"),
                        rs.getString("device_id"), rs.getString("batch_id"), rs.getInt("change_index"),
                        rs.getString("conflict_of"), instant(rs, "at"), rs.getBoolean("merge_pending")))
                .list();
    }

    @Override
    public long head(UUID namespaceId) {
        return db.jdbc().sql("SELECT coalesce(max(seq), 0) FROM readmodel.feed WHERE namespace_id = ?")
                .param(namespaceId).query(Long.class).single();
    }

    @Override
    public Optional<FileEntry> file(UUID namespaceId, String fileId) {
        return db.jdbc().sql("""
                        SELECT namespace_id, file_id, path, deleted, vector::text, chunks::text, size, seq, updated_at,
                               merge_pending
                        FROM readmodel.files WHERE namespace_id = ? AND file_id = ?""")
                .params(namespaceId, fileId)
                .query((rs, i) -> new FileEntry(rs.getObject("namespace_id", UUID.class), rs.getString("file_id"),
                        rs.getString("path"), rs.getBoolean("deleted"), tree(rs.getString("vector")),
                        tree(rs.getString("chunks")), rs.getLong("size"), rs.getLong("seq"), instant(rs, "updated_at"),
                        rs.getBoolean("merge_pending")))
                .optional();
    }

    @Override
    public void recordCursor(UUID namespaceId, UUID deviceId, long seq) {
        db.jdbc().sql("""
                        INSERT INTO ingest.device_cursors AS c (namespace_id, device_id, seq) VALUES (?, ?, ?)
                        ON CONFLICT (namespace_id, device_id) DO UPDATE SET seq = excluded.seq, updated_at = now()
                        WHERE c.seq < excluded.seq""")
                .params(namespaceId, deviceId, seq)
                .update();
    }

    @Override
    public List<DeviceCursor> cursors(UUID namespaceId) {
        return db.jdbc().sql("""
                        SELECT device_id, seq, updated_at FROM ingest.device_cursors
                        WHERE namespace_id = ? ORDER BY device_id::text""")
                .param(namespaceId)
                .query((rs, i) -> new DeviceCursor(rs.getObject("device_id", UUID.class), rs.getLong("seq"),
                        instant(rs, "updated_at")))
                .list();
    }

    private JsonNode tree(String jsonb) {
        return jsonb == null ? null : json.readTree(jsonb);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime at = rs.getObject(column, OffsetDateTime.class);
        return at == null ? null : at.toInstant();
    }
}
