package io.cumulus.reconciler;

import static io.cumulus.reconciler.BatchBuilder.LAPTOP;
import static io.cumulus.reconciler.BatchBuilder.PHONE;
import static io.cumulus.reconciler.BatchBuilder.aBatch;
import static io.cumulus.reconciler.BatchBuilder.chunk;
import static io.cumulus.reconciler.BatchBuilder.vector;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cumulus.schemas.ChangeBatchSubmitted;
import io.cumulus.schemas.ChangeOutcome;
import io.cumulus.schemas.ConflictEvent;
import io.cumulus.schemas.ConflictResolution;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.OutcomeKind;
import io.cumulus.schemas.Topics;
import io.cumulus.schemas.VersionEntry;
import io.cumulus.sync.vector.VersionVector;

/**
 * The conflicts topic: every change that conflicted gets one event carrying the vector it came with,
 * the stored vector it met and their merge base, how it was resolved and which file events it wrote,
 * so a consumer can check every decision; a change that did not conflict gets none.
 */
class ConflictEventsTopologyTest {
    @TempDir
    Path stateDir;

    /** Version 1 from the laptop, then the laptop's edit, then the phone's edit of version 1. */
    private static List<ChangeBatchSubmitted> concurrentEditsOf(String path) {
        return List.of(
                aBatch().from(LAPTOP).upsert("f1", path, vector("dev-laptop", 1), chunk("v1")).build(),
                aBatch().from(LAPTOP).upsert("f1", path, vector("dev-laptop", 2), chunk("laptop")).build(),
                aBatch().from(PHONE).id("b-phone")
                        .upsert("f1", path, vector("dev-laptop", 1, "dev-phone", 1), chunk("phone")).build());
    }

    private static List<VersionEntry> entries(VersionVector vector) {
        return AvroRecords.entries(vector);
    }

    @Test
    void aConflictCarriesTheIncomingTheStoredAndTheMergeBaseVectors() {
        try (ReconcilerDriver driver = new ReconcilerDriver(stateDir)) {
            // given two concurrent edits of a text file
            concurrentEditsOf("notes.txt").forEach(driver::submit);

            // then one conflict event, for the phone's change, with the three vectors the decision compared
            List<FileEvent> events = driver.events();
            assertThat(driver.conflicts()).singleElement().satisfies(c -> {
                assertThat(c.getBatchId()).isEqualTo("b-phone");
                assertThat(c.getFileId()).isEqualTo("f1");
                assertThat(c.getDeviceId()).isEqualTo("dev-phone");
                assertThat(c.getOutcome()).isEqualTo(OutcomeKind.CONFLICT);
                assertThat(c.getResolution()).isEqualTo(ConflictResolution.MERGE_PENDING);
                assertThat(c.getIncomingVector()).isEqualTo(entries(vector("dev-laptop", 1, "dev-phone", 1)));
                assertThat(c.getStoredVector()).isEqualTo(entries(vector("dev-laptop", 2)));
                assertThat(c.getBaseVector()).isEqualTo(entries(vector("dev-laptop", 1)));
                assertThat(c.getResultVector()).isEqualTo(entries(vector("dev-laptop", 2)));
                assertThat(c.getOtherFileId()).isEqualTo("f1");
                // and it names the copy it kept and the file event that wrote it
                FileEvent copy = events.getLast();
                assertThat(c.getKeptFileId()).isEqualTo(copy.getFileId());
                assertThat(c.getKeptPath()).isEqualTo(copy.getPath());
                assertThat(c.getSeqs()).containsExactly(copy.getSeq());
            });
        }
    }

    @Test
    void theResolutionSaysHowEachKindOfConflictWasDecided() {
        try (ReconcilerDriver driver = new ReconcilerDriver(stateDir)) {
            // concurrent photo edits keep both
            concurrentEditsOf("IMG_1.jpg").forEach(driver::submit);
            assertThat(driver.conflicts()).extracting(ConflictEvent::getResolution)
                    .containsExactly(ConflictResolution.KEPT_BOTH);

            // concurrent office edits: the later change wins, the stored version is the copy
            driver.submit(aBatch().from(LAPTOP).upsert("f2", "plan.docx", vector("dev-laptop", 1), chunk("d1")).build());
            driver.submit(aBatch().from(LAPTOP).upsert("f2", "plan.docx", vector("dev-laptop", 2), chunk("d2")).build());
            driver.submit(aBatch().from(PHONE)
                    .upsert("f2", "plan.docx", vector("dev-laptop", 1, "dev-phone", 1), chunk("d3")).build());
            assertThat(driver.conflicts()).singleElement().satisfies(c -> {
                assertThat(c.getResolution()).isEqualTo(ConflictResolution.LAST_WRITER_WINS);
                assertThat(c.getOutcome()).isEqualTo(OutcomeKind.APPLIED);
                assertThat(c.getResultVector()).isEqualTo(entries(vector("dev-laptop", 2, "dev-phone", 1)));
                assertThat(c.getSeqs()).hasSize(2); // the displaced copy, then the winner
            });

            // a delete concurrent with an edit it has not seen is refused, and writes nothing
            driver.submit(aBatch().from(LAPTOP).upsert("f3", "x.bin", vector("dev-laptop", 1), chunk("x1")).build());
            driver.submit(aBatch().from(LAPTOP).upsert("f3", "x.bin", vector("dev-laptop", 2), chunk("x2")).build());
            driver.submit(aBatch().from(PHONE).delete("f3", "x.bin", vector("dev-laptop", 1, "dev-phone", 1)).build());
            assertThat(driver.conflicts()).singleElement().satisfies(c -> {
                assertThat(c.getResolution()).isEqualTo(ConflictResolution.DELETE_REFUSED);
                assertThat(c.getBaseVector()).isEqualTo(entries(vector("dev-laptop", 1)));
                assertThat(c.getKeptFileId()).isNull();
                assertThat(c.getSeqs()).isEmpty();
            });

            // a rename concurrent with an edit: both apply, in one version joining both vectors
            driver.submit(aBatch().from(LAPTOP).upsert("f5", "a.txt", vector("dev-laptop", 1), chunk("a1")).build());
            driver.submit(aBatch().from(LAPTOP).upsert("f5", "b.txt", vector("dev-laptop", 2), chunk("a1")).build());
            driver.submit(aBatch().from(PHONE).upsert("f5", "a.txt", vector("dev-laptop", 1, "dev-phone", 1), chunk("a2"))
                    .build());
            assertThat(driver.conflicts()).singleElement().satisfies(c -> {
                assertThat(c.getResolution()).isEqualTo(ConflictResolution.COMBINED);
                assertThat(c.getOutcome()).isEqualTo(OutcomeKind.APPLIED);
                assertThat(c.getStoredVector()).isEqualTo(entries(vector("dev-laptop", 2)));
                assertThat(c.getBaseVector()).isEqualTo(entries(vector("dev-laptop", 1)));
                assertThat(c.getResultVector()).isEqualTo(entries(vector("dev-laptop", 2, "dev-phone", 1)));
                assertThat(c.getKeptFileId()).isNull();
                assertThat(c.getSeqs()).hasSize(1);
            });

            // a new file on a path another file holds: no stored version, the holder is named
            driver.submit(aBatch().from(PHONE).upsert("f4", "IMG_1.jpg", vector("dev-phone", 5), chunk("other")).build());
            assertThat(driver.conflicts()).singleElement().satisfies(c -> {
                assertThat(c.getResolution()).isEqualTo(ConflictResolution.PATH_CLASH);
                assertThat(c.getStoredVector()).isNull();
                assertThat(c.getBaseVector()).isNull();
                assertThat(c.getOtherFileId()).isEqualTo("f1");
                assertThat(c.getKeptFileId()).isEqualTo("f4");
                assertThat(c.getKeptPath()).isNotEqualTo("IMG_1.jpg");
            });
        }
    }

    @Test
    void aChangeThatDoesNotConflictGetsNoConflictEvent() {
        try (ReconcilerDriver driver = new ReconcilerDriver(stateDir)) {
            driver.submit(aBatch().from(LAPTOP).upsert("f1", "a.txt", vector("dev-laptop", 1), chunk("1")).build());
            driver.submit(aBatch().from(PHONE).upsert("f1", "a.txt", vector("dev-laptop", 1, "dev-phone", 1), chunk("2"))
                    .build());
            driver.submit(aBatch().from(PHONE).upsert("f1", "a.txt", vector("dev-laptop", 1, "dev-phone", 1), chunk("2"))
                    .build());

            assertThat(driver.outcomes()).extracting(ChangeOutcome::getKind)
                    .containsExactly(OutcomeKind.APPLIED, OutcomeKind.APPLIED, OutcomeKind.DUPLICATE);
            assertThat(driver.conflicts()).isEmpty();
        }
    }

    @Test
    void aReplayThroughAFreshReconcilerWritesByteIdenticalConflictEvents() {
        // given a history with conflicts of several kinds
        List<ChangeBatchSubmitted> history = new java.util.ArrayList<>(concurrentEditsOf("notes.txt"));
        history.add(aBatch().from(LAPTOP).upsert("f2", "plan.docx", vector("dev-laptop", 1), chunk("d1")).build());
        history.add(aBatch().from(LAPTOP).upsert("f2", "plan.docx", vector("dev-laptop", 2), chunk("d2")).build());
        history.add(aBatch().from(PHONE).upsert("f2", "plan.docx", vector("dev-laptop", 1, "dev-phone", 1), chunk("d3"))
                .build());
        history.add(aBatch().from(PHONE).delete("f2", "plan.docx", vector("dev-laptop", 1, "dev-phone", 2)).build());

        // when it runs through two fresh reconcilers
        List<String> first = conflictRecords(history, stateDir.resolve("first"));
        List<String> second = conflictRecords(history, stateDir.resolve("second"));

        // then both wrote the same keys, bytes and timestamps to the conflicts topic
        assertThat(first).hasSizeGreaterThanOrEqualTo(3);
        assertThat(second).isEqualTo(first);
    }

    private static List<String> conflictRecords(List<ChangeBatchSubmitted> history, Path dir) {
        try (ReconcilerDriver driver = new ReconcilerDriver(dir)) {
            history.forEach(driver::submit);
            HexFormat hex = HexFormat.of();
            return driver.rawRecords(Topics.CONFLICTS).stream()
                    .map((TestRecord<byte[], byte[]> r) -> hex.formatHex(r.key()) + " " + hex.formatHex(r.value())
                            + " " + r.timestamp())
                    .toList();
        }
    }
}
