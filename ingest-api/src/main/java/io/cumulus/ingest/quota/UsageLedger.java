package io.cumulus.ingest.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.ingest.IngestDatabase;
import io.cumulus.ingest.gc.RetainedReferences;

/**
 * An account's usage, kept cheap to ask: the bytes last counted from the read model
 * ({@code ingest.account_usage}, recounted once it is older than {@code recountAfter}) plus the
 * chunks that batches accepted since charged ({@code ingest.usage_charges}), which the read model may
 * not show yet. {@link #notCounted} and {@link #charge} run in the intake's transaction, after
 * {@link #lock}; {@link #recount} runs on its own (see {@link UsageRecounts}).
 *
 * <h2>Why a count and charges</h2>
 * Counting the retained versions of every owned namespace is a pass over their whole feed, far too
 * slow for each batch of a large account; a batch only needs to know which of its chunks are new to
 * the owner, which two indexed look-ups answer (a pending charge, or a feed row of an owned
 * namespace). The read model lags the intake, so a batch's chunks are charged until a count can see
 * them: a count drops the charges of the batches the read model has decided first, and reads the feed
 * after, so a batch is counted twice for a moment rather than never.
 */
final class UsageLedger {
    private static final Logger log = LoggerFactory.getLogger(UsageLedger.class);

    private final IngestDatabase db;
    private final RetainedReferences retained;
    private final Duration recountAfter;

    UsageLedger(IngestDatabase db, RetainedReferences retained, Duration recountAfter) {
        this.db = db;
        this.retained = retained;
        this.recountAfter = recountAfter;
    }

    /**
     * Locks the account's usage until the transaction ends: batches that add to one account's usage
     * are admitted one at a time, each seeing the charges of those before it.
     */
    void lock(UUID accountId) {
        db.jdbc().sql("INSERT INTO ingest.account_usage (account_id) VALUES (?) ON CONFLICT (account_id) DO NOTHING")
                .param(accountId).update();
        db.jdbc().sql("SELECT account_id FROM ingest.account_usage WHERE account_id = ? FOR UPDATE")
                .param(accountId).query(UUID.class).single();
    }

    /** The namespaces the account owns (its home, and the shared folders it owns). */
    List<UUID> ownedBy(UUID accountId) {
        return db.jdbc().sql("SELECT id FROM ingest.namespaces WHERE owner_account = ? ORDER BY id")
                .param(accountId).query(UUID.class).list();
    }

    /** The account's usage in bytes: the last count plus what was charged since. */
    long used(UUID accountId) {
        long counted = db.jdbc().sql("SELECT counted_bytes FROM ingest.account_usage WHERE account_id = ?")
                .param(accountId).query(Long.class).optional().orElse(0L);
        return counted + charged(accountId);
    }

    /** Whether the account's last count is older than {@code recountAfter} (or it was never counted). */
    boolean stale(UUID accountId) {
        return db.jdbc().sql("""
                        SELECT counted_at IS NULL OR counted_at < now() - make_interval(secs => ?)
                        FROM ingest.account_usage WHERE account_id = ?""")
                .params((double) recountAfter.toMillis() / 1000, accountId)
                .query(Boolean.class).optional().orElse(true);
    }

    /** The bytes of the distinct chunks charged to the account and not yet counted. */
    private long charged(UUID accountId) {
        return db.jdbc().sql("""
                        SELECT coalesce(sum(size), 0) FROM (SELECT DISTINCT chunk_id, size FROM ingest.usage_charges
                        WHERE account_id = ?) c""")
                .param(accountId).query(Long.class).single();
    }

    /**
     * Counts the account's usage from the read model, without holding its lock while the feed is
     * read: first the batches charged to it that the read model has decided are noted (their versions
     * are in the feed from then on, or were never applied), then the distinct chunks of the retained
     * versions of its namespaces are summed, then, under the lock, the count is stored and the noted
     * batches' charges dropped. A batch decided after the note keeps its charge until the next count,
     * which may count it twice meanwhile, never not at all. Must not run in a transaction.
     */
    void recount(UUID accountId) {
        long start = System.nanoTime();
        List<UUID> decided = db.jdbc().sql("""
                        SELECT DISTINCT u.batch_id FROM ingest.usage_charges u WHERE u.account_id = ?
                        AND EXISTS (SELECT 1 FROM readmodel.batch_outcomes o WHERE o.batch_id = u.batch_id::text)""")
                .param(accountId).query(UUID.class).list();
        Map<String, Long> chunks = retained.retainedIn(ownedBy(accountId), Instant.now());
        long bytes = chunks.values().stream().mapToLong(Long::longValue).sum();
        int dropped = db.transactions().execute(tx -> {
            lock(accountId);
            db.jdbc().sql("UPDATE ingest.account_usage SET counted_bytes = ?, counted_at = now() WHERE account_id = ?")
                    .params(bytes, accountId).update();
            return decided.isEmpty() ? 0 : db.jdbc().sql("DELETE FROM ingest.usage_charges WHERE account_id = ? AND batch_id = ANY(?)")
                    .params(accountId, decided.toArray(UUID[]::new)).update();
        });
        log.info("usage counted account={} bytes={} chunks={} chargesDropped={} ms={}", accountId, bytes, chunks.size(), dropped,
                (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * Those of {@code chunkSizes} (chunk id to size) that the account's usage does not hold yet: not
     * charged, and referenced by no version the feed of an owned namespace holds. The feed is probed by
     * chunk ({@code feed_by_chunk}) and only then filtered by namespace ({@code OFFSET 0} keeps the
     * planner from scanning an owned namespace's whole feed per chunk instead), so the cost follows
     * the batch, not the account.
     */
    Map<String, Long> notCounted(UUID accountId, Collection<UUID> owned, Map<String, Long> chunkSizes) {
        String[] ids = chunkSizes.keySet().toArray(String[]::new);
        Set<String> counted = new HashSet<>(db.jdbc().sql("""
                        SELECT DISTINCT chunk_id FROM ingest.usage_charges WHERE account_id = ? AND chunk_id = ANY(?)""")
                .params(accountId, ids).query(String.class).list());
        String[] probes = chunkSizes.keySet().stream().filter(id -> !counted.contains(id))
                .map(id -> "[{\"id\":\"" + id + "\"}]").toArray(String[]::new);
        if (probes.length > 0 && !owned.isEmpty()) {
            counted.addAll(db.jdbc().sql("""
                            SELECT DISTINCT x.elem ->> 'id' FROM
                                (SELECT namespace_id, chunks FROM readmodel.feed WHERE chunks @> ANY(?::jsonb[]) OFFSET 0) f
                                CROSS JOIN LATERAL jsonb_array_elements(f.chunks) AS x(elem)
                            WHERE f.namespace_id = ANY(?) AND x.elem ->> 'id' = ANY(?)""")
                    .params(probes, owned.toArray(UUID[]::new), ids)
                    .query(String.class).list());
        }
        Map<String, Long> added = new TreeMap<>(chunkSizes);
        added.keySet().removeAll(counted);
        return added;
    }

    /** Charges the account with the chunks a batch added, until a count includes them. */
    void charge(UUID accountId, UUID batchId, Map<String, Long> added) {
        if (added.isEmpty()) {
            return;
        }
        db.jdbc().sql("""
                        INSERT INTO ingest.usage_charges (account_id, chunk_id, batch_id, size)
                        SELECT ?, c.id, ?, c.size FROM unnest(?::text[], ?::bigint[]) AS c(id, size)
                        ON CONFLICT DO NOTHING""")
                .params(accountId, batchId, added.keySet().toArray(String[]::new), added.values().toArray(Long[]::new))
                .update();
    }
}
