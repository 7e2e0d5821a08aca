package io.cumulus.ingest.changes;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.ingest.IngestDatabase;
import io.cumulus.ingest.audit.AuditTrail;
import io.cumulus.ingest.auth.DeviceSession;
import io.cumulus.ingest.backpressure.PipelineLag;
import io.cumulus.ingest.changes.FileChange.ChunkRef;
import io.cumulus.ingest.chunks.ChunkCatalog;
import io.cumulus.ingest.namespaces.NamespaceMembership;
import io.cumulus.ingest.quota.StorageQuotas;
import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.ChangeBatchSubmitted;
import io.cumulus.schemas.Correlation;
import io.cumulus.schemas.FileOp;
import io.cumulus.schemas.PipelineStages;

/**
 * Accepts a parsed change batch: checks that the device may write the namespace, that its vectors
 * claim only what the server has seen ({@link DeviceCounters}) and that every referenced chunk is
 * stored and visible to its account, and that what it adds fits its namespace owner's storage quota
 * ({@link StorageQuotas}), then in one transaction records the batch (which is also the
 * idempotency record), its outbox event, the chunks' new use and the counters the batch claims. Once
 * {@link #accept} returns, the batch cannot be lost. A retry with the same key and request
 * returns the first batch id and writes nothing; a refusal writes nothing either. Every batch it
 * creates is counted in the {@link PipelineLag} until the reconciler has decided it. A batch that
 * deletes files is recorded in the audit log ({@code files-deleted}) in the same transaction, on the
 * submitting account and, in a namespace another account owns, on the owner's.
 */
public final class BatchIntake {
    private static final Logger log = LoggerFactory.getLogger(BatchIntake.class);

    private final IngestDatabase db;
    private final NamespaceMembership membership;
    private final ChunkCatalog chunks;
    private final BatchStore batches;
    private final DeviceCounters counters;
    private final PipelineLag lag;
    private final AuditTrail audit;
    private static final int AUDITED_PATHS = 5;
    private final StorageQuotas quotas;
    private final AvroSerde<ChangeBatchSubmitted> serde = AvroSerde.changeBatches();

    /** The answer to a submission: the batch id, and whether this request created it (false for a retry). */
    public record Accepted(UUID batchId, boolean created) {
    }

    public BatchIntake(IngestDatabase db, NamespaceMembership membership, ChunkCatalog chunks, PipelineLag lag, AuditTrail audit,
                       StorageQuotas quotas) {
        this.db = db;
        this.audit = audit;
        this.quotas = quotas;
        this.membership = membership;
        this.chunks = chunks;
        this.lag = lag;
        this.batches = new BatchStore(db);
        this.counters = new DeviceCounters(db);
    }

    /** Accepts a batch of the device's own edits: its vectors count them under the device's id. */
    public Accepted accept(DeviceSession device, IdempotencyKey key, ChangeBatch batch) {
        return accept(device, VectorActor.device(device.deviceId()), key, batch);
    }

    /**
     * Accepts a batch submitted as {@code device} whose vectors count its edits under {@code actor}:
     * the device itself, or the server acting on its behalf.
     */
    public Accepted accept(DeviceSession device, VectorActor actor, IdempotencyKey key, ChangeBatch batch) {
        String fingerprint = RequestFingerprint.sha256(batch);
        UUID newBatchId = UUID.randomUUID();
        long start = System.nanoTime();
        Accepted accepted;
        try {
            accepted = db.transactions().execute(tx -> {
                // A retry of an accepted batch gets its first answer, even if its chunks have aged out or the
                // account's role in the namespace has changed since: the batch is in the pipeline already.
                var earlier = batches.findByKey(device.accountId(), key);
                if (earlier.isPresent()) {
                    return retried(earlier.get(), key, fingerprint);
                }
                UUID namespaceId = membership.requireWriterForBatch(device.accountId(), batch.namespaceId());
                counters.check(namespaceId, actor, batch);
                SortedSet<String> chunkIds = batch.chunkIds();
                Map<String, Long> stored = chunks.lockVisible(device.accountId(), chunkIds);
                checkChunks(batch, stored);
                // Before anything is written: a batch over its owner's quota leaves no trace, its key unused.
                StorageQuotas.Admission admission = quotas.admit(namespaceId, stored, !actor.onBehalf());
                Instant acceptedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
                boolean inserted = batches.insertIfKeyUnused(newBatchId, device.accountId(), device.deviceId(), namespaceId, key,
                        fingerprint, batch.changes().size(), acceptedAt, actor.onBehalf());
                if (!inserted) {
                    // A concurrent request with the same key won; the insert waited for it to commit, so its row is visible now.
                    return retried(batches.findByKey(device.accountId(), key).orElseThrow(() ->
                            new IllegalStateException("idempotency key " + key.value() + " conflicted but has no batch")), key, fingerprint);
                }
                ChangeBatchSubmitted event = ChangeBatchEvents.submitted(newBatchId, namespaceId, device, acceptedAt.toEpochMilli(), batch);
                // The work this runs in (the request, or the record the merge worker handles) names the batch's correlation id.
                batches.insertOutbox(newBatchId, namespaceId, serde.encode(event), Correlation.current());
                chunks.recordReferences(namespaceId, chunkIds);
                quotas.charge(admission, newBatchId);
                counters.record(namespaceId, actor, batch);
                auditDeletions(device, namespaceId, newBatchId, batch);
                // Counted before the commit: the batch's outcome cannot exist before it, so it always finds the batch here.
                lag.accepted(newBatchId, batch.changes().size());
                return new Accepted(newBatchId, true);
            });
        } catch (RuntimeException | Error e) {
            lag.withdrawn(newBatchId); // rolled back, or its commit failed: no outcome is coming for it
            throw e;
        }
        PipelineStages.sinceNanos(PipelineStages.INTAKE, start);
        if (accepted.created()) {
            try (Correlation.Scope scope = Correlation.context()
                    .put(Correlation.BATCH_ID, accepted.batchId()).put(Correlation.NAMESPACE_ID, batch.namespaceId())) {
                log.debug("batch accepted batchId={} ns={} device={} account={} changes={} key={}", accepted.batchId(),
                        batch.namespaceId(), device.deviceId(), device.accountId(), batch.changes().size(), key.value());
            }
        }
        return accepted;
    }

    /**
     * The batch this account already submitted under {@code key}, if any: for requests that derive
     * their batch from state the batch itself changes (resolving a conflict), whose retry can no
     * longer rebuild the same request once the first one has been applied.
     */
    public Optional<UUID> acceptedBefore(DeviceSession device, IdempotencyKey key) {
        return batches.findByKey(device.accountId(), key).map(BatchStore.Recorded::batchId);
    }

    /**
     * {@code files-deleted} with the count and the first {@value #AUDITED_PATHS} paths, once per batch
     * that deletes; on the owner's chain too when the namespace is another account's. Chains are locked
     * in account id order, the same order whoever submits.
     */
    private void auditDeletions(DeviceSession device, UUID namespaceId, UUID batchId, ChangeBatch batch) {
        List<FileChange> deletions = batch.changes().stream().filter(c -> c.op() == FileOp.DELETE).toList();
        if (deletions.isEmpty()) {
            return;
        }
        Map<String, String> details = new java.util.LinkedHashMap<>();
        details.put("count", Integer.toString(deletions.size()));
        details.put("namespaceId", namespaceId.toString());
        details.put("batchId", batchId.toString());
        for (int i = 0; i < Math.min(AUDITED_PATHS, deletions.size()); i++) {
            details.put("path" + (i + 1), deletions.get(i).path().toString());
        }
        UUID owner = db.jdbc().sql("SELECT owner_account FROM ingest.namespaces WHERE id = ?").param(namespaceId)
                .query(UUID.class).optional().orElse(device.accountId());
        new java.util.TreeSet<>(List.of(device.accountId(), owner))
                .forEach(account -> audit.record(account, device.deviceId(), "files-deleted", details));
    }

    private static Accepted retried(BatchStore.Recorded earlier, IdempotencyKey key, String fingerprint) {
        if (!earlier.requestSha256().equals(fingerprint)) {
            throw new IdempotencyKeyReusedException(key.value());
        }
        return new Accepted(earlier.batchId(), false);
    }

    /** Every chunk must be visible to the account, with the size the manifest gives it. */
    private static void checkChunks(ChangeBatch batch, Map<String, Long> stored) {
        List<String> missing = batch.chunkIds().stream().filter(id -> !stored.containsKey(id)).toList();
        if (!missing.isEmpty()) {
            throw new ChunkMissingException(missing);
        }
        Set<String> wrongSize = new LinkedHashSet<>();
        for (FileChange change : batch.changes()) {
            for (ChunkRef ref : change.chunks()) {
                if (stored.get(ref.id().hex()) != ref.size()) {
                    wrongSize.add(ref.id().hex());
                }
            }
        }
        if (!wrongSize.isEmpty()) {
            throw new ChunkSizeMismatchException(wrongSize);
        }
    }
}
