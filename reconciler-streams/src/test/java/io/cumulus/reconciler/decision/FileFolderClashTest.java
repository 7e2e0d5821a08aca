package io.cumulus.reconciler.decision;

import static io.cumulus.reconciler.decision.TestFiles.aFile;
import static io.cumulus.reconciler.decision.TestFiles.aNamespace;
import static io.cumulus.reconciler.decision.TestFiles.anUpsert;
import static io.cumulus.reconciler.decision.TestFiles.chunk;
import static io.cumulus.reconciler.decision.TestFiles.vector;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.cumulus.reconciler.decision.Decision.Applied;
import io.cumulus.reconciler.decision.Decision.Conflict;
import io.cumulus.reconciler.decision.TestFiles.Namespace;

/** A file and a folder with one name (under NFC and case folding) never both land: the later becomes a conflicted copy. */
class FileFolderClashTest {
    private static final BatchContext PHONE_BATCH = new BatchContext("b-7", "Phone",
            Instant.parse("2026-03-14T23:30:00Z"));
    private static final String COPY = " (Phone's conflicted copy 2026-03-14)";

    private final Reconciler reconciler = new Reconciler();

    private Decision decide(TestFiles.Change change, Namespace namespace) {
        return reconciler.decide(PHONE_BATCH, change.build(), namespace);
    }

    private static FileWrite kept(Decision decision) {
        assertThat(decision).isInstanceOf(Conflict.class);
        return ((Conflict) decision).kept().orElseThrow();
    }

    @Test
    void aFileUnderAFolderThatIsAFileGoesToTheFoldersConflictedCopyName() {
        // given a live file at report
        Namespace namespace = aNamespace().with(aFile("f1").at("report").withVector(vector("L", 1)));

        // when another device creates report/a.txt
        Decision decision = decide(anUpsert("f2").at("report/a.txt").withVector(vector("P", 1))
                .withChunks(chunk("a")), namespace);

        // then the folder segment is renamed: the new file keeps its id and content in the copy folder
        FileWrite kept = kept(decision);
        assertThat(kept.next().fileId()).isEqualTo("f2");
        assertThat(kept.next().path()).isEqualTo("report" + COPY + "/a.txt");
        assertThat(kept.next().chunks()).containsExactly(chunk("a"));
        assertThat(kept.previous()).isEmpty();
        assertThat(kept.conflictOf()).contains("f1");
        assertThat(decision.currentVector()).isEqualTo(vector("P", 1));
    }

    @Test
    void aFileAtANameUsedAsAFolderBecomesAConflictedCopy() {
        // given live files under report/
        Namespace namespace = aNamespace()
                .with(aFile("f1").at("report/b.txt").withVector(vector("L", 1)))
                .with(aFile("f2").at("report/a.txt").withVector(vector("L", 1)));

        // when another device creates a file at report
        Decision decision = decide(anUpsert("f3").at("report").withVector(vector("P", 1)).withChunks(chunk("r")),
                namespace);

        // then the file takes report's conflicted-copy name, in conflict with the first file under the folder
        FileWrite kept = kept(decision);
        assertThat(kept.next().fileId()).isEqualTo("f3");
        assertThat(kept.next().path()).isEqualTo("report" + COPY);
        assertThat(kept.conflictOf()).contains("f2");
    }

    @Test
    void aFileUnderAnotherFileGetsItsFolderNamedLikeAConflictedCopyOfThatFile() {
        // given a live file x.txt, made through the API
        Namespace namespace = aNamespace().with(aFile("f1").at("x.txt").withVector(vector("L", 1)));

        // when x.txt/y arrives
        Decision decision = decide(anUpsert("f2").at("x.txt/y").withVector(vector("P", 1)), namespace);

        // then the folder is named the way ConflictNames names a copy of x.txt
        assertThat(kept(decision).next().path()).isEqualTo("x" + COPY + ".txt/y");
    }

    @Test
    void onlyTheSegmentThatIsAFileIsRenamedDeepInATree() {
        // given a live file at a/b
        Namespace namespace = aNamespace().with(aFile("f1").at("a/b").withVector(vector("L", 1)));

        // when a/b/c/d arrives
        Decision decision = decide(anUpsert("f2").at("a/b/c/d").withVector(vector("P", 1)), namespace);

        // then b is renamed, the folders above and below it are not
        FileWrite kept = kept(decision);
        assertThat(kept.next().path()).isEqualTo("a/b" + COPY + "/c/d");
        assertThat(kept.conflictOf()).contains("f1");
    }

    @Test
    void aFolderNameEqualToAFileNameButForCaseClashesAndKeepsTheDevicesSpelling() {
        // given a live file Report
        Namespace namespace = aNamespace().with(aFile("f1").at("Report").withVector(vector("L", 1)));

        // when report/a.txt arrives
        Decision decision = decide(anUpsert("f2").at("report/a.txt").withVector(vector("P", 1)), namespace);

        // then it clashes and the renamed folder keeps the device's bytes
        assertThat(kept(decision).next().path()).isEqualTo("report" + COPY + "/a.txt");
    }

    @Test
    void aFileNameEqualToAFolderNameButForCaseAndNormalisationClashes() {
        // given a live file under Caf\u00e9/ (NFC)
        Namespace namespace = aNamespace().with(aFile("f1").at("Caf\u00e9/menu.txt").withVector(vector("L", 1)));

        // when a file CAFE\u0301 (NFD, capitals) arrives
        Decision decision = decide(anUpsert("f2").at("CAFE\u0301").withVector(vector("P", 1)), namespace);

        // then it is kept under its conflicted-copy name
        assertThat(kept(decision).next().path()).isEqualTo("CAFE\u0301" + COPY);
    }

    @Test
    void aFileAtAFolderHeldOnlyByAFolderMarkerBecomesAConflictedCopy() {
        // given an empty folder photos, held by its marker
        Namespace namespace = aNamespace().with(aFile("m1").at("photos/.cumulusdir").withVector(vector("L", 1)));

        // when a file photos arrives
        Decision decision = decide(anUpsert("f2").at("photos").withVector(vector("P", 1)), namespace);

        // then the file moves, the empty folder stays
        FileWrite kept = kept(decision);
        assertThat(kept.next().path()).isEqualTo("photos" + COPY);
        assertThat(kept.conflictOf()).contains("m1");
    }

    @Test
    void aFolderMarkerWhoseFolderIsAFileMarksTheRenamedFolder() {
        // given a live file photos
        Namespace namespace = aNamespace().with(aFile("f1").at("photos").withVector(vector("L", 1)));

        // when a device marks an empty folder photos
        Decision decision = decide(anUpsert("m1").at("photos/.cumulusdir").withVector(vector("P", 1)), namespace);

        // then the empty folder appears under the renamed name
        assertThat(kept(decision).next().path()).isEqualTo("photos" + COPY + "/.cumulusdir");
    }

    @Test
    void aRenameUnderAFileIsKeptInTheRenamedFolderAndReplacesItsOwnVersion() {
        // given a file docs and a file b.txt
        Namespace namespace = aNamespace()
                .with(aFile("f1").at("docs").withVector(vector("L", 1)))
                .with(aFile("f2").at("b.txt").withVector(vector("L", 1)));

        // when b.txt is renamed to docs/b.txt
        Decision decision = decide(anUpsert("f2").at("docs/b.txt").withVector(vector("L", 1, "P", 1)), namespace);

        // then it moves to the renamed folder instead, replacing its stored version
        FileWrite kept = kept(decision);
        assertThat(kept.next().path()).isEqualTo("docs" + COPY + "/b.txt");
        assertThat(kept.previous().orElseThrow().path()).isEqualTo("b.txt");
    }

    @Test
    void aRenameOntoTheNameOfAFolderBecomesAConflictedCopy() {
        // given a folder docs and a file notes
        Namespace namespace = aNamespace()
                .with(aFile("f1").at("docs/a.txt").withVector(vector("L", 1)))
                .with(aFile("f2").at("notes").withVector(vector("L", 1)));

        // when notes is renamed to DOCS
        Decision decision = decide(anUpsert("f2").at("DOCS").withVector(vector("L", 1, "P", 1)), namespace);

        // then it is kept under DOCS's conflicted-copy name
        assertThat(kept(decision).next().path()).isEqualTo("DOCS" + COPY);
    }

    @Test
    void aFileAndAFileUnderItInOneBatchClashAndTheSecondMoves() {
        // given an empty namespace, and a batch creating report then report/a.txt
        Namespace namespace = aNamespace();
        Decision first = decide(anUpsert("f1").at("report").withVector(vector("P", 1)).atIndex(0), namespace);
        namespace.with(((Applied) first).write().next());

        // when the second change is decided after the first was recorded
        Decision second = decide(anUpsert("f2").at("report/a.txt").withVector(vector("P", 2)).atIndex(1), namespace);

        // then the first landed and the second moved
        assertThat(((Applied) first).write().next().path()).isEqualTo("report");
        assertThat(kept(second).next().path()).isEqualTo("report" + COPY + "/a.txt");
    }

    @Test
    void laterFilesUnderTheSameClashingFolderJoinTheSameRenamedFolder() {
        // given a file x, and x/a already moved to the renamed folder
        Namespace namespace = aNamespace().with(aFile("f1").at("x").withVector(vector("L", 1)));
        namespace.with(kept(decide(anUpsert("f2").at("x/a").withVector(vector("P", 1)), namespace)).next());

        // when x/b arrives from the same device the same day
        Decision decision = decide(anUpsert("f3").at("x/b").withVector(vector("P", 2)), namespace);

        // then it lands beside x/a, in the same renamed folder
        assertThat(kept(decision).next().path()).isEqualTo("x" + COPY + "/b");
    }

    @Test
    void aRenamedFolderWhoseNameIsAFileTakesTheNextFreeVariant() {
        // given a file x and a file holding x's first conflicted-copy name
        Namespace namespace = aNamespace()
                .with(aFile("f1").at("x").withVector(vector("L", 1)))
                .with(aFile("f2").at("X" + COPY).withVector(vector("L", 1)));

        // when x/a arrives
        Decision decision = decide(anUpsert("f3").at("x/a").withVector(vector("P", 1)), namespace);

        // then the folder takes the second variant
        assertThat(kept(decision).next().path()).isEqualTo("x (Phone's conflicted copy 2026-03-14 2)/a");
    }

    @Test
    void aFileWhoseNameIsTakenInsideTheRenamedFolderIsACopyThere() {
        // given a file x, and x/a already moved into the renamed folder
        Namespace namespace = aNamespace()
                .with(aFile("f1").at("x").withVector(vector("L", 1)))
                .with(aFile("f2").at("x" + COPY + "/a.txt").withVector(vector("P", 1)));

        // when another file x/a.txt arrives
        Decision decision = decide(anUpsert("f3").at("x/a.txt").withVector(vector("Q", 1)), namespace);

        // then both the folder and the name are renamed, and the result is free
        assertThat(kept(decision).next().path()).isEqualTo("x" + COPY + "/a" + COPY + ".txt");
    }

    @Test
    void aConflictedCopyNameUsedAsAFolderIsSkipped() {
        // given a file a.txt, and a folder holding a.txt's first conflicted-copy name
        Namespace namespace = aNamespace()
                .with(aFile("f1").at("a.txt").withVector(vector("L", 1)))
                .with(aFile("f2").at("a" + COPY + ".txt/z").withVector(vector("L", 1)));

        // when another file a.txt arrives
        Decision decision = decide(anUpsert("f3").at("a.txt").withVector(vector("P", 1)), namespace);

        // then its copy takes the second variant, which is neither a file nor a folder
        assertThat(kept(decision).next().path()).isEqualTo("a (Phone's conflicted copy 2026-03-14 2).txt");
        assertThat(kept(decision).conflictOf()).contains("f1");
    }

    @Test
    void deletedFilesDoNotHoldANameAsFileOrFolder() {
        // given a deleted file x and a deleted file under y/
        Namespace namespace = aNamespace()
                .with(aFile("f1").at("x").withVector(vector("L", 1)).deleted())
                .with(aFile("f2").at("y/z").withVector(vector("L", 1)).deleted());

        // when x/a and y arrive
        Decision underX = decide(anUpsert("f3").at("x/a").withVector(vector("P", 1)), namespace);
        Decision atY = decide(anUpsert("f4").at("y").withVector(vector("P", 1)), namespace);

        // then both land where they asked
        assertThat(((Applied) underX).write().next().path()).isEqualTo("x/a");
        assertThat(((Applied) atY).write().next().path()).isEqualTo("y");
    }

    @Test
    void aFileMayMoveUnderItsOwnOldNameAndBack() {
        // given a file x, the only file there
        Namespace namespace = aNamespace().with(aFile("f1").at("x").withVector(vector("L", 1)));

        // when it is moved to x/y, and then back to x
        Decision down = decide(anUpsert("f1").at("x/y").withVector(vector("L", 2)), namespace);
        namespace.with(((Applied) down).write().next());
        Decision up = decide(anUpsert("f1").at("x").withVector(vector("L", 3)), namespace);

        // then both moves apply: a file never clashes with itself
        assertThat(((Applied) down).write().next().path()).isEqualTo("x/y");
        assertThat(((Applied) up).write().next().path()).isEqualTo("x");
    }

    @Test
    void anEditThatBringsADeletedFileBackOntoAFolderBecomesAConflictedCopy() {
        // given a file x the laptop deleted, and then a folder x made by another file
        Namespace namespace = aNamespace()
                .with(aFile("f1").at("x").withVector(vector("L", 1)).withChunks(chunk("old")))
                .with(aFile("f1").at("x").withVector(vector("L", 2)).deleted())
                .with(aFile("f2").at("x/y").withVector(vector("L", 3)));

        // when the phone's edit of x, made before it saw the delete, arrives
        Decision decision = decide(anUpsert("f1").at("x").withVector(vector("L", 1, "P", 1))
                .withChunks(chunk("edit")), namespace);

        // then the edit survives beside the folder, under x's conflicted-copy name
        FileWrite kept = kept(decision);
        assertThat(kept.next().fileId()).isEqualTo("f1");
        assertThat(kept.next().path()).isEqualTo("x" + COPY);
        assertThat(kept.next().chunks()).containsExactly(chunk("edit"));
        assertThat(kept.conflictOf()).contains("f2");
    }

    @Test
    void aConcurrentCopyWhoseFolderBecameAFileIsKeptInTheRenamedFolder() {
        // given a photo under album/ edited on the laptop, and a file trip
        Namespace namespace = aNamespace()
                .with(aFile("f1").at("album/IMG_1.jpg").withVector(vector("L", 1)).withChunks(chunk("v1")))
                .with(aFile("f1").at("album/IMG_1.jpg").withVector(vector("L", 2)).withChunks(chunk("laptop")))
                .with(aFile("f2").at("trip").withVector(vector("L", 1)));

        // when the phone's concurrent edit, which also moved the photo under trip/, arrives
        Decision decision = decide(anUpsert("f1").at("trip/IMG_1.jpg").withVector(vector("L", 1, "P", 1))
                .withChunks(chunk("phone")), namespace);

        // then the phone's content is kept as a copy in trip's renamed folder
        FileWrite kept = kept(decision);
        assertThat(kept.next().path()).isEqualTo("trip" + COPY + "/IMG_1" + COPY + ".jpg");
        assertThat(kept.next().chunks()).containsExactly(chunk("phone"));
    }
}
