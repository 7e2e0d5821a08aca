package io.cumulus.reconciler.decision;

import static io.cumulus.reconciler.decision.TestFiles.aDelete;
import static io.cumulus.reconciler.decision.TestFiles.aFile;
import static io.cumulus.reconciler.decision.TestFiles.aNamespace;
import static io.cumulus.reconciler.decision.TestFiles.anUpsert;
import static io.cumulus.reconciler.decision.TestFiles.chunk;
import static io.cumulus.reconciler.decision.TestFiles.vector;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.cumulus.reconciler.decision.Decision.Applied;
import io.cumulus.reconciler.decision.Decision.Conflict;
import io.cumulus.reconciler.decision.Decision.Duplicate;
import io.cumulus.reconciler.decision.Decision.Stale;
import io.cumulus.reconciler.decision.TestFiles.Namespace;

class ReconcilerTest {
    private static final BatchContext PHONE_BATCH = new BatchContext("b-7", "Phone",
            Instant.parse("2026-03-14T23:30:00Z"));

    private final Reconciler reconciler = new Reconciler();

    private Decision decide(TestFiles.Change change, Namespace namespace) {
        return reconciler.decide(PHONE_BATCH, change.build(), namespace);
    }

    @Test
    void aNewFileIsAppliedAsSent() {
        // given an empty namespace
        Namespace namespace = aNamespace();

        // when a device creates a file
        Decision decision = decide(anUpsert("f1").at("docs/a.txt").withVector(vector("P", 1))
                .withChunks(chunk("x")), namespace);

        // then it is written as sent, replacing nothing
        assertThat(decision).isInstanceOf(Applied.class);
        FileWrite write = ((Applied) decision).write();
        assertThat(write.next()).isEqualTo(new FileVersion("f1", "docs/a.txt", false, vector("P", 1),
                List.of(chunk("x")), 1));
        assertThat(write.previous()).isEmpty();
        assertThat(write.conflictOf()).isEmpty();
        assertThat(decision.currentVector()).isEqualTo(vector("P", 1));
    }

    @Test
    void anEditThatDominatesTheStoredVersionIsAppliedOverIt() {
        // given a stored file
        Namespace namespace = aNamespace().with(aFile("f1").at("a.txt").withVector(vector("L", 1)));

        // when an edit that has seen it arrives
        Decision decision = decide(anUpsert("f1").at("a.txt").withVector(vector("L", 1, "P", 1)), namespace);

        // then it replaces the stored version
        assertThat(decision).isInstanceOf(Applied.class);
        assertThat(((Applied) decision).write().previous()).contains(namespace.file("f1").orElseThrow());
        assertThat(decision.currentVector()).isEqualTo(vector("L", 1, "P", 1));
    }

    @Test
    void theSameVersionAgainIsADuplicate() {
        // given a stored file
        Namespace namespace = aNamespace().with(aFile("f1").withVector(vector("L", 2)));

        // when the same version arrives again
        Decision decision = decide(anUpsert("f1").withVector(vector("L", 2)), namespace);

        // then nothing is to be done
        assertThat(decision).isEqualTo(new Duplicate(vector("L", 2)));
    }

    @Test
    void anOlderVersionIsStale() {
        // given a stored file two edits ahead
        Namespace namespace = aNamespace().with(aFile("f1").withVector(vector("L", 3)));

        // when a device sends a version that the stored one has already seen
        Decision decision = decide(anUpsert("f1").withVector(vector("L", 1)), namespace);

        // then it is stale and the device learns the server's vector
        assertThat(decision).isEqualTo(new Stale(vector("L", 3)));
    }

    @Test
    void aConcurrentEditIsKeptAsANewConflictedCopyBesideTheStoredVersion() {
        // given a version edited on the laptop
        Namespace namespace = aNamespace().with(aFile("f1").at("notes/plan.md").withVector(vector("L", 2)));

        // when the phone sends an edit that never saw it
        Decision decision = decide(anUpsert("f1").at("notes/plan.md").withVector(vector("L", 1, "P", 1))
                .withChunks(chunk("phone")).atIndex(3), namespace);

        // then the stored version stays and the phone's content becomes a copy named after the phone and the event's date
        assertThat(decision).isInstanceOf(Conflict.class);
        Conflict conflict = (Conflict) decision;
        assertThat(conflict.currentVector()).isEqualTo(vector("L", 2));
        FileWrite kept = conflict.kept().orElseThrow();
        assertThat(kept.next().fileId()).isEqualTo("conflict-b-7-3");
        assertThat(kept.next().path()).isEqualTo("notes/plan (Phone's conflicted copy 2026-03-14).md");
        assertThat(kept.next().chunks()).containsExactly(chunk("phone"));
        assertThat(kept.previous()).isEmpty();
        assertThat(kept.conflictOf()).contains("f1");
    }

    @Test
    void theCopyOfAConcurrentTextEditWaitsForTheMerge() {
        // given a text file edited on the laptop
        Namespace namespace = aNamespace()
                .with(aFile("f1").at("notes/plan.md").withVector(vector("L", 1)).withChunks(chunk("v1")))
                .with(aFile("f1").at("notes/plan.md").withVector(vector("L", 2)).withChunks(chunk("laptop")));

        // when the phone's concurrent edit arrives
        Decision decision = decide(anUpsert("f1").at("notes/plan.md").withVector(vector("L", 1, "P", 1))
                .withChunks(chunk("phone")), namespace);

        // then its copy is marked as waiting for the merge worker
        FileWrite kept = ((Conflict) decision).kept().orElseThrow();
        assertThat(kept.conflictOf()).contains("f1");
        assertThat(kept.mergePending()).isTrue();
    }

    @Test
    void withoutAMergeWorkerTheCopyOfATextEditIsAnOrdinaryCopy() {
        // given a text file edited on the laptop, and no merge worker running
        Reconciler withoutMerge = new Reconciler(io.cumulus.sync.conflict.ConflictPolicy.defaults(), false);
        Namespace namespace = aNamespace()
                .with(aFile("f1").at("notes/plan.md").withVector(vector("L", 1)).withChunks(chunk("v1")))
                .with(aFile("f1").at("notes/plan.md").withVector(vector("L", 2)).withChunks(chunk("laptop")));

        // when the phone's concurrent edit arrives
        Decision decision = withoutMerge.decide(PHONE_BATCH, anUpsert("f1").at("notes/plan.md")
                .withVector(vector("L", 1, "P", 1)).withChunks(chunk("phone")).build(), namespace);

        // then its copy is shown at once
        FileWrite kept = ((Conflict) decision).kept().orElseThrow();
        assertThat(kept.conflictOf()).contains("f1");
        assertThat(kept.mergePending()).isFalse();
    }

    @Test
    void aConflictedCopyWhoseNameIsTakenGetsTheNextFreeVariant() {
        // given a file, and two earlier copies holding the first two copy names (one spelled in another case)
        Namespace namespace = aNamespace()
                .with(aFile("f1").at("a.txt").withVector(vector("L", 2)))
                .with(aFile("c1").at("a (Phone's conflicted copy 2026-03-14).txt"))
                .with(aFile("c2").at("A (PHONE's conflicted copy 2026-03-14 2).TXT"));

        // when a concurrent edit arrives
        Decision decision = decide(anUpsert("f1").at("a.txt").withVector(vector("P", 1)).withChunks(chunk("phone")),
                namespace);

        // then its copy takes the third name
        assertThat(((Conflict) decision).kept().orElseThrow().next().path())
                .isEqualTo("a (Phone's conflicted copy 2026-03-14 3).txt");
    }

    @Test
    void aDeleteOfAnUnknownFileIsStale() {
        // given an empty namespace
        // when a device deletes a file the server never saw
        Decision decision = decide(aDelete("ghost").withVector(vector("P", 1)), aNamespace());

        // then it is stale, with an empty server vector
        assertThat(decision).isEqualTo(new Stale(vector()));
    }

    @Test
    void aDeleteThatDominatesIsAppliedAtTheStoredPathAndReferencesNothing() {
        // given a stored file
        Namespace namespace = aNamespace().with(aFile("f1").at("Docs/a.txt").withVector(vector("L", 1))
                .withChunks(chunk("x")));

        // when a device that saw it deletes it
        Decision decision = decide(aDelete("f1").at("docs/a.txt").withVector(vector("L", 1, "P", 1)), namespace);

        // then the file is deleted where the server had it
        FileWrite write = ((Applied) decision).write();
        assertThat(write.next()).isEqualTo(new FileVersion("f1", "Docs/a.txt", true, vector("L", 1, "P", 1),
                List.of(), 0));
        assertThat(write.previous()).contains(namespace.file("f1").orElseThrow());
    }

    @Test
    void aDeleteConcurrentWithAnEditKeepsTheEdit() {
        // given an edit the phone never saw
        Namespace namespace = aNamespace().with(aFile("f1").withVector(vector("L", 2)));

        // when the phone deletes its older version
        Decision decision = decide(aDelete("f1").withVector(vector("L", 1, "P", 1)), namespace);

        // then nothing is written: the edit survives and the phone must pull it
        assertThat(decision).isEqualTo(new Conflict(vector("L", 2), Optional.empty()));
    }

    @Test
    void anUpsertThatDominatesADeleteRecreatesTheFile() {
        // given a deleted file
        Namespace namespace = aNamespace().with(aFile("f1").at("a.txt").withVector(vector("L", 2)).deleted());

        // when a device that saw the delete writes the file again
        Decision decision = decide(anUpsert("f1").at("a.txt").withVector(vector("L", 2, "P", 1)), namespace);

        // then the file lives again
        FileWrite write = ((Applied) decision).write();
        assertThat(write.next().deleted()).isFalse();
        assertThat(write.previous().orElseThrow().deleted()).isTrue();
    }

    @Test
    void anEditConcurrentWithADeleteBringsTheFileBackWithTheEdit() {
        // given a file the laptop deleted
        Namespace namespace = aNamespace()
                .with(aFile("f1").at("a.txt").withVector(vector("L", 1)).withChunks(chunk("old")))
                .with(aFile("f1").at("a.txt").withVector(vector("L", 2)).deleted());

        // when the phone sends an edit that never saw the delete
        Decision decision = decide(anUpsert("f1").at("a.txt").withVector(vector("L", 1, "P", 1))
                .withChunks(chunk("phone")), namespace);

        // then the edit survives at its own path, with a vector that has seen the delete too
        Applied applied = (Applied) decision;
        assertThat(applied.write().next()).isEqualTo(new FileVersion("f1", "a.txt", false, vector("L", 2, "P", 1),
                List.of(chunk("phone")), chunk("phone").size()));
        assertThat(applied.displaced()).isEmpty();
        assertThat(decision.currentVector()).isEqualTo(vector("L", 2, "P", 1));
    }

    @Test
    void aFileWrittenAgainUnchangedConcurrentlyWithADeleteStaysDeleted() {
        // given a conflicted copy the laptop deleted
        Namespace namespace = aNamespace()
                .with(aFile("c1").at("a (Phone's conflicted copy).txt").withVector(vector("P", 1)).withChunks(chunk("p")))
                .with(aFile("c1").at("a (Phone's conflicted copy).txt").withVector(vector("P", 1, "L", 1)).deleted());

        // when the merge worker, which never saw the delete, writes the copy again as it was
        Decision decision = decide(anUpsert("c1").at("a (Phone's conflicted copy).txt")
                .withVector(vector("P", 1, "M", 1)).withChunks(chunk("p")), namespace);

        // then nothing comes back: no edit would be lost, the deletion stands and the worker's side pulls it
        assertThat(decision).isEqualTo(new Stale(vector("P", 1, "L", 1)));
    }

    @Test
    void aDeleteConcurrentWithAFileWrittenAgainUnchangedApplies() {
        // given a conflicted copy the merge worker wrote again as it was
        Namespace namespace = aNamespace()
                .with(aFile("c1").at("a (Phone's conflicted copy).txt").withVector(vector("P", 1)).withChunks(chunk("p")))
                .with(aFile("c1").at("a (Phone's conflicted copy).txt").withVector(vector("P", 1, "M", 1)).withChunks(chunk("p")));

        // when the laptop, which had seen the copy but not the rewrite, deletes it
        Decision decision = decide(aDelete("c1").at("a (Phone's conflicted copy).txt").withVector(vector("P", 1, "L", 1)),
                namespace);

        // then the delete applies: the rewrite held nothing the laptop had not seen
        Applied applied = (Applied) decision;
        assertThat(applied.write().next().deleted()).isTrue();
        assertThat(decision.currentVector()).isEqualTo(vector("P", 1, "M", 1, "L", 1));
    }

    @Test
    void aDeleteConcurrentWithAnEditIsRefusedSoTheEditSurvives() {
        // given the laptop's edit
        Namespace namespace = aNamespace().with(aFile("f1").at("a.txt").withVector(vector("L", 2)).withChunks(chunk("e")));

        // when the phone deletes the version before it
        Decision decision = decide(aDelete("f1").at("a.txt").withVector(vector("L", 1, "P", 1)), namespace);

        // then nothing is written and the phone learns the edit's vector
        assertThat(decision).isEqualTo(new Conflict(vector("L", 2), Optional.empty()));
    }

    @Test
    void twoConcurrentDeletesBecomeOneDeletionBothHaveSeen() {
        // given a file deleted on the laptop
        Namespace namespace = aNamespace().with(aFile("f1").at("a.txt").withVector(vector("L", 2)).deleted());

        // when the phone deletes it too
        Decision decision = decide(aDelete("f1").at("a.txt").withVector(vector("L", 1, "P", 1)), namespace);

        // then the deletion stands, under a vector that dominates both
        FileWrite write = ((Applied) decision).write();
        assertThat(write.next().deleted()).isTrue();
        assertThat(decision.currentVector()).isEqualTo(vector("L", 2, "P", 1));
    }

    @Test
    void aRenameAndAConcurrentEditBothApply() {
        // given a file renamed on the laptop after both devices had its first version
        Namespace namespace = aNamespace()
                .with(aFile("f1").at("draft.txt").withVector(vector("L", 1)).withChunks(chunk("v1")))
                .with(aFile("f1").at("final.txt").withVector(vector("L", 2)).withChunks(chunk("v1")));

        // when the phone's edit of the first version arrives, at the old name
        Decision decision = decide(anUpsert("f1").at("draft.txt").withVector(vector("L", 1, "P", 1))
                .withChunks(chunk("edit")), namespace);

        // then the file has the new name and the new content
        FileVersion next = ((Applied) decision).write().next();
        assertThat(next.path()).isEqualTo("final.txt");
        assertThat(next.chunks()).containsExactly(chunk("edit"));
        assertThat(next.vector()).isEqualTo(vector("L", 2, "P", 1));
    }

    @Test
    void anEditAndAConcurrentRenameBothApply() {
        // given a file edited on the laptop
        Namespace namespace = aNamespace()
                .with(aFile("f1").at("draft.txt").withVector(vector("L", 1)).withChunks(chunk("v1")))
                .with(aFile("f1").at("draft.txt").withVector(vector("L", 2)).withChunks(chunk("edit")));

        // when the phone's rename of the first version arrives
        Decision decision = decide(anUpsert("f1").at("final.txt").withVector(vector("L", 1, "P", 1))
                .withChunks(chunk("v1")), namespace);

        // then the file has the new name and keeps the edit
        FileVersion next = ((Applied) decision).write().next();
        assertThat(next.path()).isEqualTo("final.txt");
        assertThat(next.chunks()).containsExactly(chunk("edit"));
    }

    @Test
    void ofTwoConcurrentRenamesTheLaterInLogOrderWinsAndNoCopyIsMade() {
        // given a file the laptop renamed to a.txt
        Namespace namespace = aNamespace()
                .with(aFile("f1").at("x.txt").withVector(vector("L", 1)).withChunks(chunk("v1")))
                .with(aFile("f1").at("a.txt").withVector(vector("L", 2)).withChunks(chunk("v1")));

        // when the phone's rename to b.txt arrives later
        Decision decision = decide(anUpsert("f1").at("b.txt").withVector(vector("L", 1, "P", 1))
                .withChunks(chunk("v1")), namespace);

        // then the one file is at b.txt
        Applied applied = (Applied) decision;
        assertThat(applied.write().next().path()).isEqualTo("b.txt");
        assertThat(applied.write().next().fileId()).isEqualTo("f1");
        assertThat(applied.displaced()).isEmpty();
    }

    @Test
    void twoConcurrentEditsToTheSameContentNeedNoCopy() {
        // given the laptop's edit
        Namespace namespace = aNamespace()
                .with(aFile("f1").at("a.txt").withVector(vector("L", 1)).withChunks(chunk("v1")))
                .with(aFile("f1").at("a.txt").withVector(vector("L", 2)).withChunks(chunk("same")));

        // when the phone made the very same edit
        Decision decision = decide(anUpsert("f1").at("a.txt").withVector(vector("L", 1, "P", 1))
                .withChunks(chunk("same")), namespace);

        // then one version stands for both
        assertThat(decision).isInstanceOf(Applied.class);
        assertThat(decision.currentVector()).isEqualTo(vector("L", 2, "P", 1));
    }

    @Test
    void anOfficeDocumentEditedOnTwoDevicesGoesToTheLaterWriterAndTheEarlierIsKeptAsACopy() {
        // given the laptop's edit of a spreadsheet
        Namespace namespace = aNamespace()
                .with(aFile("f1").at("budget.xlsx").withVector(vector("L", 1)).withChunks(chunk("v1")))
                .with(aFile("f1").at("budget.xlsx").withVector(vector("L", 2)).withChunks(chunk("laptop")))
                .writtenBy("f1", "Laptop");

        // when the phone's concurrent edit arrives later
        Decision decision = decide(anUpsert("f1").at("budget.xlsx").withVector(vector("L", 1, "P", 1))
                .withChunks(chunk("phone")).atIndex(2), namespace);

        // then the phone's version takes the file and the laptop's is kept under the laptop's name
        Applied applied = (Applied) decision;
        assertThat(applied.write().next().chunks()).containsExactly(chunk("phone"));
        assertThat(applied.write().next().vector()).isEqualTo(vector("L", 2, "P", 1));
        FileWrite copy = applied.displaced().orElseThrow();
        assertThat(copy.next().fileId()).isEqualTo("conflict-b-7-2");
        assertThat(copy.next().path()).isEqualTo("budget (Laptop's conflicted copy 2026-03-14).xlsx");
        assertThat(copy.next().chunks()).containsExactly(chunk("laptop"));
        assertThat(copy.conflictOf()).contains("f1");
        assertThat(copy.mergePending()).as("nothing merges an office document").isFalse();
    }

    @Test
    void aPhotoEditedOnTwoDevicesIsKeptBoth() {
        // given the laptop's edit of a photo
        Namespace namespace = aNamespace()
                .with(aFile("f1").at("IMG_1.jpg").withVector(vector("L", 1)).withChunks(chunk("v1")))
                .with(aFile("f1").at("IMG_1.jpg").withVector(vector("L", 2)).withChunks(chunk("laptop")));

        // when the phone's concurrent edit arrives
        Decision decision = decide(anUpsert("f1").at("IMG_1.jpg").withVector(vector("L", 1, "P", 1))
                .withChunks(chunk("phone")), namespace);

        // then the laptop's stays and the phone's is a copy named after the phone
        FileWrite kept = ((Conflict) decision).kept().orElseThrow();
        assertThat(kept.next().path()).isEqualTo("IMG_1 (Phone's conflicted copy 2026-03-14).jpg");
        assertThat(kept.next().chunks()).containsExactly(chunk("phone"));
        assertThat(kept.mergePending()).as("nothing merges a photo").isFalse();
    }

    @Test
    void aNewFileOnAPathAnotherFileHoldsIsKeptUnderAConflictedCopyName() {
        // given a live file at a.txt
        Namespace namespace = aNamespace().with(aFile("f1").at("a.txt").withVector(vector("L", 1)));

        // when another file is created at the same path
        Decision decision = decide(anUpsert("f2").at("a.txt").withVector(vector("P", 1)), namespace);

        // then the new file keeps its own id under the conflicted-copy name, and the first is untouched
        Conflict conflict = (Conflict) decision;
        FileWrite kept = conflict.kept().orElseThrow();
        assertThat(kept.next().fileId()).isEqualTo("f2");
        assertThat(kept.next().path()).isEqualTo("a (Phone's conflicted copy 2026-03-14).txt");
        assertThat(kept.conflictOf()).contains("f1");
        assertThat(conflict.currentVector()).isEqualTo(vector("P", 1));
    }

    @Test
    void namesEqualAfterNormalisationAndCaseFoldingCollide() {
        // given a file named with a precomposed é (NFC)
        Namespace namespace = aNamespace().with(aFile("f1").at("caf\u00e9.txt").withVector(vector("L", 1)));

        // when another file arrives named with e + combining accent (NFD), in capitals
        Decision decision = decide(anUpsert("f2").at("CAFE\u0301.txt").withVector(vector("P", 1)), namespace);

        // then it collides, and its copy name keeps the device's bytes
        assertThat(((Conflict) decision).kept().orElseThrow().next().path())
                .isEqualTo("CAFE\u0301 (Phone's conflicted copy 2026-03-14).txt");
    }

    @Test
    void aRenameOntoAPathAnotherFileHoldsIsKeptUnderAConflictedCopyName() {
        // given two files
        Namespace namespace = aNamespace()
                .with(aFile("f1").at("a.txt").withVector(vector("L", 1)))
                .with(aFile("f2").at("b.txt").withVector(vector("L", 1)));

        // when f2 is renamed onto a.txt
        Decision decision = decide(anUpsert("f2").at("a.txt").withVector(vector("L", 1, "P", 1)), namespace);

        // then f2 moves to the copy name instead, replacing its own stored version
        FileWrite kept = ((Conflict) decision).kept().orElseThrow();
        assertThat(kept.next().fileId()).isEqualTo("f2");
        assertThat(kept.next().path()).isEqualTo("a (Phone's conflicted copy 2026-03-14).txt");
        assertThat(kept.previous().orElseThrow().path()).isEqualTo("b.txt");
    }

    @Test
    void aFileMayBeRenamedToAnotherCaseOfItsOwnName() {
        // given a file
        Namespace namespace = aNamespace().with(aFile("f1").at("readme.md").withVector(vector("L", 1)));

        // when it is renamed to the same name in capitals
        Decision decision = decide(anUpsert("f1").at("README.md").withVector(vector("L", 2)), namespace);

        // then it is not a collision with itself
        assertThat(decision).isInstanceOf(Applied.class);
        assertThat(((Applied) decision).write().next().path()).isEqualTo("README.md");
    }
}
