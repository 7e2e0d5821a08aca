package io.cumulus.client.sync.plan;

import static io.cumulus.client.sync.plan.PlanFixtures.HERE;
import static io.cumulus.client.sync.plan.PlanFixtures.THERE;
import static io.cumulus.client.sync.plan.PlanFixtures.content;
import static io.cumulus.client.sync.plan.PlanFixtures.delete;
import static io.cumulus.client.sync.plan.PlanFixtures.plan;
import static io.cumulus.client.sync.plan.PlanFixtures.upsert;
import static io.cumulus.client.sync.plan.PlanFixtures.v;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.cumulus.client.sync.plan.PlanFixtures.Folder;
import io.cumulus.client.sync.plan.PlanFixtures.Records;
import io.cumulus.sync.vector.VersionVector;

class PullPlannerTest {

    @Test
    void aFileUnderALocalSymbolicLinkIsSkippedNeverWrittenThroughIt() {
        // given a folder whose 'linkdir' is a symbolic link to somewhere else
        Folder folder = Folder.empty().link("linkdir");

        // when another device created linkdir/x.txt
        List<Action> plan = plan(folder, Records.none(), upsert(1, "f1", "linkdir/x.txt", v(THERE, 1), content("x")));

        // then it is skipped with the reason, not downloaded
        assertThat(plan).singleElement().isInstanceOfSatisfying(Action.Skip.class,
                s -> assertThat(s.reason()).contains("symbolic link 'linkdir'"));
    }

    @Test
    void aFileWhoseNameIsALocalFolderIsSkippedAndTheRestStillApplies() {
        // given a local folder 'report' with a file in it, not yet sent
        Folder folder = Folder.empty().file("report/draft.txt");

        // when the server has a file 'report' and another file
        List<Action> plan = plan(folder, Records.none(),
                upsert(1, "f1", "report", v(THERE, 1), content("r")),
                upsert(2, "f2", "other.txt", v(THERE, 1), content("o")));

        // then the clash is skipped and the other file is downloaded
        assertThat(plan).hasSize(2);
        assertThat(plan.get(0)).isInstanceOfSatisfying(Action.Skip.class, s -> assertThat(s.reason()).contains("folder 'report'"));
        assertThat(plan.get(1)).isInstanceOf(Action.Download.class);
    }

    @Test
    void aFileUnderAnotherFileIsSkippedUntilThatFileIsDeleted() {
        // given the server's file 'x' and then 'x/y'
        Folder folder = Folder.empty();
        List<Action> first = plan(folder, Records.none(),
                upsert(1, "fx", "x", v(THERE, 1), content("x")),
                upsert(2, "fy", "x/y", v(THERE, 1), content("y")));

        // then x is written and x/y skipped, never failing the round
        assertThat(first.get(0)).isInstanceOf(Action.Download.class);
        assertThat(first.get(1)).isInstanceOfSatisfying(Action.Skip.class, s -> assertThat(s.reason()).contains("file 'x'"));

        // and when x is deleted on the server, x/y (skipped) is retried and written once x is gone here
        Folder synced = Folder.empty().file("x");
        Records records = Records.none().synced(synced, "x", "fx", v(THERE, 1), content("x"));
        List<Action> same = plan(synced, records, upsert(2, "fy", "x/y", v(THERE, 1), content("y")), delete(3, "fx", "x", v(THERE, 2)));
        assertThat(same).extracting(a -> a.getClass().getSimpleName()).containsExactly("Skip", "DeleteLocal");
        List<Action> retried = plan(Folder.empty(), Records.none(), upsert(2, "fy", "x/y", v(THERE, 1), content("y")));
        assertThat(retried).singleElement().isInstanceOf(Action.Download.class);
    }

    @Test
    void anOverlongNameIsSkippedWithItsLength() {
        String name = "n".repeat(300);
        List<Action> plan = plan(Folder.empty(), Records.none(), upsert(1, "f1", "dir/" + name, v(THERE, 1), content("n")));
        assertThat(plan).singleElement().isInstanceOfSatisfying(Action.Skip.class, s -> assertThat(s.reason()).contains("300"));
    }

    @Test
    void theClientsOwnNamesAreNeverWritten() {
        List<Action> plan = plan(Folder.empty(), Records.none(),
                upsert(1, "a", ".cumulus/state.db", v(THERE, 1), content("a")),
                upsert(2, "b", "x/.cumulus/y", v(THERE, 1), content("b")),
                upsert(3, "c", "x/.CUMULUS/y", v(THERE, 1), content("c")),
                upsert(4, "d", "x/.cumulus-tmp-1234", v(THERE, 1), content("d")),
                upsert(5, "e", "../escape", v(THERE, 1), content("e")),
                upsert(6, "f", "/etc/passwd", v(THERE, 1), content("f")));
        assertThat(plan).hasSize(6).allSatisfy(a -> assertThat(a).isInstanceOf(Action.Skip.class));
    }

    @Test
    void aFileEditedHereIsKeptAndSentWhenAnotherDeviceChangedIt() {
        Folder folder = Folder.empty().file("notes.txt");
        Records records = Records.none().syncedThenEdited(folder, "notes.txt", "f1", v(THERE, 1), content("old"));
        List<Action> plan = plan(folder, records, upsert(2, "f1", "notes.txt", v(THERE, 2), content("theirs")));
        assertThat(plan).singleElement().isInstanceOf(Action.KeepBoth.class);
    }

    @Test
    void aFileNeverSyncedHereIsAdoptedOnlyIfItHasTheSameContent() {
        Folder folder = Folder.empty().file("a.txt");
        List<Action> plan = plan(folder, Records.none(), upsert(1, "f1", "a.txt", v(THERE, 1), content("a")));
        assertThat(plan).singleElement().isInstanceOf(Action.AdoptIfSame.class);
    }

    @Test
    void aDeviceThatIsBehindAppliesEachFilesLatestVersionOnly() {
        List<Action> plan = plan(Folder.empty(), Records.none(),
                upsert(1, "f1", "doc.txt", v(THERE, 1), content("v1")),
                upsert(2, "f1", "doc.txt", v(THERE, 2), content("v2")),
                upsert(3, "f1", "renamed.txt", v(THERE, 3), content("v3")));
        assertThat(plan).singleElement().isInstanceOfSatisfying(Action.Download.class, d -> {
            assertThat(d.entry().path()).isEqualTo("renamed.txt");
            assertThat(d.entry().manifest()).isEqualTo(content("v3"));
        });
    }

    @Test
    void aCopyStillBeingMergedIsNeverMaterialised() {
        RemoteEntry copy = new RemoteEntry(1, "copy", "a (Phone's conflicted copy 2026-12-05).txt", false, v(THERE, 1), content("c"),
                true);
        List<Action> plan = PullPlanner.plan(List.of(copy), Folder.empty().tree, Records.none().byPath, PlanFixtures.NAMES);
        assertThat(plan).singleElement().isInstanceOf(Action.Wait.class);
    }

    @Test
    void aRenameWithTheSameContentMovesTheFile() {
        Folder folder = Folder.empty().file("a.txt");
        Records records = Records.none().synced(folder, "a.txt", "f1", v(THERE, 1), content("a"));
        List<Action> plan = plan(folder, records, upsert(2, "f1", "b/a.txt", v(THERE, 2), content("a")));
        assertThat(plan).singleElement().isInstanceOf(Action.Move.class);
    }

    @Test
    void aSwapOfTwoNamesNeverLosesEitherFile() {
        // given a and b synced, then swapped on the server through a temporary name
        Folder folder = Folder.empty().file("a").file("b");
        Records records = Records.none().synced(folder, "a", "fa", v(THERE, 1), content("A"))
                .synced(folder, "b", "fb", v(THERE, 1), content("B"));
        List<Action> plan = plan(folder, records,
                upsert(2, "fa", "tmp", v(THERE, 2), content("A")),
                upsert(3, "fb", "a", v(THERE, 2), content("B")),
                upsert(4, "fa", "b", v(THERE, 3), content("A")));
        // then b's content lands at a (replacing a, which the server holds) and a's at b
        assertThat(plan).extracting(Action::path).containsExactly("a", "b");
        assertThat(plan).allSatisfy(a -> assertThat(a).isInstanceOf(Action.Download.class));
    }

    @Test
    void aVersionThisDeviceAlreadyHasChangesNothing() {
        Folder folder = Folder.empty().file("a");
        VersionVector mine = v(HERE, 2);
        Records records = Records.none().synced(folder, "a", "fa", mine, content("A"));
        assertThat(plan(folder, records, upsert(1, "fa", "a", v(HERE, 1), content("old"))))
                .singleElement().isInstanceOf(Action.Forget.class);
    }

    @Test
    void onACaseInsensitiveDiskANameDifferingOnlyByCaseIsTheSameEntry() {
        Folder folder = new Folder(true).folder("Report");
        List<Action> plan = plan(folder, Records.none(), upsert(1, "f1", "report", v(THERE, 1), content("r")));
        assertThat(plan).singleElement().isInstanceOf(Action.Skip.class);
    }

    @Test
    void anEvictedFileEditedOrRenamedElsewhereStaysEvictedWithItsPlaceholderMoved() {
        // given an evicted file standing in its place (as EvictionPlanner.withStandIns shows it) and its record
        Folder folder = Folder.empty().file("docs/a.pdf");
        Records records = Records.none().synced(folder, "docs/a.pdf", "f1", v(THERE, 1), content("a"));

        // when another device edited it and renamed it
        List<Action> plan = PullPlanner.plan(List.of(upsert(5, "f1", "archive/a.pdf", v(THERE, 2), content("a, edited"))),
                folder.tree, records.byPath, PlanFixtures.NAMES, java.util.Set.of("f1"));

        // then its placeholder stands for the new version at the new name; nothing is downloaded
        assertThat(plan).singleElement().isInstanceOfSatisfying(Action.StayEvicted.class, s -> {
            assertThat(s.entry().path()).isEqualTo("archive/a.pdf");
            assertThat(s.known().path()).isEqualTo("docs/a.pdf");
        });
    }

    @Test
    void anEvictedFileDeletedElsewhereLosesItsPlaceholder() {
        Folder folder = Folder.empty().file("a.pdf");
        Records records = Records.none().synced(folder, "a.pdf", "f1", v(THERE, 1), content("a"));

        List<Action> plan = PullPlanner.plan(List.of(delete(5, "f1", "a.pdf", v(THERE, 2))), folder.tree, records.byPath,
                PlanFixtures.NAMES, java.util.Set.of("f1"));

        assertThat(plan).singleElement().isInstanceOf(Action.RemovePlaceholder.class);
    }

    @Test
    void anEvictedFileRenamedOntoAPathTakenHereIsPlannedAsAnyFile() {
        // given an evicted file and an unchanged synced file at the name it is renamed to
        Folder folder = Folder.empty().file("a.pdf").file("b.pdf");
        Records records = Records.none().synced(folder, "a.pdf", "f1", v(THERE, 1), content("a"))
                .synced(folder, "b.pdf", "f2", v(THERE, 1), content("b"));

        // when another device renamed a.pdf to b.pdf (b's own entry, which freed the name there, not in this window)
        List<Action> plan = PullPlanner.plan(List.of(upsert(5, "f1", "b.pdf", v(THERE, 2), content("a"))), folder.tree,
                records.byPath, PlanFixtures.NAMES, java.util.Set.of("f1"));

        // then it is downloaded there, over the unchanged file, as any rename onto a taken name is
        assertThat(plan).singleElement().isInstanceOf(Action.Download.class);
    }

    @Test
    void aServerEntryWithAPlaceholdersNameIsSkipped() {
        List<Action> plan = plan(Folder.empty(), Records.none(), upsert(1, "f1", "docs/.a.pdf.cumulus-cloud", v(THERE, 1), content("x")));

        assertThat(plan).singleElement().isInstanceOfSatisfying(Action.Skip.class,
                s -> assertThat(s.reason()).contains("placeholder"));
    }
}
