package io.cumulus.ingest.quota;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.ingest.IngestDatabase;
import io.cumulus.ingest.chunks.ChunkId;

/**
 * Each account's storage quota and usage, and the two places they are enforced: a batch is
 * admitted only when what it adds to its namespace owner's usage fits the owner's quota
 * ({@link #admit}, in the intake's transaction, before anything of the batch is written), and a
 * chunk upload only while its account is under its quota ({@link #admitUpload}). A batch that adds
 * nothing (deletions, renames, content already counted) is always admitted, so a user over quota can
 * still free space.
 */
public final class StorageQuotas {
    private static final Logger log = LoggerFactory.getLogger(StorageQuotas.class);

    private final IngestDatabase db;
    private final UsageLedger ledger;
    private final UsageRecounts recounts;
    private final long defaultQuota;

    /** An account's usage against its quota. */
    public record Usage(long usedBytes, long quotaBytes) {
    }

    /** What a batch adds to its namespace owner's usage, to be charged once the batch has its id. */
    public record Admission(UUID ownerId, Map<String, Long> added) {
        static final Admission NOTHING = new Admission(null, Map.of());

        public long addedBytes() {
            return added.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    StorageQuotas(IngestDatabase db, UsageLedger ledger, UsageRecounts recounts, long defaultQuota) {
        this.db = db;
        this.ledger = ledger;
        this.recounts = recounts;
        this.defaultQuota = defaultQuota;
    }

    /** The quota every account without one of its own has. */
    public long defaultQuota() {
        return defaultQuota;
    }

    /**
     * Works out what a batch to {@code namespaceId} referencing these chunks (id to size) adds to the
     * namespace owner's usage and, when {@code enforce}, refuses it if that would take the owner over
     * its quota. Must run in the intake's transaction: it locks the owner's usage until the batch is
     * stored and {@link #charge charged}, so concurrent batches of one owner cannot both fit the room
     * one of them leaves. Batches the server makes on a device's behalf (restores, merges) are charged
     * but not refused: they are the result of a request already admitted.
     *
     * @throws QuotaExceededException when the batch adds bytes beyond the owner's quota
     */
    public Admission admit(UUID namespaceId, Map<String, Long> chunkSizes, boolean enforce) {
        if (chunkSizes.isEmpty()) {
            return Admission.NOTHING;
        }
        UUID owner = db.jdbc().sql("SELECT owner_account FROM ingest.namespaces WHERE id = ?")
                .param(namespaceId).query(UUID.class).single();
        ledger.lock(owner);
        long used = ledger.used(owner);
        if (ledger.stale(owner)) {
            recounts.request(owner); // after this transaction: the count waits for the lock it holds
        }
        Map<String, Long> added = ledger.notCounted(owner, ledger.ownedBy(owner), chunkSizes);
        Admission admission = new Admission(owner, added);
        long quota = quotaOf(owner);
        if (enforce && !added.isEmpty() && used + admission.addedBytes() > quota) {
            log.info("batch refused over quota account={} ns={} usedBytes={} quotaBytes={} batchBytes={}", owner, namespaceId,
                    used, quota, admission.addedBytes());
            throw new QuotaExceededException(used, quota, admission.addedBytes(), "this batch");
        }
        return admission;
    }

    /** Charges what an admitted batch adds to its owner's usage, in the transaction that stores the batch. */
    public void charge(Admission admission, UUID batchId) {
        if (!admission.added().isEmpty()) {
            ledger.charge(admission.ownerId(), batchId, admission.added());
        }
    }

    /**
     * Refuses the upload of a chunk this account cannot see yet while its usage is at or over its
     * quota: no batch of its own could use it. A chunk it can see already (its own, or a namespace
     * member's it was granted) is taken as before.
     *
     * @throws QuotaExceededException when the account is at or over its quota
     */
    public void admitUpload(UUID accountId, ChunkId id, long declaredBytes) {
        boolean visible = db.jdbc().sql("""
                        SELECT EXISTS (SELECT 1 FROM ingest.account_chunks ac JOIN ingest.chunks c ON c.id = ac.chunk_id
                        WHERE ac.account_id = ? AND ac.chunk_id = ? AND c.state = 'stored')""")
                .params(accountId, id.hex()).query(Boolean.class).single();
        if (visible) {
            return;
        }
        Usage usage = usage(accountId);
        if (usage.usedBytes() >= usage.quotaBytes()) {
            log.info("chunk upload refused over quota account={} chunkId={} usedBytes={} quotaBytes={}", accountId, id,
                    usage.usedBytes(), usage.quotaBytes());
            throw new QuotaExceededException(usage.usedBytes(), usage.quotaBytes(), Math.max(0, declaredBytes), "this upload");
        }
    }

    /** The account's usage against its quota (a count of the read model is asked for when the last one is old). */
    public Usage usage(UUID accountId) {
        if (ledger.stale(accountId)) {
            recounts.request(accountId);
        }
        return new Usage(ledger.used(accountId), quotaOf(accountId));
    }

    /** As {@link #usage}, counted from the read model now (an operator's question). */
    public Usage countedNow(UUID accountId) {
        ledger.recount(accountId);
        return new Usage(ledger.used(accountId), quotaOf(accountId));
    }

    /** The account's quota: its own, or the default. */
    public long quotaOf(UUID accountId) {
        Long own = db.jdbc().sql("SELECT quota_bytes FROM ingest.accounts WHERE id = ?")
                .param(accountId).query(Long.class).optional().orElse(null);
        return own == null ? defaultQuota : own;
    }

    /** An account found by its username (in any case), with its own quota (empty: the default). */
    record Account(UUID id, String username, Optional<Long> ownQuota) {
    }

    Optional<Account> account(String username) {
        return db.jdbc().sql("SELECT id, username, quota_bytes FROM ingest.accounts WHERE lower(username) = lower(?)")
                .param(username)
                .query((rs, i) -> new Account(rs.getObject("id", UUID.class), rs.getString("username"),
                        Optional.ofNullable((Long) rs.getObject("quota_bytes"))))
                .optional();
    }

    /** Sets the account's own quota; empty: back to the default. */
    void setQuota(UUID accountId, Optional<Long> bytes) {
        db.jdbc().sql("UPDATE ingest.accounts SET quota_bytes = ? WHERE id = ?")
                .params(bytes.orElse(null), accountId).update();
    }
}
