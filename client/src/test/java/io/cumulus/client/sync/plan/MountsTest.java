package io.cumulus.client.sync.plan;

import static io.cumulus.client.sync.plan.PlanFixtures.HERE;
import static io.cumulus.client.sync.plan.PlanFixtures.THERE;
import static io.cumulus.client.sync.plan.PlanFixtures.content;
import static io.cumulus.client.sync.plan.PlanFixtures.v;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cumulus.client.scan.FolderScanner;
import io.cumulus.client.scan.FolderScanner.LocalFile;
import io.cumulus.client.state.LocalState.SyncedFile;
import io.cumulus.sync.manifest.Manifest;

class MountsTest {

    private static SyncedFile record(String path, String fileId, Manifest manifest, String inode) {
        return new SyncedFile(path, fileId, v(HERE, 1), manifest, manifest.size(), 1_000, inode, 1);
    }

    private static RemoteEntry entry(long seq, String fileId, String path, boolean deleted, Manifest manifest) {
        return new RemoteEntry(seq, fileId, path, deleted, v(THERE, seq), manifest, false);
    }

    private static Map<String, SyncedFile> byPath(SyncedFile... files) {
        Map<String, SyncedFile> m = new TreeMap<>();
        for (SyncedFile f : files) {
            m.put(f.path(), f);
        }
        return m;
    }

    private static Mounts familyMount(Map<String, SyncedFile> mountSynced, Map<String, LocalFile> onDisk) {
        return new Mounts(List.of(new Mounts.Mount("Family", true, mountSynced, onDisk)));
    }

    @Test
    void entriesUnderAMountAreNeverPlannedForTheHomeFolderNorAreItsRecordsThere() {
        // given a home record under the mount and one outside
        SyncedFile inside = record("Family/a.txt", "h1", content("a"), "i1");
        SyncedFile outside = record("notes.txt", "h2", content("n"), "i2");
        Mounts mounts = familyMount(Map.of(), Map.of());

        // when the server sends an edit of each and a new file under the mount
        Mounts.PullSplit split = mounts.forPull(List.of(entry(5, "h1", "Family/a.txt", false, content("a2")),
                entry(6, "h2", "notes.txt", false, content("n2")), entry(7, "h3", "Family/new.txt", false, content("x"))),
                byPath(inside, outside));

        // then only the file outside is planned, and the planner sees no record under the mount
        assertThat(split.toPlan()).extracting(RemoteEntry::fileId).containsExactly("h2");
        assertThat(split.synced()).containsOnlyKeys("notes.txt");
        assertThat(split.dropped()).isEmpty();
    }

    @Test
    void theServersDeletionOfAHomeFileUnderAMountForgetsItsRecordAndLeavesTheDiskToTheMount() {
        SyncedFile inside = record("Family/a.txt", "h1", content("a"), "i1");
        Mounts.PullSplit split = familyMount(Map.of(), Map.of())
                .forPull(List.of(entry(5, "h1", "Family/a.txt", true, Manifest.empty())), byPath(inside));

        assertThat(split.toPlan()).isEmpty();
        assertThat(split.dropped()).containsExactly("h1");
    }

    @Test
    void aHomeFileMovedOutOfTheMountPathOnAnotherDeviceIsDownloadedAsNewAndTheMountsFileStays() {
        SyncedFile inside = record("Family/a.txt", "h1", content("a"), "i1");
        Mounts.PullSplit split = familyMount(Map.of(), Map.of())
                .forPull(List.of(entry(5, "h1", "elsewhere/a.txt", false, content("a"))), byPath(inside));

        assertThat(split.toPlan()).extracting(RemoteEntry::path).containsExactly("elsewhere/a.txt");
        assertThat(split.synced()).isEmpty(); // so the planner downloads it rather than moving the mount's file
        assertThat(split.dropped()).containsExactly("h1");
        // and the plan writes nothing under the mount
        List<Action> plan = PullPlanner.plan(split.toPlan(), PlanFixtures.Folder.empty().file("Family/a.txt").tree,
                split.synced(), PlanFixtures.NAMES);
        assertThat(plan).singleElement().isInstanceOf(Action.Download.class)
                .satisfies(a -> assertThat(((Action.Download) a).previous()).isNull());
    }

    @Test
    void aHomeFileUnderAMountIsDeletedFromHomeOnlyOnceTheMountHasItSyncedWithTheSameContent() {
        SyncedFile home = record("Family/a.txt", "h1", content("a"), "i1");

        // not yet in the mount (its upload failed, or has not happened): home keeps it
        assertThat(familyMount(Map.of(), Map.of("a.txt", new LocalFile("a.txt", 1, 1_000, "i1"))).handedOver(byPath(home)))
                .isEmpty();

        // in the mount with other content, and the disk holds yet another version: home keeps it
        SyncedFile otherInMount = new SyncedFile("a.txt", "s1", v(HERE, 1), content("zz"), 2, 2_000, "i1", 3);
        assertThat(familyMount(Map.of("a.txt", otherInMount), Map.of("a.txt", new LocalFile("a.txt", 9, 9_000, "i1")))
                .handedOver(byPath(home))).isEmpty();

        // in the mount with the same content: handed over
        SyncedFile sameInMount = new SyncedFile("a.txt", "s1", v(HERE, 1), content("a"), 1, 1_000, "i1", 3);
        assertThat(familyMount(Map.of("a.txt", sameInMount), Map.of()).handedOver(byPath(home))).containsExactly(home);

        // in the mount with the content on disk now (edited after home last synced it): handed over
        assertThat(familyMount(Map.of("a.txt", otherInMount), Map.of("a.txt", new LocalFile("a.txt", 2, 2_000, "i1")))
                .handedOver(byPath(home))).containsExactly(home);
    }

    @Test
    void theMarkerOfTheSharedFolderItselfGoesFromHomeButNothingOutsideAMount() {
        SyncedFile marker = record("Family/" + FolderScanner.FOLDER_MARKER, "m1", Manifest.empty(), null);
        SyncedFile outside = record("notes.txt", "h2", content("n"), "i2");

        assertThat(familyMount(Map.of("notes.txt", record("notes.txt", "s9", content("n"), "i2")), Map.of())
                .handedOver(byPath(marker, outside))).containsExactly(marker);
    }

    @Test
    void aDetachedMountStaysOutOfHomeButHoldsNothingAndTakesNothingOver() {
        Mounts mounts = new Mounts(List.of(Mounts.Mount.detached("Family")));
        SyncedFile home = record("Family/a.txt", "h1", content("a"), "i1");

        assertThat(mounts.paths()).containsExactly("Family");
        assertThat(mounts.forPull(List.of(entry(5, "h9", "Family/b.txt", false, content("b"))), byPath()).toPlan()).isEmpty();
        assertThat(mounts.handedOver(byPath(home))).isEmpty();
        assertThat(mounts.awaitsMount(record("moved.txt", "h3", content("m"), "i7"))).isFalse();
    }

    @Test
    void theHomeDeletionOfAFileMovedIntoAMountWaitsUntilTheMountHasSyncedIt() {
        SyncedFile gone = record("report.pdf", "h1", content("r"), "i42");
        LocalFile movedThere = new LocalFile("report.pdf", 1, 1_000, "i42");

        assertThat(familyMount(Map.of(), Map.of("report.pdf", movedThere)).awaitsMount(gone)).isTrue();
        SyncedFile synced = new SyncedFile("report.pdf", "s1", v(HERE, 1), content("r"), 1, 1_000, "i42", 2);
        assertThat(familyMount(Map.of("report.pdf", synced), Map.of("report.pdf", movedThere)).awaitsMount(gone)).isFalse();
        assertThat(familyMount(Map.of(), Map.of()).awaitsMount(gone)).isFalse(); // deleted for real: home deletes it
    }

    @Test
    void aPathIsCoveredByTheMountItIsInAndNotByALookAlikeName() {
        Mounts mounts = new Mounts(List.of(new Mounts.Mount("Shared/Family", true, Map.of(), Map.of())));

        assertThat(mounts.covering("Shared/Family/a.txt")).isPresent();
        assertThat(mounts.covering("Shared/Family")).isPresent();
        assertThat(mounts.covering("Shared/Family2/a.txt")).isEmpty();
        assertThat(mounts.covering("Shared/a.txt")).isEqualTo(Optional.empty());
    }

    @Test
    void theHomeScanLeavesAMountOutSoItsHomeRecordsAreNeitherSentNorDeleted(@TempDir Path dir) throws IOException {
        // given a home folder with a file under the mount and one beside it, both synced in home
        Files.createDirectories(dir.resolve("Family"));
        Files.writeString(dir.resolve("Family/a.txt"), "a");
        Files.writeString(dir.resolve("Family/new.txt"), "new in the share");
        Files.writeString(dir.resolve("notes.txt"), "n");
        FolderScanner.Scan all = FolderScanner.scan(dir);
        Map<String, SyncedFile> synced = byPath(
                new SyncedFile("Family/a.txt", "h1", v(HERE, 1), content("a"), 1, 0, "gone-inode", 1),
                recordOf(all.files().get("notes.txt"), "h2"));

        // when the home folder is scanned with the mount left out
        FolderScanner.Scan scan = FolderScanner.scan(dir, Set.of("Family"));

        // then nothing under the mount is seen, a home record there is unknown rather than gone, and nothing is sent
        assertThat(scan.files()).containsOnlyKeys("notes.txt");
        assertThat(PushPlanner.needsReading(scan, synced)).isEmpty();
        PushPlanner.Plan plan = PushPlanner.plan(scan, synced, Map.of(), HERE, () -> "new-id");
        assertThat(plan.changes()).isEmpty();
        assertThat(PushPlanner.waiting(scan, synced)).isEmpty();
    }

    private static SyncedFile recordOf(LocalFile f, String fileId) {
        return new SyncedFile(f.path(), fileId, v(HERE, 1), content("n"), f.size(), f.mtimeNanos(), f.inode(), 1);
    }
}
