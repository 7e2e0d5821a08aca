package io.cumulus.reconciler;

import static io.cumulus.reconciler.BatchBuilder.LAPTOP;
import static io.cumulus.reconciler.BatchBuilder.PHONE;
import static io.cumulus.reconciler.BatchBuilder.aBatch;
import static io.cumulus.reconciler.BatchBuilder.chunk;
import static io.cumulus.reconciler.BatchBuilder.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cumulus.schemas.ChangeOutcome;
import io.cumulus.schemas.ChunkRef;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.FileState;
import io.cumulus.schemas.OutcomeKind;

/**
 * The outcome of each kind of concurrent structural change, through the whole topology: what the
 * namespace holds afterwards, what the submitting device is told, and that no content is lost.
 */
class StructuralConflictTopologyTest {
    @TempDir
    Path stateDir;

    private ReconcilerDriver driver;
    /** The live files after every event so far, by path. */
    private final Map<String, FileState> live = new TreeMap<>();

    @BeforeEach
    void startDriver() {
        driver = new ReconcilerDriver(stateDir);
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    /** Submits a batch and returns its outcomes; the namespace's live files are tracked from its events. */
    private List<ChangeOutcome> submit(BatchBuilder batch) {
        driver.submit(batch.build());
        for (var kv : driver.states()) {
            FileState s = kv.value;
            live.values().removeIf(f -> f.getFileId().equals(s.getFileId()));
            if (!s.getDeleted()) {
                live.put(s.getPath(), s);
            }
        }
        driver.events();
        driver.chunkRefs();
        return driver.outcomes();
    }

    private List<ChunkRef> contentAt(String path) {
        assertThat(live).containsKey(path);
        return live.get(path).getChunks();
    }

    @Test
    void anEditConcurrentWithAnAppliedDeleteBringsTheFileBackWithTheEdit() {
        // given a file both devices have, then deleted on the laptop
        submit(aBatch().from(LAPTOP).upsert("f1", "notes.txt", vector("dev-laptop", 1), chunk("v1")));
        submit(aBatch().from(LAPTOP).delete("f1", "notes.txt", vector("dev-laptop", 2)));

        // when the phone's edit, made before it saw the delete, arrives
        List<ChangeOutcome> outcomes = submit(aBatch().from(PHONE)
                .upsert("f1", "notes.txt", vector("dev-laptop", 1, "dev-phone", 1), chunk("edit")));

        // then the file is back, with the edit, under a vector both devices' versions are behind
        assertThat(contentAt("notes.txt")).containsExactly(chunk("edit"));
        assertThat(live).hasSize(1);
        assertThat(outcomes).extracting(ChangeOutcome::getKind).containsExactly(OutcomeKind.APPLIED);
        assertThat(AvroRecords.vector(outcomes.getFirst().getCurrentVector()))
                .isEqualTo(vector("dev-laptop", 2, "dev-phone", 1));
    }

    @Test
    void aDeleteConcurrentWithAnAppliedEditIsRefusedAndTheEditStays() {
        // given a file edited on the laptop
        submit(aBatch().from(LAPTOP).upsert("f1", "notes.txt", vector("dev-laptop", 1), chunk("v1")));
        submit(aBatch().from(LAPTOP).upsert("f1", "notes.txt", vector("dev-laptop", 2), chunk("edit")));

        // when the phone's delete of the first version arrives
        List<ChangeOutcome> outcomes = submit(aBatch().from(PHONE)
                .delete("f1", "notes.txt", vector("dev-laptop", 1, "dev-phone", 1)));

        // then the edit stays and the phone is told to take it
        assertThat(contentAt("notes.txt")).containsExactly(chunk("edit"));
        assertThat(outcomes).extracting(ChangeOutcome::getKind).containsExactly(OutcomeKind.CONFLICT);
        assertThat(outcomes.getFirst().getConflictFileId()).isNull();
    }

    @Test
    void aFolderDeletedWhileAFileInsideWasEditedKeepsTheEditedFileInTheFolder() {
        // given a folder with two files and its marker
        submit(aBatch().from(LAPTOP)
                .upsert("d", "trip/.cumulusdir", vector("dev-laptop", 1))
                .upsert("f1", "trip/plan.txt", vector("dev-laptop", 1), chunk("plan"))
                .upsert("f2", "trip/list.txt", vector("dev-laptop", 1), chunk("list")));

        // when the laptop deletes the folder and the phone's edit of one file arrives after
        submit(aBatch().from(LAPTOP)
                .delete("d", "trip/.cumulusdir", vector("dev-laptop", 2))
                .delete("f1", "trip/plan.txt", vector("dev-laptop", 2))
                .delete("f2", "trip/list.txt", vector("dev-laptop", 2)));
        submit(aBatch().from(PHONE).upsert("f1", "trip/plan.txt", vector("dev-laptop", 1, "dev-phone", 1),
                chunk("plan, edited")));

        // then the edited file survives in its folder, the untouched one stays deleted
        assertThat(live.keySet()).containsExactly("trip/plan.txt");
        assertThat(contentAt("trip/plan.txt")).containsExactly(chunk("plan, edited"));
    }

    @Test
    void aRenameAndAConcurrentEditBothApplyInEitherOrder() {
        // given a file both devices have
        submit(aBatch().from(LAPTOP).upsert("f1", "draft.txt", vector("dev-laptop", 1), chunk("v1"))
                .upsert("f2", "other.txt", vector("dev-laptop", 1), chunk("o1")));

        // when the laptop renames f1 and the phone edits it; and the phone renames f2 after the laptop edited it
        submit(aBatch().from(LAPTOP).upsert("f1", "final.txt", vector("dev-laptop", 2), chunk("v1"))
                .upsert("f2", "other.txt", vector("dev-laptop", 2), chunk("o2")));
        List<ChangeOutcome> outcomes = submit(aBatch().from(PHONE)
                .upsert("f1", "draft.txt", vector("dev-laptop", 1, "dev-phone", 1), chunk("v2"))
                .upsert("f2", "renamed.txt", vector("dev-laptop", 1, "dev-phone", 1), chunk("o1")));

        // then each file has the new name and the new content, and nothing else exists
        assertThat(live.keySet()).containsExactly("final.txt", "renamed.txt");
        assertThat(contentAt("final.txt")).containsExactly(chunk("v2"));
        assertThat(contentAt("renamed.txt")).containsExactly(chunk("o2"));
        assertThat(outcomes).extracting(ChangeOutcome::getKind).containsOnly(OutcomeKind.APPLIED);
    }

    @Test
    void ofTwoConcurrentRenamesTheLaterInLogOrderWinsWithoutADuplicate() {
        // given a file both devices have, renamed on the laptop
        submit(aBatch().from(LAPTOP).upsert("f1", "x.txt", vector("dev-laptop", 1), chunk("v1")));
        submit(aBatch().from(LAPTOP).upsert("f1", "a.txt", vector("dev-laptop", 2), chunk("v1")));

        // when the phone's own rename arrives
        submit(aBatch().from(PHONE).upsert("f1", "b.txt", vector("dev-laptop", 1, "dev-phone", 1), chunk("v1")));

        // then there is one file, at the later name
        assertThat(live.keySet()).containsExactly("b.txt");
    }

    @Test
    void twoNewFilesOnTheSamePathAreBothKept() {
        // when each device creates its own notes.txt
        submit(aBatch().from(LAPTOP).upsert("f1", "notes.txt", vector("dev-laptop", 1), chunk("laptop")));
        submit(aBatch().from(PHONE).upsert("f2", "notes.txt", vector("dev-phone", 1), chunk("phone")));

        // then the first keeps the name and the second is a copy named after the phone
        assertThat(live.keySet()).containsExactly("notes (Phone's conflicted copy 2026-03-14).txt", "notes.txt");
        assertThat(contentAt("notes.txt")).containsExactly(chunk("laptop"));
    }

    @Test
    void anOfficeDocumentGoesToTheLastWriterAndTheOtherVersionIsKeptAsACopy() {
        // given a spreadsheet both devices have, edited on the laptop
        submit(aBatch().from(LAPTOP).upsert("f1", "budget.xlsx", vector("dev-laptop", 1), chunk("v1")));
        submit(aBatch().from(LAPTOP).upsert("f1", "budget.xlsx", vector("dev-laptop", 2), chunk("laptop")));

        // when the phone's concurrent edit arrives later
        driver.submit(aBatch().from(PHONE).id("b-phone")
                .upsert("f1", "budget.xlsx", vector("dev-laptop", 1, "dev-phone", 1), chunk("phone")).build());

        // then the copy of the laptop's version is written first, then the phone's version takes the file
        assertThat(driver.events()).extracting(FileEvent::getFileId, FileEvent::getPath, FileEvent::getConflictOf)
                .containsExactly(
                        tuple("conflict-b-phone-0", "budget (Laptop's conflicted copy 2026-03-14).xlsx", "f1"),
                        tuple("f1", "budget.xlsx", null));
        // and the copy is recorded as the laptop's work, the file as the phone's
        assertThat(driver.states()).extracting(kv -> kv.value)
                .extracting(FileState::getFileId, FileState::getDeviceName)
                .containsExactly(tuple("conflict-b-phone-0", "Laptop"), tuple("f1", "Phone"));
        List<ChangeOutcome> outcomes = driver.outcomes();
        assertThat(outcomes).extracting(ChangeOutcome::getKind).containsExactly(OutcomeKind.APPLIED);
        assertThat(AvroRecords.vector(outcomes.getFirst().getCurrentVector()))
                .isEqualTo(vector("dev-laptop", 2, "dev-phone", 1));
    }

    @Test
    void aPhotoEditedOnTwoDevicesIsKeptBoth() {
        // given a photo edited on the laptop
        submit(aBatch().from(LAPTOP).upsert("f1", "IMG_0001.HEIC", vector("dev-laptop", 1), chunk("v1")));
        submit(aBatch().from(LAPTOP).upsert("f1", "IMG_0001.HEIC", vector("dev-laptop", 2), chunk("laptop")));

        // when the phone's concurrent edit arrives
        submit(aBatch().from(PHONE).upsert("f1", "IMG_0001.HEIC", vector("dev-laptop", 1, "dev-phone", 1),
                chunk("phone")));

        // then both are kept, the phone's under its name
        assertThat(contentAt("IMG_0001.HEIC")).containsExactly(chunk("laptop"));
        assertThat(contentAt("IMG_0001 (Phone's conflicted copy 2026-03-14).HEIC")).containsExactly(chunk("phone"));
    }

    @Test
    void aSecondConflictOnTheSameDayGetsACounter() {
        // given a text file with one conflicted copy already
        submit(aBatch().from(LAPTOP).upsert("f1", "a.txt", vector("dev-laptop", 1), chunk("v1")));
        submit(aBatch().from(PHONE).upsert("f1", "a.txt", vector("dev-phone", 1), chunk("p1")));

        // when the phone conflicts again the same day
        submit(aBatch().from(PHONE).upsert("f1", "a.txt", vector("dev-phone", 2), chunk("p2")));

        // then the second copy's name has a counter
        assertThat(contentAt("a (Phone's conflicted copy 2026-03-14 2).txt")).containsExactly(chunk("p2"));
        assertThat(live).hasSize(3);
    }

    @Test
    void pathsDifferingOnlyByCaseOrNormalisationNeverHoldTwoFiles() {
        // when files named Café.txt (NFC), CAFÉ.TXT and cafe + combining accent (NFD) are created
        submit(aBatch().from(LAPTOP).upsert("f1", "Caf\u00e9.txt", vector("dev-laptop", 1), chunk("1")));
        submit(aBatch().from(PHONE).upsert("f2", "CAF\u00c9.TXT", vector("dev-phone", 1), chunk("2"))
                .upsert("f3", "cafe\u0301.txt", vector("dev-phone", 1), chunk("3")));

        // then one holds the name and the others are copies, each keeping its own spelling
        assertThat(live.keySet()).containsExactlyInAnyOrder("Caf\u00e9.txt",
                "CAF\u00c9 (Phone's conflicted copy 2026-03-14).TXT",
                "cafe\u0301 (Phone's conflicted copy 2026-03-14 2).txt");
        assertThat(live.values()).extracting(FileState::getDeleted).containsOnly(false);
        assertThat(live.values()).extracting(s -> s.getChunks().getFirst()).doesNotHaveDuplicates();
    }
}
