package io.cumulus.client.sync.evict;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.cumulus.client.scan.FolderScanner.LocalFile;
import io.cumulus.client.scan.FolderScanner.Scan;
import io.cumulus.client.scan.LocalTree;
import io.cumulus.client.state.LocalState.SyncedFile;
import io.cumulus.sync.manifest.ChunkRef;
import io.cumulus.sync.manifest.Manifest;
import io.cumulus.sync.vector.VersionVector;

class EvictionPlannerTest {
    private static final long SECOND = 1_000_000_000L;

    /** A folder on disk and this device's records of it, built a file at a time. */
    private static final class Folder {
        final Map<String, LocalFile> onDisk = new TreeMap<>();
        final Map<String, SyncedFile> synced = new TreeMap<>();
        final Map<String, Instant> lastUsed = new HashMap<>();
        private int inode;

        /** A synced file, unchanged since, last written at {@code writtenAt} seconds. */
        Folder synced(String path, long size, long writtenAt) {
            String ino = "ino" + inode++;
            onDisk.put(path, new LocalFile(path, size, writtenAt * SECOND, ino));
            synced.put(path, new SyncedFile(path, "id-" + path, VersionVector.of(Map.of("d", 1L)), manifest(path, size), size,
                    writtenAt * SECOND, ino, 1));
            return this;
        }

        /** A synced file edited here since (not yet sent). */
        Folder edited(String path, long size, long writtenAt) {
            synced(path, size, writtenAt);
            onDisk.put(path, new LocalFile(path, size + 1, (writtenAt + 5) * SECOND, onDisk.get(path).inode()));
            return this;
        }

        /** A file never synced. */
        Folder unsynced(String path, long size) {
            onDisk.put(path, new LocalFile(path, size, 0, "ino" + inode++));
            return this;
        }

        Folder openedAt(String path, long second) {
            lastUsed.put("id-" + path, Instant.ofEpochSecond(second));
            return this;
        }

        EvictionPlanner.Plan plan(long limit, String... heldIds) {
            return EvictionPlanner.plan(onDisk, synced, Set.of(heldIds), lastUsed, limit);
        }
    }

    private static Manifest manifest(String path, long size) {
        String id = String.format("%064x", Math.abs((long) path.hashCode()));
        return size == 0 ? Manifest.empty() : new Manifest(List.of(ChunkRef.of(id, size)));
    }

    private static List<String> paths(EvictionPlanner.Plan plan) {
        return plan.evict().stream().map(SyncedFile::path).toList();
    }

    @Test
    void theLeastRecentlyUsedOriginalsGoUntilTheRestFits() {
        // given four synced files of 10 KB, written at seconds 10, 40, 20 and 30
        Folder f = new Folder().synced("a", 10_000, 10).synced("b", 10_000, 40).synced("c", 10_000, 20).synced("d", 10_000, 30);

        // when the folder must fit 25 KB
        EvictionPlanner.Plan plan = f.plan(25_000);

        // then the two oldest go, and the rest fits
        assertThat(paths(plan)).containsExactly("a", "c");
        assertThat(plan.bytesBefore()).isEqualTo(40_000);
        assertThat(plan.bytesAfter()).isEqualTo(20_000);
        assertThat(plan.fits()).isTrue();
    }

    @Test
    void nothingGoesWhenTheFolderFits() {
        Folder f = new Folder().synced("a", 10_000, 10).synced("b", 10_000, 20);

        assertThat(f.plan(20_000).evict()).isEmpty();
    }

    @Test
    void aFileOpenedOrFetchedLaterCountsAsUsedThen() {
        // given a file written long ago but opened recently, and one written a little later
        Folder f = new Folder().synced("old-but-opened", 10_000, 10).openedAt("old-but-opened", 50).synced("newer", 10_000, 20);

        // when one must go
        EvictionPlanner.Plan plan = f.plan(10_000);

        // then the one not opened goes
        assertThat(paths(plan)).containsExactly("newer");
    }

    @Test
    void anEditNotYetSentIsNeverEvictedEvenWhenItIsTheOldest() {
        // given the oldest file edited here since it was synced, and a newer unchanged one
        Folder f = new Folder().edited("draft.txt", 10_000, 1).synced("photo.jpg", 10_000, 50);

        // when nothing may stay
        EvictionPlanner.Plan plan = f.plan(0);

        // then only the unchanged file goes, and the plan says the rest does not fit
        assertThat(paths(plan)).containsExactly("photo.jpg");
        assertThat(plan.fits()).isFalse();
    }

    @Test
    void aFileNeverSyncedIsItsOnlyCopyAndStays() {
        Folder f = new Folder().unsynced("new.txt", 50_000).synced("old.txt", 10_000, 1);

        EvictionPlanner.Plan plan = f.plan(0);

        assertThat(paths(plan)).containsExactly("old.txt");
        assertThat(plan.bytesAfter()).isEqualTo(50_000);
    }

    @Test
    void aFileHeldBackIsNotEvicted() {
        // given an unchanged file whose remote version is held back (a conflict pending), and another
        Folder f = new Folder().synced("conflicted.txt", 10_000, 1).synced("other.txt", 10_000, 2);

        // when both would go
        EvictionPlanner.Plan plan = f.plan(0, "id-conflicted.txt");

        // then the held one stays
        assertThat(paths(plan)).containsExactly("other.txt");
    }

    @Test
    void filesNoLargerThanAPlaceholderAndFolderMarkersAreNeverEvicted() {
        Folder f = new Folder().synced("empty.txt", 0, 1).synced("photos/.cumulusdir", 0, 1).synced("small.txt", 4095, 1)
                .synced("big.bin", 10_000, 5);

        assertThat(paths(f.plan(0))).containsExactly("big.bin");
    }

    @Test
    void anEvictedFileWhosePlaceholderIsThereStandsInItsPlaceForThePlanners() {
        // given an evicted file whose placeholder is in place, and one whose placeholder the user deleted
        SyncedFile kept = new SyncedFile("docs/a.pdf", "id-a", VersionVector.of(Map.of("d", 1L)), manifest("a", 100), 100, 7 * SECOND,
                "ino9", 1);
        SyncedFile deleted = new SyncedFile("docs/b.pdf", "id-b", VersionVector.of(Map.of("d", 1L)), manifest("b", 100), 100,
                7 * SECOND, "ino8", 1);
        LocalTree tree = new LocalTree(false);
        tree.putFile(LocalTree.Entry.file("docs/.a.pdf.cumulus-cloud", 300, 1, "ino20"));
        Scan scan = new Scan(new TreeMap<>(), List.of(), Set.of(), tree, Set.of("docs/.a.pdf.cumulus-cloud"));

        // when the planners' view is made
        Scan view = EvictionPlanner.withStandIns(scan, List.of(kept, deleted));

        // then the first is there as it was synced (neither edited nor deleted), the second is gone
        assertThat(view.files()).containsOnlyKeys("docs/a.pdf");
        assertThat(view.files().get("docs/a.pdf")).isEqualTo(new LocalFile("docs/a.pdf", 100, 7 * SECOND, "ino9"));
        assertThat(view.tree().at("docs/a.pdf")).isPresent();
        assertThat(view.tree().gone("docs/b.pdf")).isTrue();
        assertThat(scan.files()).isEmpty(); // the scan itself is left as it was
    }
}
