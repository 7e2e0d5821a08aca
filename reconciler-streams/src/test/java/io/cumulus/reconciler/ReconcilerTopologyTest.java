package io.cumulus.reconciler;

import static io.cumulus.reconciler.BatchBuilder.LAPTOP;
import static io.cumulus.reconciler.BatchBuilder.PHONE;
import static io.cumulus.reconciler.BatchBuilder.aBatch;
import static io.cumulus.reconciler.BatchBuilder.chunk;
import static io.cumulus.reconciler.BatchBuilder.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cumulus.schemas.ChangeBatchSubmitted;
import io.cumulus.schemas.ChangeOutcome;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.FileOp;
import io.cumulus.schemas.FileState;
import io.cumulus.schemas.OutcomeKind;
import io.cumulus.schemas.VersionEntry;

/** Each verdict the reconciler can reach, seen on its output topics. */
class ReconcilerTopologyTest {
    private static final String NS = "ns-1";

    @TempDir
    Path stateDir;
    private ReconcilerDriver driver;

    @BeforeEach
    void startDriver() {
        driver = new ReconcilerDriver(stateDir);
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    private void given(BatchBuilder batch) {
        driver.submitAndForget(batch.in(NS).build());
    }

    private static List<VersionEntry> entries(Object... deviceCounterPairs) {
        return AvroRecords.entries(vector(deviceCounterPairs));
    }

    @Test
    void aNewFileIsAppliedAsTheFirstEventWithItsStateAndOutcome() {
        // when the laptop creates a file
        ChangeBatchSubmitted batch = aBatch().in(NS).from(LAPTOP)
                .upsert("f1", "docs/a.txt", vector("dev-laptop", 1), chunk("hello")).build();
        driver.submit(batch);

        // then the outcome is APPLIED with seq 1, and the event and state describe the file
        ChangeOutcome outcome = driver.outcomes().getFirst();
        assertThat(outcome.getKind()).isEqualTo(OutcomeKind.APPLIED);
        assertThat(outcome.getSeq()).isEqualTo(1L);
        assertThat(outcome.getBatchId()).isEqualTo(batch.getBatchId());
        assertThat(outcome.getDeviceId()).isEqualTo("dev-laptop");
        assertThat(outcome.getCurrentVector()).isEqualTo(entries("dev-laptop", 1));
        assertThat(outcome.getDecidedAt()).isEqualTo(batch.getAcceptedAt());
        FileEvent event = driver.events().getFirst();
        assertThat(event.getSeq()).isEqualTo(1L);
        assertThat(event.getOp()).isEqualTo(FileOp.UPSERT);
        assertThat(event.getPath()).isEqualTo("docs/a.txt");
        assertThat(event.getChunks()).containsExactly(chunk("hello"));
        assertThat(event.getAt()).isEqualTo(batch.getAcceptedAt());
        assertThat(event.getDeviceModifiedAt()).isEqualTo(batch.getChanges().getFirst().getDeviceModifiedAt());
        assertThat(event.getConflictOf()).isNull();
        FileState state = driver.states().getFirst().value;
        assertThat(state.getSeq()).isEqualTo(1L);
        assertThat(state.getDeleted()).isFalse();
        assertThat(state.getUpdatedAt()).isEqualTo(batch.getAcceptedAt());
    }

    @Test
    void anEditThatDominatesIsAppliedAsTheNextEvent() {
        // given a file
        given(aBatch().from(LAPTOP).upsert("f1", "a.txt", vector("dev-laptop", 1), chunk("v1")));

        // when the phone, having seen it, edits it
        driver.submit(aBatch().in(NS).from(PHONE)
                .upsert("f1", "a.txt", vector("dev-laptop", 1, "dev-phone", 1), chunk("v2")).build());

        // then the edit is applied as event 2
        ChangeOutcome outcome = driver.outcomes().getFirst();
        assertThat(outcome.getKind()).isEqualTo(OutcomeKind.APPLIED);
        assertThat(outcome.getSeq()).isEqualTo(2L);
        assertThat(driver.events()).extracting(FileEvent::getSeq, FileEvent::getChunks)
                .containsExactly(tuple(2L, List.of(chunk("v2"))));
    }

    @Test
    void theSameVersionSentAgainIsADuplicateAndWritesNoEvent() {
        // given a file
        given(aBatch().from(LAPTOP).upsert("f1", "a.txt", vector("dev-laptop", 1), chunk("v1")));

        // when the same version arrives in a new batch
        driver.submit(aBatch().in(NS).from(LAPTOP).upsert("f1", "a.txt", vector("dev-laptop", 1), chunk("v1")).build());

        // then it is a duplicate, with no event and no seq
        ChangeOutcome outcome = driver.outcomes().getFirst();
        assertThat(outcome.getKind()).isEqualTo(OutcomeKind.DUPLICATE);
        assertThat(outcome.getSeq()).isNull();
        assertThat(driver.events()).isEmpty();
        assertThat(driver.states()).isEmpty();
    }

    @Test
    void anOlderVersionIsStaleAndWritesNoEvent() {
        // given a file edited twice
        given(aBatch().from(LAPTOP).upsert("f1", "a.txt", vector("dev-laptop", 2), chunk("v2")));

        // when a version the server has already superseded arrives
        driver.submit(aBatch().in(NS).from(PHONE).upsert("f1", "a.txt", vector("dev-laptop", 1), chunk("v1")).build());

        // then it is stale and tells the device the server's vector
        ChangeOutcome outcome = driver.outcomes().getFirst();
        assertThat(outcome.getKind()).isEqualTo(OutcomeKind.STALE);
        assertThat(outcome.getCurrentVector()).isEqualTo(entries("dev-laptop", 2));
        assertThat(driver.events()).isEmpty();
    }

    @Test
    void concurrentEditsKeepBothWithTheCopyNamedAfterTheDeviceAndTheEventsDate() {
        // given the laptop's edit of a file
        given(aBatch().from(LAPTOP).upsert("f1", "notes/plan.md", vector("dev-laptop", 1), chunk("laptop")));

        // when the phone sends an edit made without seeing it, late on New Year's Eve (UTC)
        ChangeBatchSubmitted phone = aBatch().in(NS).id("b-phone").from(PHONE).at(Instant.parse("2026-12-31T23:59:59Z"))
                .upsert("f1", "notes/plan.md", vector("dev-phone", 1), chunk("phone")).build();
        driver.submit(phone);

        // then the laptop's version stays and the phone's content is a new file named after the phone and that date
        ChangeOutcome outcome = driver.outcomes().getFirst();
        assertThat(outcome.getKind()).isEqualTo(OutcomeKind.CONFLICT);
        assertThat(outcome.getConflictFileId()).isEqualTo("conflict-b-phone-0");
        assertThat(outcome.getConflictPath()).isEqualTo("notes/plan (Phone's conflicted copy 2026-12-31).md");
        assertThat(outcome.getCurrentVector()).isEqualTo(entries("dev-laptop", 1));
        assertThat(outcome.getSeq()).isEqualTo(2L);
        FileEvent copy = driver.events().getFirst();
        assertThat(copy.getFileId()).isEqualTo("conflict-b-phone-0");
        assertThat(copy.getPath()).isEqualTo("notes/plan (Phone's conflicted copy 2026-12-31).md");
        assertThat(copy.getConflictOf()).isEqualTo("f1");
        assertThat(copy.getChunks()).containsExactly(chunk("phone"));
        assertThat(driver.states()).extracting(kv -> kv.key).containsExactly(NS + "/conflict-b-phone-0");
    }

    @Test
    void aDeleteThatDominatesIsAppliedAndFreesThePath() {
        // given a file
        given(aBatch().from(LAPTOP).upsert("f1", "a.txt", vector("dev-laptop", 1), chunk("v1")));

        // when the phone deletes it, then another file is created at its path
        driver.submit(aBatch().in(NS).from(PHONE).delete("f1", "a.txt", vector("dev-laptop", 1, "dev-phone", 1))
                .upsert("f2", "a.txt", vector("dev-phone", 2), chunk("new")).build());

        // then the delete is an event, the state is deleted, and the path was free for the new file
        assertThat(driver.outcomes()).extracting(ChangeOutcome::getKind)
                .containsExactly(OutcomeKind.APPLIED, OutcomeKind.APPLIED);
        FileEvent deletion = driver.events().getFirst();
        assertThat(deletion.getOp()).isEqualTo(FileOp.DELETE);
        assertThat(deletion.getChunks()).isEmpty();
        FileState state = driver.states().getFirst().value;
        assertThat(state.getFileId()).isEqualTo("f1");
        assertThat(state.getDeleted()).isTrue();
    }

    @Test
    void aDeleteOfAnUnknownFileIsStale() {
        // when a device deletes a file the server never had
        driver.submit(aBatch().in(NS).from(PHONE).delete("ghost", "ghost.txt", vector("dev-phone", 1)).build());

        // then it is stale with an empty vector, and nothing is written
        ChangeOutcome outcome = driver.outcomes().getFirst();
        assertThat(outcome.getKind()).isEqualTo(OutcomeKind.STALE);
        assertThat(outcome.getCurrentVector()).isEmpty();
        assertThat(driver.events()).isEmpty();
    }

    @Test
    void aDeleteConcurrentWithAnEditKeepsTheEdit() {
        // given the laptop's second edit of a file the phone knows at version 1
        given(aBatch().from(LAPTOP).upsert("f1", "a.txt", vector("dev-laptop", 1), chunk("v1")));
        given(aBatch().from(LAPTOP).upsert("f1", "a.txt", vector("dev-laptop", 2), chunk("v2")));

        // when the phone deletes its version 1
        driver.submit(aBatch().in(NS).from(PHONE).delete("f1", "a.txt", vector("dev-laptop", 1, "dev-phone", 1)).build());

        // then it is a conflict that writes nothing and points the phone at the edit's vector
        ChangeOutcome outcome = driver.outcomes().getFirst();
        assertThat(outcome.getKind()).isEqualTo(OutcomeKind.CONFLICT);
        assertThat(outcome.getSeq()).isNull();
        assertThat(outcome.getConflictPath()).isNull();
        assertThat(outcome.getCurrentVector()).isEqualTo(entries("dev-laptop", 2));
        assertThat(driver.events()).isEmpty();
        assertThat(driver.chunkRefs()).isEmpty();
    }

    @Test
    void laterChangesOfABatchSeeTheEarlierOnes() {
        // when one batch creates a file and then edits it
        driver.submit(aBatch().in(NS).from(LAPTOP).upsert("f1", "a.txt", vector("dev-laptop", 1), chunk("v1"))
                .upsert("f1", "a.txt", vector("dev-laptop", 2), chunk("v2")).build());

        // then the edit is applied over the creation, in change order
        assertThat(driver.outcomes()).extracting(ChangeOutcome::getChangeIndex, ChangeOutcome::getKind, ChangeOutcome::getSeq)
                .containsExactly(tuple(0, OutcomeKind.APPLIED, 1L),
                        tuple(1, OutcomeKind.APPLIED, 2L));
    }

    @Test
    void aRedeliveredBatchProducesNothing() {
        // given a batch reconciled once
        ChangeBatchSubmitted batch = aBatch().in(NS).from(LAPTOP)
                .upsert("f1", "a.txt", vector("dev-laptop", 1), chunk("v1")).build();
        driver.submit(batch);
        assertThat(driver.outcomes()).hasSize(1);
        assertThat(driver.events()).hasSize(1);
        driver.states();
        driver.chunkRefs();

        // when the relay delivers it again
        driver.submit(batch);

        // then no topic gets anything, not even a duplicate outcome
        assertThat(driver.outcomes()).isEmpty();
        assertThat(driver.events()).isEmpty();
        assertThat(driver.states()).isEmpty();
        assertThat(driver.chunkRefs()).isEmpty();
    }
}
