package io.cumulus.client.sync.plan;

import io.cumulus.client.scan.LocalTree;
import io.cumulus.client.state.LocalState.SyncedFile;

/**
 * One step of a pull, as the planner decided it and an executor carries it out. Every action that
 * writes names the local state it expects to find (the file it replaces, the file it moves or
 * deletes), so an executor that finds something else changes nothing.
 */
public sealed interface Action {

    /** The file the action is about. */
    String fileId();

    /** The path it concerns, for logs and status. */
    String path();

    /** An action about one entry the server sent: its file and path are the entry's. */
    sealed interface OfEntry extends Action {
        RemoteEntry entry();

        default String fileId() {
            return entry().fileId();
        }

        default String path() {
            return entry().path();
        }
    }

    /**
     * Writes {@code entry}'s content at its path. {@code replaces}: the synced, unchanged file that
     * is there now (null when the path is free); {@code previous}: this file's record at another
     * path, whose file is removed once the new one is in place (a rename with new content).
     */
    record Download(RemoteEntry entry, LocalTree.Entry replaces, SyncedFile previous) implements OfEntry {
    }

    /** Renames the synced file {@code from} to {@code entry}'s path: same content, new name. */
    record Move(RemoteEntry entry, SyncedFile from) implements OfEntry {
    }

    /** The file on disk already has {@code entry}'s content: only the record moves on. */
    record Adopt(RemoteEntry entry, LocalTree.Entry there) implements OfEntry {
    }

    /**
     * A file this device never synced holds {@code entry}'s path: it is adopted when its content is
     * the same; otherwise it is kept, sent as a file of its own, and the server keeps both.
     */
    record AdoptIfSame(RemoteEntry entry, LocalTree.Entry there) implements OfEntry {
    }

    /** Deletes the synced file {@code known}, unchanged since it was synced. */
    record DeleteLocal(String fileId, SyncedFile known) implements Action {
        public String path() {
            return known.path();
        }
    }

    /**
     * The file {@code known} is evicted here (a placeholder stands for it) and stays so: the
     * placeholder now stands for {@code entry}, at its path (a new version, a new name or both).
     */
    record StayEvicted(RemoteEntry entry, SyncedFile known) implements OfEntry {
    }

    /** The evicted file {@code known} was deleted on another device: its placeholder goes. */
    record RemovePlaceholder(String fileId, SyncedFile known) implements Action {
        public String path() {
            return known.path();
        }
    }

    /** Creates the folder a marker entry stands for. */
    record MakeFolder(RemoteEntry entry, String folder) implements OfEntry {
    }

    /** Removes a marked folder, when it is empty, and forgets its marker. */
    record RemoveFolder(String fileId, SyncedFile known) implements Action {
        public String path() {
            return known.path();
        }
    }

    /** Nothing on disk to change; whatever was held or skipped for this file is settled. */
    record Forget(String fileId, String path) implements Action {
    }

    /**
     * The local version changed since it was synced (or another local change holds the path): it is
     * kept and sent, and the server keeps both sides. The remote version is looked at again next round.
     */
    record KeepBoth(RemoteEntry entry, String reason) implements OfEntry {
    }

    /** The entry cannot be materialised here (the reason says why); kept, shown by status, retried. */
    record Skip(RemoteEntry entry, String reason) implements OfEntry {
    }

    /** Nothing to do now and nothing to show: a conflicted copy still being merged. */
    record Wait(RemoteEntry entry, String reason) implements OfEntry {
    }
}
