package io.cumulus.projector;

import java.util.List;
import java.util.UUID;

import io.cumulus.schemas.ChangeOutcome;
import io.cumulus.schemas.ChunkRef;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.FileOp;
import io.cumulus.schemas.OutcomeKind;
import io.cumulus.schemas.VersionEntry;

/** Builders of valid file events and outcomes; a test overrides only the fields it is about. */
final class TestRecords {
    static final String LAPTOP = "11111111-1111-1111-1111-111111111111";
    static final String PHONE = "22222222-2222-2222-2222-222222222222";
    static final String CHUNK_A = "a".repeat(64);
    static final String CHUNK_B = "b".repeat(64);

    static FileEvent.Builder anEvent(UUID namespace, long seq, String fileId) {
        return FileEvent.newBuilder()
                .setNamespaceId(namespace.toString())
                .setSeq(seq)
                .setFileId(fileId)
                .setPath("docs/" + fileId + ".txt")
                .setOp(FileOp.UPSERT)
                .setVector(List.of(new VersionEntry(LAPTOP, seq), new VersionEntry(PHONE, 1L)))
                .setChunks(List.of(new ChunkRef(CHUNK_A, 10L), new ChunkRef(CHUNK_B, 5L)))
                .setSize(15L)
                .setDeviceId(LAPTOP)
                .setBatchId("batch-" + namespace + "-" + seq)
                .setChangeIndex(0)
                .setAt(1_760_000_000_000L + seq);
    }

    static ChangeOutcome.Builder anOutcome(UUID namespace, String batchId, int changeIndex) {
        return ChangeOutcome.newBuilder()
                .setBatchId(batchId)
                .setChangeIndex(changeIndex)
                .setNamespaceId(namespace.toString())
                .setDeviceId(LAPTOP)
                .setFileId("file-" + changeIndex)
                .setPath("docs/file-" + changeIndex + ".txt")
                .setKind(OutcomeKind.APPLIED)
                .setSeq(1L)
                .setCurrentVector(List.of(new VersionEntry(LAPTOP, 1L)))
                .setDecidedAt(1_760_000_000_000L);
    }

    private TestRecords() {
    }
}
