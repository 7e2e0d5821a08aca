package io.cumulus.client.sync.plan;

import static io.cumulus.client.sync.plan.PlanFixtures.HERE;
import static io.cumulus.client.sync.plan.PlanFixtures.content;
import static io.cumulus.client.sync.plan.PlanFixtures.v;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.cumulus.client.scan.FolderScanner.LocalFile;
import io.cumulus.client.scan.FolderScanner.Scan;
import io.cumulus.client.scan.LocalTree;
import io.cumulus.client.state.LocalState.SyncedFile;

class PushPlannerTest {
    private final LocalTree tree = new LocalTree(false);
    private final Map<String, LocalFile> files = new TreeMap<>();
    private final Map<String, SyncedFile> synced = new TreeMap<>();

    private void onDisk(String path, boolean sent) {
        tree.putFile(LocalTree.Entry.file(path, 4, 40, "ino-" + path));
        if (sent) {
            files.put(path, new LocalFile(path, 4, 40, "ino-" + path));
        }
    }

    private void wasSynced(String path) {
        synced.put(path, new SyncedFile(path, "id-" + path, v(HERE, 1), content(path), 4, 40, "ino-" + path, 1));
    }

    private PushPlanner.Plan plan() {
        return PushPlanner.plan(new Scan(files, List.of(), Set.of(), tree), synced, Map.of(), HERE, () -> "new-id");
    }

    @Test
    void aFileUnderAFolderTheScanCouldNotReadIsNeverSentAsDeleted() {
        // given a synced file inside a folder that became unreadable (or ignored)
        wasSynced("photos/a.jpg");
        tree.putFolder("photos");
        tree.markUnscanned("photos");

        // then nothing is sent for it
        assertThat(plan().changes()).isEmpty();
    }

    @Test
    void aFileStillOnDiskButNoLongerSentIsNeverSentAsDeleted() {
        // given a synced file now ignored (on disk, not among the files to send)
        wasSynced("design.psd");
        onDisk("design.psd", false);

        assertThat(plan().changes()).isEmpty();
    }

    @Test
    void aFileUnderAFolderThatBecameASymbolicLinkIsNeverSentAsDeleted() {
        wasSynced("docs/a.txt");
        tree.put(LocalTree.Entry.link("docs"));
        assertThat(plan().changes()).isEmpty();
    }

    @Test
    void aFileReallyGoneIsSentAsDeleted() {
        wasSynced("gone.txt");
        onDisk("kept.txt", true);
        wasSynced("kept.txt");
        assertThat(plan().changes()).singleElement().satisfies(c -> {
            assertThat(c.change().path()).isEqualTo("gone.txt");
            assertThat(c.change().delete()).isTrue();
        });
    }

    @Test
    void namesTheServerRefusesAreReportedNotSent() {
        onDisk("x/.cumulus-tmp-1", true);
        assertThat(plan().notSent()).extracting(PushPlanner.NotSent::path).containsExactly("x/.cumulus-tmp-1");
        assertThat(plan().changes()).isEmpty();
    }
}
