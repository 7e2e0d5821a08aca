package io.cumulus.reconciler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import io.cumulus.schemas.ChangeOutcome;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.FileOp;
import io.cumulus.schemas.FileState;
import io.cumulus.sync.vector.Causality;
import io.cumulus.sync.vector.VersionVector;

/**
 * One device as the real client ({@code io.cumulus.client.sync.Syncer}) behaves, without a file system:
 * a disk (byte-exact, case-sensitive paths to content and inode) and the sync state (per file id, the
 * path, content, vector and inode it last synced). Local changes are found the way the client scans:
 * a changed file is an edit, a vanished one whose inode or content turns up at a new path is a rename,
 * the rest are creates and deletes. Outcomes are recorded and feed events applied as the client does,
 * including its rule that a local file that changed since it was synced is never overwritten.
 */
final class SimulatedDevice {
    /** A file on this device's disk; the inode survives a rename and an edit in place. */
    record LocalFile(Content content, long inode) {
    }

    /** What this device last synced of a file. */
    record SyncedFile(String fileId, String path, Content content, VersionVector vector, long inode) {
    }

    /** A change as pushed, with what to record when the server keeps it. */
    private record Local(String fileId, String path, boolean delete, VersionVector vector, Content content,
            long inode) {
    }

    private final BatchBuilder.Device identity;
    private final Map<String, LocalFile> disk = new TreeMap<>();
    private final Map<String, SyncedFile> synced = new TreeMap<>();
    private long lastSeq;
    /** Files whose server version was not written here; the client forgets them (see {@link #pull}). */
    private final Set<String> passedOver = new TreeSet<>();
    private long lastInode;
    private int lastNewFile;

    SimulatedDevice(BatchBuilder.Device identity) {
        this.identity = identity;
    }

    String name() {
        return identity.name();
    }

    // ---------------------------------------------------------------- what a person does

    /** Saves a new file; false when the exact path is taken (saving there would be an edit). */
    boolean create(String path, Content content) {
        if (disk.containsKey(path)) {
            return false;
        }
        disk.put(path, new LocalFile(content, ++lastInode));
        return true;
    }

    /** Rewrites the n-th file (by path, modulo the count); returns the content it replaced. */
    Optional<Content> edit(int n, Content content) {
        return nth(n).map(path -> disk.put(path, new LocalFile(content, disk.get(path).inode())).content());
    }

    /** Deletes the n-th file; returns its content. */
    Optional<Content> delete(int n) {
        return nth(n).map(path -> disk.remove(path).content());
    }

    /** Moves the n-th file to a path not taken exactly; false when nothing moved. */
    boolean rename(int n, String to) {
        Optional<String> from = nth(n).filter(p -> !disk.containsKey(to));
        from.ifPresent(p -> disk.put(to, disk.remove(p)));
        return from.isPresent();
    }

    private Optional<String> nth(int n) {
        List<String> paths = new ArrayList<>(disk.keySet());
        return paths.isEmpty() ? Optional.empty() : Optional.of(paths.get(n % paths.size()));
    }

    /** Path → content of every file on the disk. */
    Map<String, Content> tree() {
        Map<String, Content> tree = new TreeMap<>();
        disk.forEach((path, file) -> tree.put(path, file.content()));
        return tree;
    }

    // ---------------------------------------------------------------- push

    /** Sends every local change as one batch and records the outcomes; returns how many changes it sent. */
    int push(RecordedReconciler server) {
        List<Local> changes = localChanges();
        if (changes.isEmpty()) {
            return 0;
        }
        int number = server.batches().size() + 1;
        BatchBuilder batch = BatchBuilder.aBatch().id("batch-" + number).in(server.namespace())
                .from(identity).at(BatchBuilder.DEFAULT_TIME.plus(Duration.ofSeconds(number)));
        for (Local c : changes) {
            if (c.delete()) {
                batch.delete(c.fileId(), c.path(), c.vector());
            } else {
                batch.upsert(c.fileId(), c.path(), c.vector(), c.content().chunks());
            }
        }
        List<ChangeOutcome> outcomes = server.submit(batch.build());
        for (ChangeOutcome o : outcomes) {
            record(changes.get(o.getChangeIndex()), o, server);
        }
        return changes.size();
    }

    /** The client's scan: edits in place and renames (by inode, then by content), deletes, then new files. */
    private List<Local> localChanges() {
        List<Local> changes = new ArrayList<>();
        List<String> claimed = new ArrayList<>();
        List<SyncedFile> gone = new ArrayList<>();
        Map<Long, String> pathByInode = new HashMap<>();
        disk.forEach((path, f) -> pathByInode.putIfAbsent(f.inode(), path));
        Set<String> syncedPaths = synced.values().stream().map(SyncedFile::path).collect(Collectors.toSet());
        for (SyncedFile s : syncedByPath()) {
            LocalFile now = disk.get(s.path());
            String movedTo = pathByInode.get(s.inode());
            boolean replaced = now != null && now.inode() != s.inode() && movedTo != null
                    && !syncedPaths.contains(movedTo);
            if (now == null || replaced) {
                gone.add(s);
            } else {
                claimed.add(s.path());
                if (!now.content().equals(s.content())) {
                    changes.add(new Local(s.fileId(), s.path(), false, s.vector().increment(identity.id()),
                            now.content(), now.inode()));
                } else if (now.inode() != s.inode()) {
                    put(new SyncedFile(s.fileId(), s.path(), s.content(), s.vector(), now.inode()));
                }
            }
        }
        List<Local> created = new ArrayList<>();
        Map<Long, SyncedFile> goneByInode = new HashMap<>();
        Map<Content, SyncedFile> goneByContent = new HashMap<>();
        gone.forEach(g -> {
            goneByInode.put(g.inode(), g);
            goneByContent.putIfAbsent(g.content(), g);
        });
        disk.forEach((path, f) -> {
            if (claimed.contains(path)) {
                return;
            }
            SyncedFile renamed = goneByInode.get(f.inode());
            if (renamed == null || !gone.contains(renamed)) {
                renamed = goneByContent.get(f.content());
            }
            if (renamed != null && gone.remove(renamed)) {
                goneByInode.values().remove(renamed);
                goneByContent.values().remove(renamed);
                changes.add(new Local(renamed.fileId(), path, false, renamed.vector().increment(identity.id()),
                        f.content(), f.inode()));
            } else {
                String fileId = identity.id() + "-file-" + ++lastNewFile;
                created.add(new Local(fileId, path, false, VersionVector.empty().increment(identity.id()),
                        f.content(), f.inode()));
            }
        });
        gone.forEach(g -> changes.add(new Local(g.fileId(), g.path(), true, g.vector().increment(identity.id()),
                g.content(), 0)));
        // New files last: a path a renamed or deleted file left is free by the time a new file takes it.
        changes.addAll(created);
        return changes;
    }

    /**
     * The contract of an outcome: a kept change becomes the synced version, and when the server stored
     * something else (a resurrected or merged version) its state is adopted; a stale one waits for the
     * pull; a conflicted one moves to the copy the server kept and the server's file comes back.
     */
    private void record(Local c, ChangeOutcome o, RecordedReconciler server) {
        switch (o.getKind()) {
            case APPLIED, DUPLICATE -> {
                if (c.delete()) {
                    synced.remove(c.fileId());
                } else {
                    put(new SyncedFile(c.fileId(), c.path(), c.content(), c.vector(), c.inode()));
                }
                if (!AvroRecords.vector(o.getCurrentVector()).equals(c.vector())) {
                    refresh(c.fileId(), c.path(), server);
                }
            }
            case STALE -> {
                // the pull brings the newer version; the local one stays and is sent again
            }
            case CONFLICT -> {
                synced.remove(c.fileId());
                if (o.getConflictFileId() != null && o.getConflictPath() != null) {
                    String copyPath = o.getConflictPath();
                    if (disk.containsKey(c.path()) && !disk.containsKey(copyPath)) {
                        LocalFile moved = disk.remove(c.path());
                        disk.put(copyPath, moved);
                        // Synced as sent (the client records an empty vector, so an edit of the copy before the
                        // next pull is refused as stale forever); when the server's copy is newer (a rename
                        // combined with an edit elsewhere), the refresh below brings it.
                        put(new SyncedFile(o.getConflictFileId(), copyPath, c.content(), c.vector(), moved.inode()));
                    }
                }
                if (o.getConflictFileId() != null && !o.getConflictFileId().equals(c.fileId())) {
                    server.file(o.getConflictFileId()).ifPresent(this::apply);
                }
                refresh(c.fileId(), c.path(), server);
            }
        }
    }

    /** Brings the server's current version of the file, and whatever now holds the contested path. */
    private void refresh(String fileId, String path, RecordedReconciler server) {
        Optional<FileState> current = server.file(fileId);
        current.ifPresent(this::apply);
        if (current.isEmpty() || current.get().getDeleted() || !current.get().getPath().equals(path)) {
            server.liveAt(path).ifPresent(this::apply);
        }
    }

    // ---------------------------------------------------------------- pull

    /**
     * Applies every event after the last one seen, in sequence order. A device that never synced starts
     * from the current files instead, then follows the feed after the newest of them (as the client does).
     * <p>A version passed over (the file changed here, or a local file held its path) is tried again
     * first, from the server's current state. The client passes over it for good, and never converges
     * when the local change is undone (renamed back, content restored) or the local file moves away
     * instead of being sent at that path.
     */
    void pull(RecordedReconciler server) {
        List<String> waiting = List.copyOf(passedOver);
        passedOver.clear();
        waiting.forEach(fileId -> server.file(fileId).ifPresent(this::apply));
        if (lastSeq == 0 && synced.isEmpty()) {
            List<FileState> listing = server.liveFiles()
                    .sorted(Comparator.comparing(FileState::getPath)).toList();
            listing.forEach(this::apply);
            lastSeq = listing.stream().mapToLong(FileState::getSeq).max().orElse(0);
        }
        for (FileEvent e : server.eventsAfter(lastSeq)) {
            apply(e.getFileId(), e.getPath(), e.getOp() == FileOp.DELETE,
                    AvroRecords.vector(e.getVector()), Content.of(e.getChunks()));
            lastSeq = e.getSeq();
        }
    }

    private void apply(FileState s) {
        apply(s.getFileId(), s.getPath(), s.getDeleted(), AvroRecords.vector(s.getVector()), Content.of(s.getChunks()));
    }

    /** The client's apply: one server version to disk, unless this device has it or changed the file here. */
    private void apply(String fileId, String path, boolean delete, VersionVector vector, Content content) {
        Optional<SyncedFile> known = Optional.ofNullable(synced.get(fileId));
        if (known.isPresent()) {
            Causality order = known.get().vector().compare(vector);
            if (order == Causality.EQUAL || order == Causality.DOMINATES) {
                return; // has this version or a later one
            }
            if (locallyChanged(known.get())) {
                passedOver.add(fileId); // changed here: the push sends that change (unless it is undone first)
                return;
            }
        }
        if (delete) {
            known.ifPresent(k -> {
                disk.remove(k.path());
                synced.remove(fileId);
            });
            return;
        }
        Optional<SyncedFile> holder = syncedAt(path).filter(h -> !h.fileId().equals(fileId));
        LocalFile there = disk.get(path);
        if (there != null && holder.isEmpty() && (known.isEmpty() || !known.get().path().equals(path))) {
            // An unsynced file holds the path: the same content is adopted, other content is never overwritten.
            if (there.content().equals(content)) {
                put(new SyncedFile(fileId, path, content, vector, there.inode()));
            } else {
                passedOver.add(fileId);
            }
            return;
        }
        if (holder.isPresent() && locallyChanged(holder.get())) {
            // Another synced file holds the path and was edited or deleted here: that change is sent first.
            // (The client checks this only while a file is on the path, so a local deletion is forgotten.)
            passedOver.add(fileId);
            return;
        }
        if (known.isPresent() && !known.get().path().equals(path)) {
            LocalFile from = disk.remove(known.get().path());
            if (from != null && known.get().content().equals(content)) {
                disk.put(path, from);
                put(new SyncedFile(fileId, path, content, vector, from.inode()));
                return;
            }
        }
        there = disk.get(path);
        if (there != null && known.isPresent() && known.get().path().equals(path) && there.content().equals(content)) {
            put(new SyncedFile(fileId, path, content, vector, there.inode()));
            return; // only the vector moved on
        }
        LocalFile written = new LocalFile(content, ++lastInode);
        disk.put(path, written);
        put(new SyncedFile(fileId, path, content, vector, written.inode()));
    }

    private boolean locallyChanged(SyncedFile s) {
        LocalFile now = disk.get(s.path());
        return now == null || now.inode() != s.inode() || !now.content().equals(s.content());
    }

    // ---------------------------------------------------------------- sync state, one row per path and per file id

    private void put(SyncedFile f) {
        synced.values().removeIf(s -> s.path().equals(f.path()));
        synced.put(f.fileId(), f);
    }

    private Optional<SyncedFile> syncedAt(String path) {
        return synced.values().stream().filter(s -> s.path().equals(path)).findFirst();
    }

    private List<SyncedFile> syncedByPath() {
        return synced.values().stream().sorted(Comparator.comparing(SyncedFile::path)).toList();
    }

    @Override
    public String toString() {
        return name() + " disk=" + tree() + " synced=" + synced.values() + " lastSeq=" + lastSeq;
    }
}
