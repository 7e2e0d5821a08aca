package io.cumulus.reconciler;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import io.cumulus.reconciler.decision.BatchContext;
import io.cumulus.reconciler.decision.ConflictAudit;
import io.cumulus.reconciler.decision.Decision;
import io.cumulus.reconciler.decision.Decision.Applied;
import io.cumulus.reconciler.decision.Decision.Conflict;
import io.cumulus.reconciler.decision.Decision.Duplicate;
import io.cumulus.reconciler.decision.Decision.Stale;
import io.cumulus.reconciler.decision.FileVersion;
import io.cumulus.reconciler.decision.FileWrite;
import io.cumulus.reconciler.decision.NamespaceView;
import io.cumulus.reconciler.decision.ProposedChange;
import io.cumulus.reconciler.decision.Reconciler;
import io.cumulus.schemas.ChangeBatchSubmitted;
import io.cumulus.schemas.Correlation;
import io.cumulus.schemas.FileState;
import io.cumulus.schemas.OutcomeKind;
import io.cumulus.schemas.PipelineStages;
import io.cumulus.schemas.Topics;
import io.cumulus.sync.conflict.ConflictPolicy;
import io.cumulus.sync.history.RetentionPolicy;

/**
 * Reconciles one change batch at a time, its changes in order: decides each change, records the
 * resulting write (if any) as the namespace's next event, and emits the event, the file's new state,
 * the chunk reference deltas, for a change that conflicted its audit (the three vectors compared), and
 * the change's outcome. Every output record is stamped with the batch's acceptedAt and carries no
 * header but the batch's correlation id (docs/decisions/0039), so a replay of the input produces
 * identical records. A batch already reconciled (the relay delivers at least once) is dropped whole.
 */
final class ReconcileProcessor implements Processor<String, ChangeBatchSubmitted, String, SpecificRecord> {
    private static final Logger log = LoggerFactory.getLogger(ReconcileProcessor.class);

    /** How recently a batch was sent for the reconciler to count as caught up with the relay. */
    static final java.time.Duration CAUGHT_UP = java.time.Duration.ofMillis(25);

    private final Reconciler reconciler;
    private final RetentionPolicy retention;
    private final GenerationGate gate;
    private ProcessorContext<String, SpecificRecord> context;
    private ReconcilerStores stores;
    /** Whether the record being processed is published, or only applied to the stores (a rebuilt generation's past). */
    private boolean publishing = true;
    /** The headers every output of the batch in hand carries: its correlation id, if it has one. */
    private Headers carried = Correlation.carried(null);

    ReconcileProcessor(ConflictPolicy conflicts, RetentionPolicy retention, boolean textMerge, GenerationGate gate) {
        this.reconciler = new Reconciler(conflicts, textMerge);
        this.retention = retention;
        this.gate = gate;
        ConflictCounts.register();
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.stores = new ReconcilerStores(context, retention);
    }

    @Override
    public void process(Record<String, ChangeBatchSubmitted> record) {
        publishing = context.recordMetadata()
                .map(m -> gate.admit(m.partition(), m.offset()))
                .orElse(true);
        ChangeBatchSubmitted batch = record.value();
        if (batch == null) {
            return; // a tombstone on the changes topic carries no batch to reconcile
        }
        // Every record derived from the batch carries its correlation id, and so does every log line about it.
        carried = Correlation.carried(record.headers());
        try (Correlation.Scope scope = Correlation.scope(record.headers())
                .put(Correlation.NAMESPACE_ID, batch.getNamespaceId()).put(Correlation.BATCH_ID, batch.getBatchId())) {
            reconcileBatch(batch, record);
        } finally {
            carried = Correlation.carried(null);
        }
    }

    private void reconcileBatch(ChangeBatchSubmitted batch, Record<String, ChangeBatchSubmitted> record) {
        // The input's timestamp is the relay's send time.
        PipelineStages.sinceEpoch(PipelineStages.RELAY_TO_RECONCILER, record.timestamp());
        long start = System.nanoTime();
        releaseExpired(batch.getAcceptedAt());
        String namespaceId = batch.getNamespaceId();
        if (stores.alreadyProcessed(namespaceId, batch.getBatchId())) {
            log.atLevel(publishing ? Level.INFO : Level.DEBUG).log("batch redelivered, dropped namespaceId={} batchId={}",
                    namespaceId, batch.getBatchId());
            return;
        }
        BatchContext batchContext = new BatchContext(batch.getBatchId(), batch.getDeviceName(),
                Instant.ofEpochMilli(batch.getAcceptedAt()));
        NamespaceView namespace = stores.view(namespaceId);
        for (int i = 0; i < batch.getChanges().size(); i++) {
            ProposedChange change = AvroRecords.proposedChange(batch.getChanges().get(i), i);
            Decision decision = reconciler.decide(batchContext, change, namespace);
            // Read before the decision's writes are recorded: the audit shows the namespace the decision saw.
            Optional<ConflictAudit> audit = ConflictAudit.of(change, namespace, decision);
            if (publishing) {
                // A rebuilt generation's past was counted when it was first decided.
                ConflictCounts.count(change, decision);
            }
            reconcile(batch, change, decision, audit);
        }
        stores.markProcessed(namespaceId, batch.getBatchId(), batch.getAcceptedAt());
        PipelineStages.sinceNanos(PipelineStages.RECONCILE, start);
        commitAtOnceIfCaughtUp(record.timestamp());
        log.debug("batch reconciled namespaceId={} batchId={} changes={}", namespaceId, batch.getBatchId(),
                batch.getChanges().size());
    }

    /**
     * Asks for a commit after this batch when it was sent moments ago: the reconciler has caught up
     * with the relay, so nothing is gained by waiting for the commit interval, and a quiet server's
     * batch is visible one commit after it arrived instead of up to an interval later. A batch that
     * waited longer means a backlog: the thread then works through it for a whole interval and
     * commits it in one transaction (a commit costs the same for one batch as for a hundred).
     */
    private void commitAtOnceIfCaughtUp(long sentAt) {
        if (System.currentTimeMillis() - sentAt <= CAUGHT_UP.toMillis()) {
            context.commit();
        }
    }

    /**
     * Releases the chunk references of the versions and trash entries whose retention ended by the
     * batch's time: the input's time, so a replay expires the same versions at the same point.
     */
    private void releaseExpired(long at) {
        for (ReconcilerStores.Expired expired : stores.expire(Instant.ofEpochMilli(at))) {
            log.info("versions expired namespaceId={} fileId={} chunksReleased={}", expired.namespaceId(),
                    expired.fileId(), expired.refs().stream().filter(r -> r.delta() < 0).count());
            expired.refs().forEach(change -> forward(change.chunkId(), AvroRecords.chunkRefDelta(expired.namespaceId(),
                    expired.fileId(), expired.seq(), change, at), at, ReconcilerTopology.CHUNK_REFS_SINK));
        }
    }

    private void reconcile(ChangeBatchSubmitted batch, ProposedChange change, Decision decision,
            Optional<ConflictAudit> audit) {
        List<Long> seqs = new ArrayList<>();
        if (decision instanceof Applied applied && applied.displaced().isPresent()) {
            FileVersion copy = applied.displaced().get().next();
            // The copy holds the displaced version's content: it is recorded as written by that version's device.
            String writer = stores.view(batch.getNamespaceId()).writerName(change.fileId()).orElse(batch.getDeviceName());
            seqs.add(emitWrite(batch, change.index(), applied.displaced().get(), writer));
            log.info("conflict resolved by last writer namespaceId={} batchId={} changeIndex={} fileId={} keptFileId={} "
                    + "keptPath={}", batch.getNamespaceId(), batch.getBatchId(), change.index(), change.fileId(),
                    copy.fileId(), copy.path());
        }
        Optional<FileWrite> write = switch (decision) {
            case Applied applied -> Optional.of(applied.write());
            case Conflict conflict -> conflict.kept();
            case Duplicate duplicate -> Optional.empty();
            case Stale stale -> Optional.empty();
        };
        OutcomeKind kind = switch (decision) {
            case Applied applied -> OutcomeKind.APPLIED;
            case Duplicate duplicate -> OutcomeKind.DUPLICATE;
            case Stale stale -> OutcomeKind.STALE;
            case Conflict conflict -> OutcomeKind.CONFLICT;
        };
        Optional<Long> seq = write.map(w -> emitWrite(batch, change.index(), w, batch.getDeviceName()));
        seq.ifPresent(seqs::add);
        Optional<FileVersion> kept = decision instanceof Conflict ? write.map(FileWrite::next) : Optional.empty();
        if (decision instanceof Conflict) {
            log.info("conflict detected namespaceId={} batchId={} changeIndex={} fileId={} keptFileId={} keptPath={} "
                    + "mergePending={}", batch.getNamespaceId(), batch.getBatchId(), change.index(), change.fileId(),
                    kept.map(FileVersion::fileId).orElse(null), kept.map(FileVersion::path).orElse(null),
                    write.map(FileWrite::mergePending).orElse(false));
        }
        audit.ifPresent(a -> {
            // The copy kept: the change's own content (a conflict), or the stored version it displaced.
            Optional<FileVersion> copy = decision instanceof Applied applied
                    ? applied.displaced().map(FileWrite::next) : kept;
            forward(batch.getNamespaceId(), AvroRecords.conflictEvent(batch, change.index(), kind, a,
                    decision.currentVector(), copy, seqs), batch.getAcceptedAt(), ReconcilerTopology.CONFLICTS_SINK);
        });
        forward(batch.getNamespaceId(), AvroRecords.outcome(batch, change.index(), kind, seq, kept,
                decision.currentVector()), batch.getAcceptedAt(), ReconcilerTopology.OUTCOMES_SINK);
    }

    /** Records the write as the namespace's next event and emits it; returns its sequence number. */
    private long emitWrite(ChangeBatchSubmitted batch, int changeIndex, FileWrite write, String writer) {
        String namespaceId = batch.getNamespaceId();
        long at = batch.getAcceptedAt();
        ReconcilerStores.Recorded recorded = stores.record(namespaceId, write, writer, at);
        FileState state = recorded.state();
        long seq = state.getSeq();
        String fileId = write.next().fileId();
        forward(namespaceId, AvroRecords.fileEvent(batch, changeIndex, write, seq), at,
                ReconcilerTopology.FILE_EVENTS_SINK);
        forward(Topics.fileStateKey(namespaceId, fileId), state, at, ReconcilerTopology.FILE_STATE_SINK);
        recorded.refs().forEach(change -> forward(change.chunkId(),
                AvroRecords.chunkRefDelta(namespaceId, fileId, seq, change, at), at,
                ReconcilerTopology.CHUNK_REFS_SINK));
        return seq;
    }

    private void forward(String key, SpecificRecord value, long timestamp, String sink) {
        if (!publishing) {
            return; // published by the generation that was live when this record came
        }
        // A fresh record: of the input's headers only its correlation id, the batch's time, never the clock's.
        context.forward(new Record<>(key, value, timestamp, Correlation.carried(carried)), sink);
    }
}
