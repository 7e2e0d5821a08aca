package io.cumulus.ingest.shares;

import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import io.cumulus.ingest.IngestDatabase;
import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.ChangeBatchSubmitted;

/**
 * The chunks a share's members may read ({@code ingest.account_chunks}), as membership changes. A
 * batch grants its chunks to the members of its namespace when it is accepted
 * ({@code ChunkCatalog.recordReferences}); a member who joins later is granted, here, the chunks of
 * every version the share holds: those the read model shows ({@code readmodel.feed}, every version
 * of every file, and {@code readmodel.files}) and those of batches accepted but not projected yet
 * (decoded from their outbox events). A member who leaves or is removed loses the chunks of the share
 * that none of its other namespaces references, so it can no longer download what the share holds.
 *
 * <p>Both run in the membership change's transaction, which holds the share's row locked: batches of
 * the share take a share lock on that row while they commit, so none slips between the change and
 * its grant or revocation.
 */
final class ShareChunks {
    private final IngestDatabase db;
    private final AvroSerde<ChangeBatchSubmitted> serde = AvroSerde.changeBatches();

    ShareChunks(IngestDatabase db) {
        this.db = db;
    }

    /** Lets {@code accountId} read every stored chunk the share's versions reference; returns how many rows were new. */
    int grant(UUID accountId, UUID shareId) {
        Set<String> pending = unprojectedChunks(shareId);
        return db.jdbc().sql("""
                        INSERT INTO ingest.account_chunks (account_id, chunk_id)
                        SELECT ?, c.id FROM ingest.chunks c
                        WHERE c.state = 'stored' AND c.id IN (
                            SELECT e ->> 'id' FROM readmodel.feed f CROSS JOIN LATERAL jsonb_array_elements(f.chunks) e
                            WHERE f.namespace_id = ?
                            UNION
                            SELECT e ->> 'id' FROM readmodel.files f CROSS JOIN LATERAL jsonb_array_elements(f.chunks) e
                            WHERE f.namespace_id = ?
                            UNION
                            SELECT unnest(?::text[]))
                        ORDER BY c.id
                        ON CONFLICT (account_id, chunk_id) DO NOTHING""")
                .params(accountId, shareId, shareId, pending.toArray(String[]::new))
                .update();
    }

    /**
     * Takes from {@code accountId} the chunks of the share, except those a version of one of the
     * namespaces it still belongs to references; call after its membership row is gone.
     */
    int revoke(UUID accountId, UUID shareId) {
        Set<String> pending = unprojectedChunks(shareId);
        if (pending.isEmpty() && !holdsVersions(shareId)) {
            return 0;
        }
        Set<String> pendingElsewhere = new TreeSet<>();
        db.jdbc().sql("SELECT namespace_id FROM ingest.namespace_members WHERE account_id = ?").param(accountId)
                .query(UUID.class).list()
                .forEach(namespace -> pendingElsewhere.addAll(unprojectedChunks(namespace)));
        return db.jdbc().sql("""
                        WITH shared AS (
                            SELECT e ->> 'id' AS id FROM readmodel.feed f CROSS JOIN LATERAL jsonb_array_elements(f.chunks) e
                            WHERE f.namespace_id = ?
                            UNION
                            SELECT e ->> 'id' FROM readmodel.files f CROSS JOIN LATERAL jsonb_array_elements(f.chunks) e
                            WHERE f.namespace_id = ?
                            UNION
                            SELECT unnest(?::text[])),
                        kept AS (
                            SELECT e ->> 'id' AS id
                            FROM ingest.namespace_members m
                            JOIN readmodel.feed f ON f.namespace_id = m.namespace_id
                            CROSS JOIN LATERAL jsonb_array_elements(f.chunks) e
                            WHERE m.account_id = ?
                            UNION
                            SELECT e ->> 'id'
                            FROM ingest.namespace_members m
                            JOIN readmodel.files f ON f.namespace_id = m.namespace_id
                            CROSS JOIN LATERAL jsonb_array_elements(f.chunks) e
                            WHERE m.account_id = ?
                            UNION
                            SELECT unnest(?::text[]))
                        DELETE FROM ingest.account_chunks ac
                        WHERE ac.account_id = ? AND ac.chunk_id IN (SELECT id FROM shared) AND ac.chunk_id NOT IN (SELECT id FROM kept)""")
                .params(shareId, shareId, pending.toArray(String[]::new), accountId, accountId,
                        pendingElsewhere.toArray(String[]::new), accountId)
                .update();
    }

    private boolean holdsVersions(UUID shareId) {
        return Boolean.TRUE.equals(db.jdbc().sql("SELECT EXISTS (SELECT 1 FROM readmodel.feed WHERE namespace_id = ?)")
                .param(shareId).query(Boolean.class).single());
    }

    /**
     * The chunks of the namespace's batches whose events the feed does not show yet. Only those of the last
     * day are looked at: an older batch is projected unless the pipeline has stood still for a day, and
     * a batch that made no event at all (every change stale or a duplicate) would be decoded forever.
     */
    private Set<String> unprojectedChunks(UUID namespaceId) {
        Set<String> chunks = new TreeSet<>();
        db.jdbc().sql("""
                        SELECT o.payload FROM ingest.outbox o JOIN ingest.batches b ON b.id = o.batch_id
                        WHERE o.namespace_id = ? AND b.accepted_at > now() - interval '1 day'
                          AND NOT EXISTS (SELECT 1 FROM readmodel.feed f WHERE f.namespace_id = o.namespace_id
                                                                          AND f.batch_id = o.batch_id::text)""")
                .param(namespaceId)
                .query((java.sql.ResultSet rs) -> {
                    ChangeBatchSubmitted batch = serde.decode(rs.getBytes("payload"));
                    batch.getChanges().forEach(c -> c.getChunks().forEach(ref -> chunks.add(ref.getChunkId().toString())));
                });
        return chunks;
    }
}
