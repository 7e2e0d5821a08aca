package io.cumulus.reconciler;

import static io.cumulus.reconciler.BatchBuilder.LAPTOP;
import static io.cumulus.reconciler.BatchBuilder.PHONE;
import static io.cumulus.reconciler.BatchBuilder.aBatch;
import static io.cumulus.reconciler.BatchBuilder.chunk;
import static io.cumulus.reconciler.BatchBuilder.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cumulus.schemas.ChangeBatchSubmitted;
import io.cumulus.schemas.ChangeOutcome;
import io.cumulus.schemas.ChunkRefDelta;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.OutcomeKind;
import io.cumulus.schemas.Topics;

/**
 * A file and a folder with one name never both land in a namespace: the later in log order is kept
 * under a conflicted-copy name, with the outcome, event and chunk references of a name clash.
 */
class FileFolderClashTopologyTest {
    private static final String NS = "ns-1";
    private static final String COPY = " (Phone's conflicted copy 2026-03-14)";
    private static final List<String> OUTPUT_TOPICS = List.of(Topics.OUTCOMES, Topics.FILE_EVENTS, Topics.FILE_STATE,
            Topics.CHUNK_REFS);

    @TempDir
    Path stateDir;
    private ReconcilerDriver driver;

    @BeforeEach
    void startDriver() {
        driver = new ReconcilerDriver(stateDir.resolve("live"));
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    private void given(BatchBuilder batch) {
        driver.submitAndForget(batch.in(NS).build());
    }

    @Test
    void aFileUnderAFileIsKeptInTheRenamedFolderLikeANameClash() {
        // given the laptop's file at report
        given(aBatch().from(LAPTOP).upsert("f1", "report", vector("dev-laptop", 1), chunk("laptop")));

        // when the phone creates report/a.txt
        driver.submit(aBatch().in(NS).from(PHONE).upsert("f2", "report/a.txt", vector("dev-phone", 1), chunk("a"))
                .build());

        // then the phone is told CONFLICT with the file's new path, as for a name clash
        ChangeOutcome outcome = driver.outcomes().getFirst();
        assertThat(outcome.getKind()).isEqualTo(OutcomeKind.CONFLICT);
        assertThat(outcome.getConflictFileId()).isEqualTo("f2");
        assertThat(outcome.getConflictPath()).isEqualTo("report" + COPY + "/a.txt");
        assertThat(outcome.getSeq()).isEqualTo(2L);
        // and the event records the clash, the copy holds its chunk, the laptop's file is untouched
        FileEvent event = driver.events().getFirst();
        assertThat(event.getPath()).isEqualTo("report" + COPY + "/a.txt");
        assertThat(event.getConflictOf()).isEqualTo("f1");
        assertThat(driver.states()).extracting(kv -> kv.key).containsExactly(NS + "/f2");
        assertThat(driver.chunkRefs()).extracting(kv -> kv.value)
                .extracting(ChunkRefDelta::getChunkId, ChunkRefDelta::getFileId, ChunkRefDelta::getDelta)
                .containsExactly(tuple(chunk("a").getChunkId(), "f2", 1));
    }

    @Test
    void aFileAtTheNameOfAFolderBecomesAConflictedCopy() {
        // given the laptop's files under Report/
        given(aBatch().from(LAPTOP).upsert("f1", "Report/a.txt", vector("dev-laptop", 1), chunk("a"))
                .upsert("f2", "Report/sub/b.txt", vector("dev-laptop", 1), chunk("b")));

        // when the phone creates a file report
        driver.submit(aBatch().in(NS).from(PHONE).upsert("f3", "report", vector("dev-phone", 1), chunk("r")).build());

        // then the file is kept under report's conflicted-copy name
        ChangeOutcome outcome = driver.outcomes().getFirst();
        assertThat(outcome.getKind()).isEqualTo(OutcomeKind.CONFLICT);
        assertThat(outcome.getConflictFileId()).isEqualTo("f3");
        assertThat(outcome.getConflictPath()).isEqualTo("report" + COPY);
        assertThat(driver.events()).extracting(FileEvent::getPath, FileEvent::getConflictOf)
                .containsExactly(tuple("report" + COPY, "f1"));
    }

    @Test
    void aBatchWithAFileAndAFileUnderItAppliesTheFirstAndMovesTheSecond() {
        // when one batch creates x and then x/y (as the API allows)
        driver.submit(aBatch().in(NS).from(PHONE).upsert("f1", "x", vector("dev-phone", 1), chunk("x"))
                .upsert("f2", "x/y", vector("dev-phone", 2), chunk("y")).build());

        // then x lands and x/y goes to the renamed folder
        assertThat(driver.outcomes()).extracting(ChangeOutcome::getKind, ChangeOutcome::getConflictPath)
                .containsExactly(tuple(OutcomeKind.APPLIED, null), tuple(OutcomeKind.CONFLICT, "x" + COPY + "/y"));
        assertThat(driver.events()).extracting(FileEvent::getFileId, FileEvent::getPath)
                .containsExactly(tuple("f1", "x"), tuple("f2", "x" + COPY + "/y"));
    }

    @Test
    void aFolderEmptiedByDeletesAndRenamesFreesItsNameForAFile() {
        // given a folder with a file and a marker, the file then renamed away and the marker deleted
        given(aBatch().from(LAPTOP).upsert("f1", "docs/a.txt", vector("dev-laptop", 1), chunk("a"))
                .upsert("m1", "docs/sub/.cumulusdir", vector("dev-laptop", 1)));
        given(aBatch().from(LAPTOP).upsert("f1", "a.txt", vector("dev-laptop", 2), chunk("a"))
                .delete("m1", "docs/sub/.cumulusdir", vector("dev-laptop", 2)));

        // when a file docs is created
        driver.submit(aBatch().in(NS).from(PHONE).upsert("f2", "docs", vector("dev-phone", 1), chunk("d")).build());

        // then it is applied where it asked to be
        assertThat(driver.outcomes().getFirst().getKind()).isEqualTo(OutcomeKind.APPLIED);
        assertThat(driver.events().getFirst().getPath()).isEqualTo("docs");
    }

    @Test
    void aFolderMarkerKeepsAFileOffTheFoldersName() {
        // given an empty folder photos, held by its marker
        given(aBatch().from(LAPTOP).upsert("m1", "photos/.cumulusdir", vector("dev-laptop", 1)));

        // when the phone creates a file photos
        driver.submit(aBatch().in(NS).from(PHONE).upsert("f1", "photos", vector("dev-phone", 1), chunk("p")).build());

        // then the file becomes a conflicted copy and the empty folder stays
        assertThat(driver.outcomes()).extracting(ChangeOutcome::getKind, ChangeOutcome::getConflictPath)
                .containsExactly(tuple(OutcomeKind.CONFLICT, "photos" + COPY));
    }

    @Test
    void eachLaterFileOfAClashingHistoryMovesAndAFreedNameCanBeUsedAgain() {
        // when the clashing history is reconciled
        clashingHistory().forEach(driver::submit);

        // then every later side of a clash is a conflicted copy, files under one clashing folder share
        // its renamed folder, and once report is deleted a file under report/ lands as sent
        assertThat(driver.outcomes()).extracting(ChangeOutcome::getFileId, ChangeOutcome::getKind,
                ChangeOutcome::getConflictPath).containsExactly(
                        tuple("f1", OutcomeKind.APPLIED, null),
                        tuple("f2", OutcomeKind.APPLIED, null),
                        tuple("m1", OutcomeKind.APPLIED, null),
                        tuple("g1", OutcomeKind.CONFLICT, "Report" + COPY + "/a.txt"),
                        tuple("g2", OutcomeKind.CONFLICT, "report" + COPY + "/b.txt"),
                        tuple("g3", OutcomeKind.CONFLICT, "DOCS" + COPY),
                        tuple("g4", OutcomeKind.CONFLICT, "empty" + COPY),
                        tuple("g5", OutcomeKind.APPLIED, null),
                        tuple("g6", OutcomeKind.CONFLICT, "x" + COPY + "/y/z"),
                        tuple("f1", OutcomeKind.APPLIED, null),
                        tuple("f3", OutcomeKind.APPLIED, null));
    }

    @Test
    void replayingClashesThroughAFreshReconcilerGivesByteIdenticalOutput() {
        // given a history with every shape of file/folder clash, across batches and within one
        List<ChangeBatchSubmitted> history = clashingHistory();

        // when it runs through the live reconciler and through a fresh one
        history.forEach(driver::submit);
        List<List<String>> live = outputs(driver);
        List<List<String>> replayed;
        try (ReconcilerDriver fresh = new ReconcilerDriver(stateDir.resolve("replay"))) {
            history.forEach(fresh::submit);
            replayed = outputs(fresh);
        }

        // then both wrote the same records, and every clash moved the later file to the same path
        assertThat(live).hasSizeGreaterThan(20);
        assertThat(replayed).isEqualTo(live);
    }

    private static List<ChangeBatchSubmitted> clashingHistory() {
        return List.of(
                aBatch().in(NS).from(LAPTOP).upsert("f1", "report", vector("dev-laptop", 1), chunk("1"))
                        .upsert("f2", "docs/a.txt", vector("dev-laptop", 1), chunk("2"))
                        .upsert("m1", "empty/.cumulusdir", vector("dev-laptop", 1)).build(),
                aBatch().in(NS).from(PHONE).upsert("g1", "Report/a.txt", vector("dev-phone", 1), chunk("3"))
                        .upsert("g2", "report/b.txt", vector("dev-phone", 2), chunk("4"))
                        .upsert("g3", "DOCS", vector("dev-phone", 3), chunk("5"))
                        .upsert("g4", "empty", vector("dev-phone", 4), chunk("6")).build(),
                aBatch().in(NS).from(PHONE).upsert("g5", "x", vector("dev-phone", 5), chunk("7"))
                        .upsert("g6", "x/y/z", vector("dev-phone", 6), chunk("8")).build(),
                aBatch().in(NS).from(LAPTOP).delete("f1", "report", vector("dev-laptop", 2))
                        .upsert("f3", "report/c.txt", vector("dev-laptop", 3), chunk("9")).build());
    }

    private static List<List<String>> outputs(ReconcilerDriver driver) {
        HexFormat hex = HexFormat.of();
        return OUTPUT_TOPICS.stream()
                .flatMap(topic -> driver.rawRecords(topic).stream().map(r -> List.of(topic, hex.formatHex(r.key()),
                        hex.formatHex(r.value()), String.valueOf(r.timestamp()))))
                .toList();
    }
}
