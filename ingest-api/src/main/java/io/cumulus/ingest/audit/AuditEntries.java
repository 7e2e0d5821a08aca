package io.cumulus.ingest.audit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

import io.cumulus.ingest.IngestDatabase;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The audit tables as they are read and written: {@code ingest.audit_entries} (one row per entry) and
 * {@code ingest.audit_heads} (each account's last seq and hash). Every query runs in the caller's
 * transaction when there is one.
 */
final class AuditEntries {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AuditEntries.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<Map<String, String>> DETAILS = new TypeReference<>() {
    };

    /** An account's head: the seq and hash of its last entry (0 and {@link AuditHash#GENESIS} before the first). */
    record Head(long lastSeq, byte[] lastHash, Long rebuiltAfter) {
    }

    /** An entry with the name of the device that acted, when it was one. */
    record Listed(AuditEntry entry, Optional<String> deviceName) {
    }

    private final IngestDatabase db;

    AuditEntries(IngestDatabase db) {
        this.db = db;
    }

    Optional<Head> head(UUID accountId) {
        return db.jdbc().sql("SELECT last_seq, last_hash, rebuilt_after FROM ingest.audit_heads WHERE account_id = ?")
                .param(accountId)
                .query((rs, n) -> new Head(rs.getLong(1), rs.getBytes(2), rs.getObject(3, Long.class)))
                .optional();
    }

    /** The account's head, locked until the transaction ends; created (empty) if the account has none yet. */
    Head lockHead(UUID accountId) {
        Optional<Head> locked = lockedHead(accountId);
        if (locked.isPresent()) {
            return locked.get();
        }
        // Two first appends race here: the loser's insert waits for the winner's commit and does nothing.
        // A head removed by hand is rebuilt from the last stored entry, so recording goes on (and the
        // caller's transaction does not fail on a taken seq); the rebuild is logged as the error it is, and
        // marked on the head for good, so the verifier keeps reporting that entries after it may be gone.
        int inserted = db.jdbc().sql("""
                        INSERT INTO ingest.audit_heads (account_id, last_seq, last_hash, rebuilt_after)
                        SELECT ?, coalesce(max(seq), 0),
                               coalesce((SELECT hash FROM ingest.audit_entries WHERE account_id = ? ORDER BY seq DESC LIMIT 1), ?),
                               CASE WHEN max(seq) > 0 THEN max(seq) END
                        FROM ingest.audit_entries WHERE account_id = ?
                        ON CONFLICT DO NOTHING""")
                .params(accountId, accountId, AuditHash.GENESIS, accountId).update();
        Head head = lockedHead(accountId).orElseThrow(() -> new IllegalStateException("audit head of " + accountId + " vanished"));
        if (inserted == 1 && head.lastSeq() > 0) {
            log.error("audit head missing, rebuilt from the last stored entry accountId={} lastSeq={}", accountId, head.lastSeq());
        }
        return head;
    }

    private Optional<Head> lockedHead(UUID accountId) {
        return db.jdbc().sql("SELECT last_seq, last_hash, rebuilt_after FROM ingest.audit_heads WHERE account_id = ? FOR UPDATE")
                .param(accountId)
                .query((rs, n) -> new Head(rs.getLong(1), rs.getBytes(2), rs.getObject(3, Long.class)))
                .optional();
    }

    /** Writes the entry and moves the account's head to it. */
    void append(AuditEntry entry) {
        db.jdbc().sql("""
                        INSERT INTO ingest.audit_entries (account_id, seq, at, action, actor_device, details, prev_hash, hash)
                        VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?)""")
                .params(entry.accountId(), entry.seq(), OffsetDateTime.ofInstant(entry.at(), ZoneOffset.UTC), entry.action(),
                        entry.actorDevice().orElse(null), JSON.writeValueAsString(entry.details()), entry.prevHash(), entry.hash())
                .update();
        db.jdbc().sql("UPDATE ingest.audit_heads SET last_seq = ?, last_hash = ? WHERE account_id = ?")
                .params(entry.seq(), entry.hash(), entry.accountId())
                .update();
    }

    /** Up to {@code limit} of the account's entries after {@code afterSeq}, in chain order. */
    List<AuditEntry> after(UUID accountId, long afterSeq, int limit) {
        return db.jdbc().sql("""
                        SELECT account_id, seq, at, action, actor_device, details, prev_hash, hash
                        FROM ingest.audit_entries WHERE account_id = ? AND seq > ? ORDER BY seq LIMIT ?""")
                .params(accountId, afterSeq, limit)
                .query((rs, n) -> entry(rs))
                .list();
    }

    /** The same, with the acting devices' names. */
    List<Listed> listedAfter(UUID accountId, long afterSeq, int limit) {
        return db.jdbc().sql("""
                        SELECT e.account_id, e.seq, e.at, e.action, e.actor_device, e.details, e.prev_hash, e.hash, d.name
                        FROM ingest.audit_entries e LEFT JOIN ingest.devices d ON d.id = e.actor_device
                        WHERE e.account_id = ? AND e.seq > ? ORDER BY e.seq LIMIT ?""")
                .params(accountId, afterSeq, limit)
                .query((rs, n) -> new Listed(entry(rs), Optional.ofNullable(rs.getString("name"))))
                .list();
    }

    /** Every account that has an account row, an audit head or an audit entry, with its username when it has a row. */
    List<Map.Entry<UUID, Optional<String>>> accounts() {
        return db.jdbc().sql("""
                        SELECT ids.id, a.username FROM (
                            SELECT id FROM ingest.accounts
                            UNION SELECT account_id FROM ingest.audit_heads
                            UNION SELECT DISTINCT account_id FROM ingest.audit_entries) ids
                        LEFT JOIN ingest.accounts a ON a.id = ids.id
                        ORDER BY a.username NULLS LAST, ids.id""")
                .query((rs, n) -> Map.entry(rs.getObject(1, UUID.class), Optional.ofNullable(rs.getString(2))))
                .list();
    }

    Optional<Map.Entry<UUID, String>> accountNamed(String username) {
        return db.jdbc().sql("SELECT id, username FROM ingest.accounts WHERE lower(username) = lower(?)")
                .param(username)
                .query((rs, n) -> Map.entry(rs.getObject(1, UUID.class), rs.getString(2)))
                .optional();
    }

    private static AuditEntry entry(ResultSet rs) throws SQLException {
        return new AuditEntry(rs.getObject("account_id", UUID.class), rs.getLong("seq"),
                rs.getObject("at", OffsetDateTime.class).toInstant(), rs.getString("action"),
                Optional.ofNullable(rs.getObject("actor_device", UUID.class)),
                new TreeMap<>(JSON.readValue(rs.getString("details"), DETAILS)), rs.getBytes("prev_hash"), rs.getBytes("hash"));
    }
}
