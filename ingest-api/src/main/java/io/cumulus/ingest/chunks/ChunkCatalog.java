package io.cumulus.ingest.chunks;

import java.time.OffsetDateTime;
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
                        SELECT ac.chunk_id FROM ingest.account_chunks ac
                        JOIN ingest.chunks c ON c.id = ac.chunk_id AND c.state = 'stored'
                        WHERE ac.account_id = ? AND ac.chunk_id = ANY(?)""")
                .params(accountId, asked.toArray(String[]::new))
                .query(String.class).list());
        return asked.stream().filter(id -> !visible.contains(id)).toList();
    }

    /**
     * An upload under way: {@code createdAt} is set when this upload wrote the chunk's row (as
     * {@code uploading}), so that {@link #abandon} removes only a row no one else has used since;
     * otherwise {@code found} is the state the row had.
     */
    public record Upload(ChunkId id, Optional<OffsetDateTime> createdAt, Optional<String> found) {

        /** Whether the chunk was already stored when this upload began: its bytes are kept once. */
        public boolean alreadyStored() {
            return found.filter("stored"::equals).isPresent();
        }
    }

    /**
     * Opens an upload, before any byte is written: a chunk unknown so far gets an {@code uploading}
     * row, which the garbage collector leaves alone for its grace period, so no deletion can remove
     * bytes this upload writes. A chunk being collected cannot be uploaded until it is gone.
     *
     * @throws ChunkBeingCollectedException when the chunk's row is marked {@code deleting}
     */
    public Upload beginUpload(ChunkId id) {
        Optional<OffsetDateTime> created = db.jdbc().sql("""
                        INSERT INTO ingest.chunks (id, state, last_uploaded_at) VALUES (?, 'uploading', clock_timestamp())
                        ON CONFLICT (id) DO NOTHING
                        RETURNING last_uploaded_at""")
                .param(id.hex())
                .query(OffsetDateTime.class).optional();
        Optional<String> found = created.isPresent() ? Optional.empty() : stateOf(id);
        if (found.filter("deleting"::equals).isPresent()) {
            throw new ChunkBeingCollectedException(id);
        }
        return new Upload(id, created, found);
    }

    /**
     * Gives up an upload whose bytes were not stored (refused, interrupted): the {@code uploading}
     * row it wrote goes, unless another upload of the same chunk has touched it since.
     */
    public void abandon(Upload upload) {
        upload.createdAt().ifPresent(at -> db.jdbc().sql("""
                        DELETE FROM ingest.chunks WHERE id = ? AND state = 'uploading' AND last_uploaded_at = ?""")
                .params(upload.id().hex(), at)
                .update());
    }

    /**
     * Records that the account uploaded the chunk, after its bytes are durable in the blob store:
     * the row becomes {@code stored}, unless the garbage collector marked or forgot it meanwhile
     * (an upload that outlasted the grace period), in which case the bytes may be gone again and
     * the upload must be retried. The bytes are looked for once the row is locked: the row found may
     * be another upload's, written after the collector deleted the chunk this upload had found stored
     * (and so did not write again), and no collector deletes the bytes of a row it has not locked.
     *
     * @return true when the chunk is new to this account, false when the account had it already
     * @throws ChunkBeingCollectedException when the row is being collected, was collected during the
     *         upload, or its bytes are gone
     */
    public boolean recordUpload(UUID accountId, ChunkId id, long size, BlobStore blobs) {
        return Boolean.TRUE.equals(db.transactions().execute(tx -> {
            markStored(id, size, blobs);
            // xmax is 0 only in a row this statement inserted; an updated (already visible) row has it set.
            return db.jdbc().sql("""
                            INSERT INTO ingest.account_chunks (account_id, chunk_id) VALUES (?, ?)
                            ON CONFLICT (account_id, chunk_id)
                            DO UPDATE SET last_used_at = greatest(ingest.account_chunks.last_used_at, excluded.last_used_at)
                            RETURNING (xmax = 0) AS inserted""")
                    .params(accountId, id.hex())
                    .query(Boolean.class).single();
        }));
    }

    /**
     * Records a blob that no account uploaded (a photo's derivative, written by the photo worker) once
     * its bytes are durable: the row becomes {@code stored}, and the collector keeps it while a
     * retained version's derivatives name it (see {@code ChunkCollector}).
     *
     * @throws ChunkBeingCollectedException as {@link #recordUpload} does
     */
    public void recordStored(ChunkId id, long size, BlobStore blobs) {
        db.transactions().executeWithoutResult(tx -> markStored(id, size, blobs));
    }

    private void markStored(ChunkId id, long size, BlobStore blobs) {
        int stored = db.jdbc().sql("""
                        UPDATE ingest.chunks SET state = 'stored', size = ?, last_uploaded_at = clock_timestamp()
                        WHERE id = ? AND state IN ('uploading', 'stored')""")
                .params(size, id.hex())
                .update();
        if (stored == 0 || !blobs.exists(id)) {
            throw new ChunkBeingCollectedException(id);
        }
    }

    /** The chunk's state ({@code uploading}, {@code stored}, {@code deleting}), or empty when it has no row. */
    public Optional<String> stateOf(ChunkId id) {
        return db.jdbc().sql("SELECT state FROM ingest.chunks WHERE id = ?").param(id.hex()).query(String.class).optional();
    }

    /** The size of the chunk, when this account may read it. */
    public Optional<Long> sizeVisibleTo(UUID accountId, ChunkId id) {
        return db.jdbc().sql("""
                        SELECT c.size FROM ingest.chunks c
                        JOIN ingest.account_chunks ac ON ac.chunk_id = c.id AND ac.account_id = ?
                        WHERE c.id = ? AND c.state = 'stored'""")
                .params(accountId, id.hex())
                .query(Long.class).optional();
    }

    /** The sizes of those of {@code ids} this account may read (no lock: for downloads). */
    public Map<String, Long> sizesVisibleTo(UUID accountId, Collection<String> ids) {
        return visible(accountId, ids, "");
    }

    /**
     * The stored sizes of those of {@code ids} this account may use, locking each chunk row against
     * deletion until the current transaction ends, so the garbage collector cannot remove a chunk
     * that a batch being committed references. Must run inside a transaction. The lock is a share
     * lock, which any update of the row waits for: the collector's mark ({@code deleting}) waits for
     * the commit and then sees the reference it recorded, and a commit that waited for a mark sees
     * the chunk as no longer stored, so it is refused as missing.
     */
    public Map<String, Long> lockVisible(UUID accountId, Collection<String> ids) {
        return visible(accountId, ids, " ORDER BY c.id FOR SHARE OF c");
    }

    private Map<String, Long> visible(UUID accountId, Collection<String> ids, String locking) {
        Map<String, Long> sizes = new TreeMap<>();
        if (ids.isEmpty()) {
            return sizes;
        }
        db.jdbc().sql("""
                        SELECT c.id, c.size FROM ingest.chunks c
                        JOIN ingest.account_chunks ac ON ac.chunk_id = c.id AND ac.account_id = ?
                        WHERE c.id = ANY(?) AND c.state = 'stored'""" + locking)
                .params(accountId, ids.toArray(String[]::new))
                .query(rs -> {
                    sizes.put(rs.getString("id"), rs.getLong("size"));
                });
        return sizes;
    }

    /**
     * Marks the chunks as referenced by a batch of the namespace: every member of the namespace may
     * read them from now on, and their last use is now (the garbage collector's grace period starts
     * again). Never earlier than it was: two commits whose transactions overlap may write in either
     * order, and a use moved back could let the collector trust counts a later batch is not in yet. Rows are written in (account, chunk) order so concurrent batches cannot deadlock.
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
                        ON CONFLICT (account_id, chunk_id)
                        DO UPDATE SET last_used_at = greatest(ingest.account_chunks.last_used_at, excluded.last_used_at)""")
                .params(ids.stream().sorted().distinct().toArray(String[]::new), namespaceId)
                .update();
    }
}
