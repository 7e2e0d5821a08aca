package io.cumulus.ingest.changes;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;

import io.cumulus.ingest.IngestDatabase;

/** Batches ({@code ingest.batches}, also the idempotency record) and their outbox rows ({@code ingest.outbox}). */
final class BatchStore {
    private final IngestDatabase db;

    /** What a retry needs of an accepted batch: its id and the fingerprint of the request that made it. */
    record Recorded(UUID batchId, String requestSha256) {
    }

    BatchStore(IngestDatabase db) {
        this.db = db;
    }

    /**
     * Inserts the batch unless this account already used the key. A concurrent insert of the same
     * key waits on the unique index until the other transaction ends, then inserts nothing.
     *
     * @return true when this call inserted the row
     */
    boolean insertIfKeyUnused(UUID batchId, UUID accountId, UUID deviceId, UUID namespaceId, IdempotencyKey key,
                              String requestSha256, int changeCount, Instant acceptedAt, boolean onBehalf) {
        return db.jdbc().sql("""
                        INSERT INTO ingest.batches (id, account_id, device_id, namespace_id, idempotency_key,
                                                    request_sha256, change_count, accepted_at, on_behalf)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (account_id, idempotency_key) DO NOTHING""")
                .params(batchId, accountId, deviceId, namespaceId, key.value(), requestSha256, changeCount,
                        acceptedAt.atOffset(ZoneOffset.UTC), onBehalf)
                .update() == 1;
    }

    Optional<Recorded> findByKey(UUID accountId, IdempotencyKey key) {
        return db.jdbc().sql("SELECT id, request_sha256 FROM ingest.batches WHERE account_id = ? AND idempotency_key = ?")
                .params(accountId, key.value())
                .query((rs, i) -> new Recorded(rs.getObject("id", UUID.class), rs.getString("request_sha256")))
                .optional();
    }

    /** The batch's outbox row; its correlation id, when the work that accepted it has one, is relayed as a Kafka header. */
    void insertOutbox(UUID batchId, UUID namespaceId, byte[] payload, Optional<String> correlationId) {
        db.jdbc().sql("INSERT INTO ingest.outbox (batch_id, namespace_id, payload, correlation_id) VALUES (?, ?, ?, ?)")
                .params(batchId, namespaceId, payload, correlationId.orElse(null))
                .update();
    }
}
