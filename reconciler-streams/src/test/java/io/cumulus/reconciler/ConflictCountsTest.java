package io.cumulus.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.cumulus.reconciler.decision.Decision;
import io.cumulus.reconciler.decision.FileVersion;
import io.cumulus.reconciler.decision.FileWrite;
import io.cumulus.reconciler.decision.ProposedChange;
import io.cumulus.schemas.FileOp;
import io.cumulus.sync.vector.VersionVector;

class ConflictCountsTest {
    private static final ProposedChange CHANGE = new ProposedChange(0, "notes", "notes.txt", FileOp.UPSERT,
            VersionVector.empty(), List.of(), 0);

    private static FileWrite write(String fileId, boolean mergePending) {
        return new FileWrite(new FileVersion(fileId, "notes (Phone's conflicted copy 2026-01-01).txt", false,
                VersionVector.empty(), List.of(), 0), Optional.empty(), Optional.of("notes"), mergePending);
    }

    @Test
    void everyConflictIsCountedByWhatTheReconcilerDidWithIt() {
        assertThat(ConflictCounts.kind(CHANGE, new Decision.Conflict(VersionVector.empty(), Optional.of(write("notes", false)))))
                .hasValue("path-clash");
        assertThat(ConflictCounts.kind(CHANGE, new Decision.Conflict(VersionVector.empty(), Optional.of(write("conflict-b-0", false)))))
                .hasValue("keep-both");
        assertThat(ConflictCounts.kind(CHANGE, new Decision.Conflict(VersionVector.empty(), Optional.of(write("conflict-b-0", true)))))
                .hasValue("merge");
        assertThat(ConflictCounts.kind(CHANGE, new Decision.Conflict(VersionVector.empty(), Optional.empty())))
                .hasValue("delete-vs-edit");
        assertThat(ConflictCounts.kind(CHANGE, new Decision.Applied(write("notes", false), Optional.of(write("conflict-b-0", false)))))
                .hasValue("last-writer-wins");
    }

    @Test
    void aChangeThatAppliesOrIsStaleOrADuplicateIsNoConflict() {
        assertThat(ConflictCounts.kind(CHANGE, new Decision.Applied(write("notes", false)))).isEmpty();
        assertThat(ConflictCounts.kind(CHANGE, new Decision.Stale(VersionVector.empty()))).isEmpty();
        assertThat(ConflictCounts.kind(CHANGE, new Decision.Duplicate(VersionVector.empty()))).isEmpty();
    }
}
