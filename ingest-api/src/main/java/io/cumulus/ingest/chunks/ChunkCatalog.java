package io.cumulus.ingest.chunks;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import io.cumulus.ingest.IngestDatabase;

/**
 * Which chunks exist ({@code ingest.chunks}) and which accounts may see them
 * ({@code ingest.account_chunks}). Every question is asked on behalf of one account and answered
 * from that account's rows only, so no answer reveals what anyone else stored.
 */
public final class ChunkCatalog {
    private final IngestDatabase db;

    public ChunkCatalog(IngestDatabase db) {
        this.db = db;
    }

    /** The ids among {@code ids} this account has not uploaded or referenced, in the order asked, once each. */
    public List<String> missingFor(UUID accountId, Collection<String> ids) {
        Set<String> asked = new LinkedHashSet<>(ids);
        if (asked.isEmpty()) {
            return List.of();
        }
        Set<String> visible = new HashSet<>(db.jdbc().sql("""
                        SELECT chunk_id FROM ingest.account_chunks WHERE account_id = ? AND chunk_id = ANY(?)""")
                .params(accountId, asked.toArray(String[]::new))
                .query(String.class).list());
        return asked.stream().filter(id -> !visible.contains(id)).toList();
    }

    /**
     * Records that the account uploaded the chunk (after its bytes are durable in the blob store).
     *
     * @return true when the chunk is new to this account, false when the account had it already
     */
    public boolean recordUpload(UUID accountId, ChunkId id, long size) {
        return Boolean.TRUE.equals(db.transactions().execute(tx -> {
            db.jdbc().sql("INSERT INTO ingest.chunks (id, size) VALUES (?, ?) ON CONFLICT (id) DO NOTHING")
                    .params(id.hex(), size)
                    .update();
            // xmax is 0 only in a row this statement inserted; an updated (already visible) row has it set.
            return db.jdbc().sql("""
                            INSERT INTO ingest.account_chunks (account_id, chunk_id) VALUES (?, ?)
                            ON CONFLICT (account_id, chunk_id) DO UPDATE SET last_used_at = now()
                            RETURNING (xmax = 0) AS inserted""")
                    .params(accountId, id.hex())
                    .query(Boolean.class).single();
        }));
    }

    /** The size of the chunk, when this account may read it. */
    public Optional<Long> sizeVisibleTo(UUID accountId, ChunkId id) {
        return db.jdbc().sql("""
                        SELECT c.size FROM ingest.chunks c
                        JOIN ingest.account_chunks ac ON ac.chunk_id = c.id AND ac.account_id = ?
                        WHERE c.id = ?""")
                .params(accountId, id.hex())
                .query(Long.class).optional();
    }

    /**
     * The stored sizes of those of {@code ids} this account may use, locking each chunk row against
     * deletion until the current transaction ends, so the garbage collector cannot remove a chunk
     * that a batch being committed references. Must run inside a transaction.
     */
    public Map<String, Long> lockVisible(UUID accountId, Collection<String> ids) {
        Map<String, Long> sizes = new TreeMap<>();
        if (ids.isEmpty()) {
            return sizes;
        }
        db.jdbc().sql("""
                        SELECT c.id, c.size FROM ingest.chunks c
                        JOIN ingest.account_chunks ac ON ac.chunk_id = c.id AND ac.account_id = ?
                        WHERE c.id = ANY(?)
                        ORDER BY c.id
                        FOR KEY SHARE OF c""")
                .params(accountId, ids.toArray(String[]::new))
                .query(rs -> {
                    sizes.put(rs.getString("id"), rs.getLong("size"));
                });
        return sizes;
    }

    /**
     * Marks the chunks as referenced by a batch of the namespace: every member of the namespace may
     * read them from now on, and their last use is now (the garbage collector's grace period starts
     * again). Rows are written in (account, chunk) order so concurrent batches cannot deadlock.
     */
    public void recordReferences(UUID namespaceId, Collection<String> ids) {
        if (ids.isEmpty()) {
            return;
        }
        db.jdbc().sql("""
                        INSERT INTO ingest.account_chunks (account_id, chunk_id)
                        SELECT m.account_id, c.id
                        FROM ingest.namespace_members m CROSS JOIN unnest(?::text[]) AS c(id)
                        WHERE m.namespace_id = ?
                        ORDER BY m.account_id, c.id
                        ON CONFLICT (account_id, chunk_id) DO UPDATE SET last_used_at = now()""")
                .params(ids.stream().sorted().distinct().toArray(String[]::new), namespaceId)
                .update();
    }
}
