package io.cumulus.client.sync.plan;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.cumulus.client.scan.LocalTree;
import io.cumulus.client.state.LocalState.SyncedFile;
import io.cumulus.sync.hash.Sha256;
import io.cumulus.sync.manifest.ChunkRef;
import io.cumulus.sync.manifest.Manifest;
import io.cumulus.sync.vector.VersionVector;

/** Builders for planner tests: a folder, this device's records, and the server's entries. */
final class PlanFixtures {
    static final String HERE = "11111111-1111-1111-1111-111111111111";
    static final String THERE = "22222222-2222-2222-2222-222222222222";
    static final LocalNames NAMES = new LocalNames(255, 3800, false);

    private PlanFixtures() {
    }

    static Manifest content(String text) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return new Manifest(List.of(ChunkRef.of(Sha256.hex(bytes), bytes.length)));
    }

    static VersionVector v(String device, long counter) {
        return VersionVector.of(Map.of(device, counter));
    }

    /** A folder as scanned. */
    static final class Folder {
        final LocalTree tree;
        private long inode = 100;

        Folder(boolean caseInsensitive) {
            tree = new LocalTree(caseInsensitive);
        }

        static Folder empty() {
            return new Folder(false);
        }

        Folder file(String path) {
            tree.putFile(LocalTree.Entry.file(path, 10, 1_000, "ino" + inode++));
            return this;
        }

        Folder folder(String path) {
            tree.putFolder(path);
            return this;
        }

        Folder link(String path) {
            int slash = path.lastIndexOf('/');
            if (slash > 0) {
                tree.putFolder(path.substring(0, slash));
            }
            tree.put(LocalTree.Entry.link(path));
            return this;
        }

        LocalTree.Entry at(String path) {
            return tree.at(path).orElseThrow();
        }
    }

    /** This device's records, by path. */
    static final class Records {
        final Map<String, SyncedFile> byPath = new TreeMap<>();

        static Records none() {
            return new Records();
        }

        /** A record of the file as it is in {@code folder}: unchanged since it was synced. */
        Records synced(Folder folder, String path, String fileId, VersionVector vector, Manifest manifest) {
            LocalTree.Entry e = folder.at(path);
            byPath.put(path, new SyncedFile(path, fileId, vector, manifest, e.size(), e.mtimeNanos(), e.inode(), 1));
            return this;
        }

        /** A record whose file was edited here since. */
        Records syncedThenEdited(Folder folder, String path, String fileId, VersionVector vector, Manifest manifest) {
            LocalTree.Entry e = folder.at(path);
            byPath.put(path, new SyncedFile(path, fileId, vector, manifest, e.size() + 1, e.mtimeNanos() - 1, e.inode(), 1));
            return this;
        }
    }

    static RemoteEntry upsert(long seq, String fileId, String path, VersionVector vector, Manifest manifest) {
        return new RemoteEntry(seq, fileId, path, false, vector, manifest, false);
    }

    static RemoteEntry delete(long seq, String fileId, String path, VersionVector vector) {
        return new RemoteEntry(seq, fileId, path, true, vector, Manifest.empty(), false);
    }

    static List<Action> plan(Folder folder, Records records, RemoteEntry... entries) {
        return PullPlanner.plan(RemoteEntry.latestPerFile(List.of(entries)), folder.tree, records.byPath, NAMES);
    }
}
