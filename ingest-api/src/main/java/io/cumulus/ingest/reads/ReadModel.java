package io.cumulus.ingest.reads;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.cumulus.ingest.IngestDatabase;
import io.cumulus.ingest.syncstate.FileEntry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Read-only queries on the projector's {@code readmodel} schema (files, feed, batch outcomes),
 * joined with {@code ingest} for ownership and membership: batch outcomes, listings, history, the
 * trash and conflicts. A device's polling (the change feed, a file's current state, its cursor) goes
 * through {@link io.cumulus.ingest.syncstate.SyncState} instead, which may live in Cassandra. The jsonb columns are handed on as
 * JSON trees, in the formats the projector writes them.
 */
public final class ReadModel {
    private final IngestDatabase db;
    private final JsonMapper json = JsonMapper.builder().build();

    public record Batch(UUID batchId, UUID namespaceId, int changeCount) {
    }

    public record Outcome(int changeIndex, String fileId, String path, String kind, Long seq, String conflictFileId,
                          String conflictPath, JsonNode currentVector) {
    }

    /** One event of a file's history: a version (UPSERT) or its deletion (DELETE); {@code seq} names it. */
    public record Version(long seq, String path, String op, JsonNode vector, JsonNode chunks, long size, String deviceId,
                          String deviceName, Instant at) {
    }

    /** A deleted file and its last version, which undelete brings back. */
    public record TrashEntry(String fileId, String path, long size, long version, Instant deletedAt) {
    }

    /**
     * An unresolved conflict: a live file whose latest event kept it as a conflicted copy of
     * another ({@code conflictOf}), or released it unchanged after the merge worker did not merge it.
     * {@code seq} is the copy's latest event, which orders the list. {@code mergePending}: the merge
     * worker has yet to merge the copy away or release it.
     */
    public record Conflict(long seq, ConflictSide copy, ConflictSide original, boolean mergePending) {
    }

    /**
     * One side of a conflict: the file, where it is (for a deleted original, where it was last), and
     * the device and time of its current event (for a deleted original, its deletion).
     */
    public record ConflictSide(String fileId, String path, boolean deleted, String deviceId, String deviceName, Instant at) {
    }

    public ReadModel(IngestDatabase db) {
        this.db = db;
    }

    public Optional<Batch> batchOf(UUID accountId, UUID batchId) {
        return db.jdbc().sql("SELECT id, namespace_id, change_count FROM ingest.batches WHERE id = ? AND account_id = ?")
                .params(batchId, accountId)
                .query((rs, i) -> new Batch(rs.getObject("id", UUID.class), rs.getObject("namespace_id", UUID.class),
                        rs.getInt("change_count")))
                .optional();
    }

    public List<Outcome> outcomesOf(UUID batchId) {
        return db.jdbc().sql("""
                        SELECT change_index, file_id, path, kind, seq, conflict_file_id, conflict_path, current_vector::text
                        FROM readmodel.batch_outcomes WHERE batch_id = ? ORDER BY change_index""")
                .param(batchId.toString())
                .query((rs, i) -> new Outcome(rs.getInt("change_index"), rs.getString("file_id"), rs.getString("path"),
                        rs.getString("kind"), rs.getObject("seq", Long.class), rs.getString("conflict_file_id"),
                        rs.getString("conflict_path"), tree(rs.getString("current_vector"))))
                .list();
    }

    /**
     * Of these batches, the changes that {@code deviceId} itself sent (not a batch the server made on
     * its behalf) and that were applied as sent: no conflicted copy was made. Their events tell the
     * device nothing its batch's outcomes did not (see {@link ReadController#changes}).
     */
    public List<SentAsIs> appliedAsSent(UUID deviceId, java.util.Collection<String> batchIds) {
        if (batchIds.isEmpty()) {
            return List.of();
        }
        return db.jdbc().sql("""
                        SELECT o.batch_id, o.change_index, o.file_id, o.seq
                        FROM ingest.batches b JOIN readmodel.batch_outcomes o ON o.batch_id = b.id::text
                        WHERE b.id = ANY (?::uuid[]) AND b.device_id = ? AND b.on_behalf = false
                          AND o.kind = 'APPLIED' AND o.seq IS NOT NULL AND o.conflict_file_id IS NULL""")
                .params(batchIds.stream().map(ReadModel::uuidOrNil).map(UUID::toString).toArray(String[]::new), deviceId)
                .query((rs, i) -> new SentAsIs(rs.getString("batch_id"), rs.getInt("change_index"), rs.getString("file_id"),
                        rs.getLong("seq")))
                .list();
    }

    /** An applied change as its device sent it, and the seq of the event it made. */
    public record SentAsIs(String batchId, int changeIndex, String fileId, long seq) {
    }

    private static UUID uuidOrNil(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return new UUID(0, 0); // not a batch the intake made (none has this id)
        }
    }

    /**
     * Whether some outcome of the batch names a file event the feed does not show yet: the projector
     * may write an outcome and its event in two transactions, and a batch is only done for a device
     * once it can also pull what the batch changed.
     */
    public boolean eventsPending(UUID batchId) {
        return db.jdbc().sql("""
                        SELECT EXISTS (SELECT 1 FROM readmodel.batch_outcomes o
                                       WHERE o.batch_id = ? AND o.seq IS NOT NULL
                                         AND NOT EXISTS (SELECT 1 FROM readmodel.feed f
                                                         WHERE f.namespace_id = o.namespace_id AND f.seq = o.seq))""")
                .param(batchId.toString())
                .query(Boolean.class).single();
    }

    /** Live files whose path starts with {@code prefix} (byte-exact, no pattern characters), by path. */
    public List<FileEntry> liveFiles(UUID namespaceId, String prefix) {
        return db.jdbc().sql("""
                        SELECT namespace_id, file_id, path, deleted, vector::text, chunks::text, size, seq, updated_at,
                               merge_pending
                        FROM readmodel.files
                        WHERE namespace_id = ? AND NOT deleted AND path LIKE ? ESCAPE '\\'
                        ORDER BY path COLLATE "C", file_id""")
                .params(namespaceId, likePrefix(prefix))
                .query(this::fileEntry)
                .list();
    }

    /**
     * The file among the namespaces the account is a member of (or only {@code namespaceId}); when
     * the same id is in several, the most recently updated.
     */
    public Optional<FileEntry> file(UUID accountId, String fileId, Optional<UUID> namespaceId) {
        String sql = """
                SELECT f.namespace_id, f.file_id, f.path, f.deleted, f.vector::text, f.chunks::text, f.size, f.seq,
                       f.updated_at, f.merge_pending
                FROM readmodel.files f
                JOIN ingest.namespace_members m ON m.namespace_id = f.namespace_id AND m.account_id = ?
                WHERE f.file_id = ?""" + (namespaceId.isPresent() ? " AND f.namespace_id = ?" : "") + """

                ORDER BY f.updated_at DESC, f.namespace_id
                LIMIT 1""";
        List<Object> params = new ArrayList<>(List.of(accountId, fileId));
        namespaceId.ifPresent(params::add);
        return db.jdbc().sql(sql).params(params).query(this::fileEntry).optional();
    }

    /** Every event of a file in its namespace, newest first. */
    public List<Version> history(UUID namespaceId, String fileId) {
        return db.jdbc().sql("""
                        SELECT f.seq, f.path, f.op, f.vector::text, f.chunks::text, f.size, f.device_id, d.name, f.at
                        FROM readmodel.feed f LEFT JOIN ingest.devices d ON d.id::text = f.device_id
                        WHERE f.namespace_id = ? AND f.file_id = ? ORDER BY f.seq DESC""")
                .params(namespaceId, fileId)
                .query((rs, i) -> new Version(rs.getLong("seq"), rs.getString("path"), rs.getString("op"),
                        tree(rs.getString("vector")), tree(rs.getString("chunks")), rs.getLong("size"),
                        rs.getString("device_id"), rs.getString("name"), instant(rs, "at")))
                .list();
    }

    /** The namespace's deleted files, most recently deleted first, each with its last version. */
    public List<TrashEntry> trash(UUID namespaceId) {
        return db.jdbc().sql("""
                        SELECT f.file_id, v.path, v.size, v.seq, f.updated_at
                        FROM readmodel.files f
                        JOIN LATERAL (SELECT path, size, seq FROM readmodel.feed
                                      WHERE namespace_id = f.namespace_id AND file_id = f.file_id AND op = 'UPSERT'
                                      ORDER BY seq DESC LIMIT 1) v ON true
                        WHERE f.namespace_id = ? AND f.deleted
                        ORDER BY f.updated_at DESC, f.file_id""")
                .param(namespaceId)
                .query((rs, i) -> new TrashEntry(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                        instant(rs, "updated_at")))
                .list();
    }

    /** The namespace's unresolved conflicts, by the copy's sequence number. */
    public List<Conflict> conflicts(UUID namespaceId) {
        return conflicts(namespaceId, Optional.empty());
    }

    /** The unresolved conflict whose copy is {@code copyFileId}, if it is one. */
    public Optional<Conflict> conflict(UUID namespaceId, String copyFileId) {
        return conflicts(namespaceId, Optional.of(copyFileId)).stream().findFirst();
    }

    private List<Conflict> conflicts(UUID namespaceId, Optional<String> copyFileId) {
        // The original is joined loosely: an original the read model lacks is reported as deleted, never hidden.
        // A copy the merge worker released (its latest event, submitted under the key merge:<copy>, follows
        // the pending one) stays unresolved: the copy side shows the event that made it a copy.
        String sql = """
                SELECT c.seq, c.file_id, c.path, me.device_id, cd.name AS device_name, me.at, ce.merge_pending,
                       me.conflict_of AS o_file_id, o.path AS o_path, coalesce(o.deleted, true) AS o_deleted,
                       oe.device_id AS o_device_id, od.name AS o_device_name, oe.at AS o_at
                FROM readmodel.files c
                JOIN readmodel.feed ce ON ce.namespace_id = c.namespace_id AND ce.seq = c.seq
                LEFT JOIN LATERAL (SELECT p.seq, p.merge_pending FROM readmodel.feed p
                                   WHERE p.namespace_id = c.namespace_id AND p.file_id = c.file_id AND p.seq < c.seq
                                   ORDER BY p.seq DESC LIMIT 1) prev ON true
                LEFT JOIN ingest.batches rb ON rb.id = (CASE WHEN ce.batch_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                                                             THEN ce.batch_id::uuid END)
                JOIN readmodel.feed me ON me.namespace_id = c.namespace_id
                     AND me.seq = (CASE WHEN ce.conflict_of IS NOT NULL THEN ce.seq
                                        WHEN prev.merge_pending AND ce.op = 'UPSERT' AND rb.idempotency_key = 'merge:' || c.file_id
                                        THEN prev.seq END)
                LEFT JOIN ingest.devices cd ON cd.id::text = me.device_id
                LEFT JOIN readmodel.files o ON o.namespace_id = c.namespace_id AND o.file_id = me.conflict_of
                LEFT JOIN readmodel.feed oe ON oe.namespace_id = o.namespace_id AND oe.seq = o.seq
                LEFT JOIN ingest.devices od ON od.id::text = oe.device_id
                WHERE c.namespace_id = ? AND NOT c.deleted""" + (copyFileId.isPresent() ? " AND c.file_id = ?" : "") + """

                ORDER BY c.seq""";
        List<Object> params = new ArrayList<>(List.of(namespaceId));
        copyFileId.ifPresent(params::add);
        return db.jdbc().sql(sql).params(params)
                .query((rs, i) -> new Conflict(rs.getLong("seq"),
                        new ConflictSide(rs.getString("file_id"), rs.getString("path"), false, rs.getString("device_id"),
                                rs.getString("device_name"), instant(rs, "at")),
                        new ConflictSide(rs.getString("o_file_id"), rs.getString("o_path"), rs.getBoolean("o_deleted"),
                                rs.getString("o_device_id"), rs.getString("o_device_name"), instant(rs, "o_at")),
                        rs.getBoolean("merge_pending")))
                .list();
    }

    /**
     * The sequence number of the latest event that kept the file as a conflicted copy, or released it
     * as one after the merge worker did not merge it, if one did.
     */
    public Optional<Long> lastConflictSeq(UUID namespaceId, String fileId) {
        return db.jdbc().sql("""
                        SELECT f.seq FROM readmodel.feed f
                        LEFT JOIN ingest.batches b ON b.id = (CASE WHEN f.batch_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                                                                   THEN f.batch_id::uuid END)
                        WHERE f.namespace_id = ? AND f.file_id = ?
                          AND (f.conflict_of IS NOT NULL OR (f.op = 'UPSERT' AND b.idempotency_key = 'merge:' || f.file_id))
                        ORDER BY f.seq DESC LIMIT 1""")
                .params(namespaceId, fileId)
                .query(Long.class).optional();
    }

    private FileEntry fileEntry(ResultSet rs, int row) throws SQLException {
        return new FileEntry(rs.getObject("namespace_id", UUID.class), rs.getString("file_id"), rs.getString("path"),
                rs.getBoolean("deleted"), tree(rs.getString("vector")), tree(rs.getString("chunks")), rs.getLong("size"),
                rs.getLong("seq"), instant(rs, "updated_at"), rs.getBoolean("merge_pending"));
    }

    static String likePrefix(String prefix) {
        return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    private JsonNode tree(String jsonb) {
        return jsonb == null ? null : json.readTree(jsonb);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime at = rs.getObject(column, OffsetDateTime.class);
        return at == null ? null : at.toInstant();
    }
}
