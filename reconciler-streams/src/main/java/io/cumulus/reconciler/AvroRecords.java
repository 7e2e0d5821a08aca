package io.cumulus.reconciler;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.cumulus.reconciler.decision.Chunk;
import io.cumulus.reconciler.decision.ChunkRefChange;
import io.cumulus.reconciler.decision.ConflictAudit;
import io.cumulus.reconciler.decision.FileVersion;
import io.cumulus.reconciler.decision.FileWrite;
import io.cumulus.reconciler.decision.ProposedChange;
import io.cumulus.schemas.Change;
import io.cumulus.schemas.ChangeBatchSubmitted;
import io.cumulus.schemas.ChangeOutcome;
import io.cumulus.schemas.ChunkRef;
import io.cumulus.schemas.ChunkRefDelta;
import io.cumulus.schemas.ConflictEvent;
import io.cumulus.schemas.ConflictResolution;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.FileOp;
import io.cumulus.schemas.FileState;
import io.cumulus.schemas.OutcomeKind;
import io.cumulus.schemas.VersionEntry;
import io.cumulus.sync.vector.VersionVector;

/**
 * Translation between the Avro records on the topics and in the stores and the decision's values.
 * Every time written comes from the batch's {@code acceptedAt}, and vectors are written sorted by
 * device id, so the same input always gives the same bytes.
 */
final class AvroRecords {

    static ProposedChange proposedChange(Change change, int index) {
        return new ProposedChange(index, change.getFileId(), change.getPath(), change.getOp(),
                vector(change.getVector()), chunks(change.getChunks()), change.getSize());
    }

    static FileVersion fileVersion(FileState state) {
        return new FileVersion(state.getFileId(), state.getPath(), state.getDeleted(), vector(state.getVector()),
                chunks(state.getChunks()), state.getSize());
    }

    static FileState fileState(String namespaceId, FileVersion version, long seq, long at, String deviceName) {
        return FileState.newBuilder()
                .setNamespaceId(namespaceId)
                .setFileId(version.fileId())
                .setPath(version.path())
                .setDeleted(version.deleted())
                .setVector(entries(version.vector()))
                .setChunks(chunkRefs(version.chunks()))
                .setSize(version.size())
                .setSeq(seq)
                .setUpdatedAt(at)
                .setDeviceName(deviceName)
                .build();
    }

    static FileEvent fileEvent(ChangeBatchSubmitted batch, int changeIndex, FileWrite write, long seq) {
        FileVersion next = write.next();
        return FileEvent.newBuilder()
                .setNamespaceId(batch.getNamespaceId())
                .setSeq(seq)
                .setFileId(next.fileId())
                .setPath(next.path())
                .setOp(next.deleted() ? FileOp.DELETE : FileOp.UPSERT)
                .setVector(entries(next.vector()))
                .setChunks(chunkRefs(next.chunks()))
                .setSize(next.size())
                .setDeviceId(batch.getDeviceId())
                .setBatchId(batch.getBatchId())
                .setChangeIndex(changeIndex)
                .setAt(batch.getAcceptedAt())
                .setConflictOf(write.conflictOf().orElse(null))
                .setDeviceModifiedAt(batch.getChanges().get(changeIndex).getDeviceModifiedAt())
                .setMergePending(write.mergePending())
                .build();
    }

    static ChangeOutcome outcome(ChangeBatchSubmitted batch, int changeIndex, OutcomeKind kind, Optional<Long> seq,
            Optional<FileVersion> kept, VersionVector currentVector) {
        Change change = batch.getChanges().get(changeIndex);
        return ChangeOutcome.newBuilder()
                .setBatchId(batch.getBatchId())
                .setChangeIndex(changeIndex)
                .setNamespaceId(batch.getNamespaceId())
                .setDeviceId(batch.getDeviceId())
                .setFileId(change.getFileId())
                .setPath(change.getPath())
                .setKind(kind)
                .setSeq(seq.orElse(null))
                .setConflictFileId(kept.map(FileVersion::fileId).orElse(null))
                .setConflictPath(kept.map(FileVersion::path).orElse(null))
                .setCurrentVector(entries(currentVector))
                .setDecidedAt(batch.getAcceptedAt())
                .build();
    }

    static ConflictEvent conflictEvent(ChangeBatchSubmitted batch, int changeIndex, OutcomeKind kind,
            ConflictAudit audit, VersionVector resultVector, Optional<FileVersion> kept, List<Long> seqs) {
        Change change = batch.getChanges().get(changeIndex);
        return ConflictEvent.newBuilder()
                .setNamespaceId(batch.getNamespaceId())
                .setBatchId(batch.getBatchId())
                .setChangeIndex(changeIndex)
                .setDeviceId(batch.getDeviceId())
                .setDeviceName(batch.getDeviceName())
                .setFileId(change.getFileId())
                .setPath(change.getPath())
                .setOp(change.getOp())
                .setResolution(ConflictResolution.valueOf(audit.resolution().name()))
                .setOutcome(kind)
                .setIncomingVector(entries(audit.incoming()))
                .setStoredVector(audit.stored().map(AvroRecords::entries).orElse(null))
                .setBaseVector(audit.base().map(AvroRecords::entries).orElse(null))
                .setResultVector(entries(resultVector))
                .setOtherFileId(audit.otherFileId().orElse(null))
                .setKeptFileId(kept.map(FileVersion::fileId).orElse(null))
                .setKeptPath(kept.map(FileVersion::path).orElse(null))
                .setSeqs(List.copyOf(seqs))
                .setAt(batch.getAcceptedAt())
                .build();
    }

    static ChunkRefDelta chunkRefDelta(String namespaceId, String fileId, long seq, ChunkRefChange change, long at) {
        return ChunkRefDelta.newBuilder()
                .setChunkId(change.chunkId())
                .setNamespaceId(namespaceId)
                .setFileId(fileId)
                .setSeq(seq)
                .setDelta(change.delta())
                .setAt(at)
                .build();
    }

    static VersionVector vector(List<VersionEntry> entries) {
        Map<String, Long> counters = new TreeMap<>();
        entries.forEach(e -> counters.merge(e.getDeviceId(), e.getCounter(), Math::max));
        return VersionVector.of(counters);
    }

    static List<VersionEntry> entries(VersionVector vector) {
        return vector.entries().entrySet().stream()
                .map(e -> new VersionEntry(e.getKey(), e.getValue()))
                .toList();
    }

    private static List<Chunk> chunks(List<ChunkRef> refs) {
        return refs.stream().map(r -> new Chunk(r.getChunkId(), r.getSize())).toList();
    }

    private static List<ChunkRef> chunkRefs(List<Chunk> chunks) {
        return chunks.stream().map(c -> new ChunkRef(c.id(), c.size())).toList();
    }

    private AvroRecords() {
    }
}
