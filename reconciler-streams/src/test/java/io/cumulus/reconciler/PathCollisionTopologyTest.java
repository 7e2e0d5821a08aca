package io.cumulus.reconciler;

import static io.cumulus.reconciler.BatchBuilder.LAPTOP;
import static io.cumulus.reconciler.BatchBuilder.PHONE;
import static io.cumulus.reconciler.BatchBuilder.aBatch;
import static io.cumulus.reconciler.BatchBuilder.chunk;
import static io.cumulus.reconciler.BatchBuilder.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cumulus.schemas.ChangeOutcome;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.OutcomeKind;
import io.cumulus.sync.path.SyncPath;

/** Two live files never share a path key (NFC + case folding); the later one is kept under a conflicted-copy name. */
class PathCollisionTopologyTest {
    private static final String NS = "ns-1";
    private static final String COPY_SUFFIX = " (Phone's conflicted copy 2026-03-14)";

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

    @Test
    void aSecondFileCreatedAtATakenPathIsKeptUnderAConflictedCopyName() {
        // given the laptop's file at report.pdf
        given(aBatch().from(LAPTOP).upsert("f1", "report.pdf", vector("dev-laptop", 1), chunk("laptop")));

        // when the phone creates a different file at the same path
        driver.submit(aBatch().in(NS).from(PHONE).upsert("f2", "report.pdf", vector("dev-phone", 1), chunk("phone"))
                .build());

        // then the phone's file keeps its id under the copy name, and the laptop's file is untouched
        ChangeOutcome outcome = driver.outcomes().getFirst();
        assertThat(outcome.getKind()).isEqualTo(OutcomeKind.CONFLICT);
        assertThat(outcome.getConflictFileId()).isEqualTo("f2");
        assertThat(outcome.getConflictPath()).isEqualTo("report" + COPY_SUFFIX + ".pdf");
        assertThat(outcome.getSeq()).isEqualTo(2L);
        FileEvent event = driver.events().getFirst();
        assertThat(event.getFileId()).isEqualTo("f2");
        assertThat(event.getPath()).isEqualTo("report" + COPY_SUFFIX + ".pdf");
        assertThat(event.getConflictOf()).isEqualTo("f1");
        assertThat(driver.states()).extracting(kv -> kv.key).containsExactly(NS + "/f2");
    }

    @Test
    void nfdAndNfcSpellingsOfTheSameNameCollideAndTheCopyKeepsTheDevicesBytes() {
        // given a file named with a precomposed ü (NFC), as Linux sends it
        given(aBatch().from(LAPTOP).upsert("f1", "M\u00fcller.txt", vector("dev-laptop", 1), chunk("nfc")));

        // when a Mac creates another file spelled u + combining diaeresis (NFD)
        driver.submit(aBatch().in(NS).from(PHONE).upsert("f2", "Mu\u0308ller.txt", vector("dev-phone", 1), chunk("nfd"))
                .build());

        // then the names collide, and the copy is stored byte-exact in the Mac's spelling
        ChangeOutcome outcome = driver.outcomes().getFirst();
        assertThat(outcome.getKind()).isEqualTo(OutcomeKind.CONFLICT);
        assertThat(outcome.getConflictPath()).isEqualTo("Mu\u0308ller" + COPY_SUFFIX + ".txt");
        assertThat(driver.events().getFirst().getPath()).isEqualTo("Mu\u0308ller" + COPY_SUFFIX + ".txt");
    }

    @Test
    void namesDifferingOnlyInCaseCollide() {
        // given a file at Photos/IMG.JPG
        given(aBatch().from(LAPTOP).upsert("f1", "Photos/IMG.JPG", vector("dev-laptop", 1), chunk("one")));

        // when another file is created at photos/img.jpg
        driver.submit(aBatch().in(NS).from(PHONE).upsert("f2", "photos/img.jpg", vector("dev-phone", 1), chunk("two"))
                .build());

        // then it is kept beside it, never over it
        ChangeOutcome outcome = driver.outcomes().getFirst();
        assertThat(outcome.getKind()).isEqualTo(OutcomeKind.CONFLICT);
        assertThat(outcome.getConflictPath()).isEqualTo("photos/img" + COPY_SUFFIX + ".jpg");
    }

    @Test
    void aRenameOntoATakenPathIsKeptUnderAConflictedCopyNameAndFreesItsOldPath() {
        // given two files
        given(aBatch().from(LAPTOP).upsert("f1", "a.txt", vector("dev-laptop", 1), chunk("a"))
                .upsert("f2", "b.txt", vector("dev-laptop", 1), chunk("b")));

        // when the phone renames b.txt onto A.TXT, then creates a new b.txt
        driver.submit(aBatch().in(NS).from(PHONE).upsert("f2", "A.TXT", vector("dev-laptop", 1, "dev-phone", 1), chunk("b"))
                .upsert("f3", "b.txt", vector("dev-phone", 2), chunk("new b")).build());

        // then f2 lands on the copy name, and its old path was free for f3
        assertThat(driver.outcomes()).extracting(ChangeOutcome::getKind, ChangeOutcome::getConflictPath)
                .containsExactly(tuple(OutcomeKind.CONFLICT, "A" + COPY_SUFFIX + ".TXT"),
                        tuple(OutcomeKind.APPLIED, null));
        assertThat(driver.events()).extracting(FileEvent::getFileId, FileEvent::getPath)
                .containsExactly(tuple("f2", "A" + COPY_SUFFIX + ".TXT"),
                        tuple("f3", "b.txt"));
    }

    @Test
    void aFileRenamedAwayLeavesItsPathFreeForAnother() {
        // given a file at a.txt renamed to z.txt
        given(aBatch().from(LAPTOP).upsert("f1", "a.txt", vector("dev-laptop", 1), chunk("a")));
        given(aBatch().from(LAPTOP).upsert("f1", "z.txt", vector("dev-laptop", 2), chunk("a")));

        // when another file is created at a.txt
        driver.submit(aBatch().in(NS).from(PHONE).upsert("f2", "a.txt", vector("dev-phone", 1), chunk("b")).build());

        // then it is applied where it asked to be
        assertThat(driver.outcomes().getFirst().getKind()).isEqualTo(OutcomeKind.APPLIED);
        assertThat(driver.events().getFirst().getPath()).isEqualTo("a.txt");
    }

    @Test
    void aFileCanChangeTheCaseOfItsOwnName() {
        // given a file at readme.md
        given(aBatch().from(LAPTOP).upsert("f1", "readme.md", vector("dev-laptop", 1), chunk("r")));

        // when it is renamed to README.md
        driver.submit(aBatch().in(NS).from(LAPTOP).upsert("f1", "README.md", vector("dev-laptop", 2), chunk("r")).build());

        // then the rename is applied: a file never collides with itself
        assertThat(driver.outcomes().getFirst().getKind()).isEqualTo(OutcomeKind.APPLIED);
        assertThat(driver.events().getFirst().getPath()).isEqualTo("README.md");
    }

    @Test
    void theCopyOfANameNearTheLimitStillFitsInASegment() {
        // given the laptop's file with a 246-byte name, which the phone also created offline, twice
        String name = "n".repeat(242) + ".txt";
        given(aBatch().from(LAPTOP).upsert("f1", "Notes/" + name, vector("dev-laptop", 1), chunk("laptop")));

        // when the phone's two files arrive
        driver.submit(aBatch().in(NS).from(PHONE).upsert("f2", "Notes/" + name, vector("dev-phone", 1), chunk("phone"))
                .upsert("f3", "Notes/" + name.toUpperCase(), vector("dev-phone", 2), chunk("phone again")).build());

        // then both are kept under different copy names of at most 255 bytes, with the extension kept
        List<ChangeOutcome> outcomes = driver.outcomes();
        assertThat(outcomes).extracting(ChangeOutcome::getKind).containsExactly(OutcomeKind.CONFLICT, OutcomeKind.CONFLICT);
        String first = outcomes.get(0).getConflictPath();
        String second = outcomes.get(1).getConflictPath();
        assertThat(first).startsWith("Notes/nnn").endsWith("n" + COPY_SUFFIX + ".txt");
        assertThat(second).startsWith("Notes/NNN").endsWith("N (Phone's conflicted copy 2026-03-14 2).TXT");
        for (String copy : new String[] {first, second}) {
            assertThat(SyncPath.parse(copy).name().getBytes(StandardCharsets.UTF_8)).hasSize(SyncPath.MAX_SEGMENT_BYTES);
        }
    }
}
