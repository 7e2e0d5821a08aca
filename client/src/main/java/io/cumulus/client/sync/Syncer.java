package io.cumulus.client.sync;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;

import io.cumulus.client.api.ApiException;
import io.cumulus.client.api.Remote;
import io.cumulus.client.api.Remote.Change;
import io.cumulus.client.api.Remote.Event;
import io.cumulus.client.api.Remote.Feed;
import io.cumulus.client.api.Remote.Outcome;
import io.cumulus.client.api.Retry;
import io.cumulus.client.api.ServerApi;
import io.cumulus.client.scan.FolderScanner;
import io.cumulus.client.scan.FolderScanner.LocalFile;
import io.cumulus.client.scan.FolderScanner.Scan;
import io.cumulus.client.scan.LocalTree;
import io.cumulus.client.state.LocalState;
import io.cumulus.client.state.LocalState.PendingBatch;
import io.cumulus.client.state.LocalState.SyncedFile;
import io.cumulus.client.sync.act.FileWriter;
import io.cumulus.client.sync.act.FolderAccess;
import io.cumulus.client.sync.act.PullExecutor;
import io.cumulus.client.sync.act.Uploader;
import io.cumulus.client.sync.plan.Action;
import io.cumulus.client.sync.plan.LocalNames;
import io.cumulus.client.sync.plan.PullPlanner;
import io.cumulus.client.sync.plan.PushPlanner;
import io.cumulus.client.sync.plan.PushPlanner.LocalChange;
import io.cumulus.client.sync.plan.RemoteEntry;
import io.cumulus.sync.chunking.FastCdcChunker;
import io.cumulus.sync.manifest.ChunkRef;
import io.cumulus.sync.manifest.Manifest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps one folder and one namespace the same, a round at a time: settle the batches a crash left
 * unanswered, pull what other devices did, push what changed here, pull again. Each pull and push
 * is planned first ({@link PullPlanner}, {@link PushPlanner}: pure decisions) and then carried out
 * by small executors ({@code sync.act}), which touch the folder only through {@link FolderAccess}.
 * A local file that changed since it was last synced is never overwritten: it is sent as a change
 * of its own, which the server keeps as a conflicted copy when another device changed the file
 * meanwhile. An entry that cannot be materialised here is skipped with its reason and retried.
 */
public final class Syncer {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final int FEED_PAGE = 1_000;
    /** Feed events collapsed and applied together: a device far behind applies each file's latest state once per window. */
    private static final int FEED_WINDOW = 20_000;
    private static final int CHANGES_PER_BATCH = 500;
    private static final int STABLE_READ_ATTEMPTS = 5;

    private final Path root;
    private final FolderAccess folder;
    private final LocalNames names;
    private final String namespace;
    private final String deviceId;
    private final ServerApi api;
    private final LocalState state;
    private final Consumer<String> log;
    private final Retry retry;
    private final Clock clock;
    private final FastCdcChunker chunker = FastCdcChunker.defaults();
    private final Duration outcomeTimeout;
    private Progress progress = Progress.NONE;

    /** What one round did. */
    public record Round(int pushed, int downloaded, int deletedLocally, int conflicts, long bytesUploaded, long bytesDownloaded) {
        public boolean changedAnything() {
            return pushed + downloaded + deletedLocally + conflicts > 0;
        }
    }

    private int pushed;
    private int downloaded;
    private int deletedLocally;
    private int conflicts;
    private long bytesUploaded;
    private long bytesDownloaded;

    public Syncer(Path root, String namespace, String deviceId, ServerApi api, LocalState state, Consumer<String> log,
                  Retry retry, Clock clock, Duration outcomeTimeout) {
        this.root = root.toAbsolutePath().normalize();
        this.folder = new FolderAccess(this.root);
        this.names = LocalNames.forFolder(this.root);
        this.namespace = namespace;
        this.deviceId = deviceId;
        this.api = api;
        this.state = state;
        this.log = log;
        this.retry = retry;
        this.clock = clock;
        this.outcomeTimeout = outcomeTimeout;
    }

    /** A syncer as the CLI runs it: default retries, the system clock, a minute for each batch's outcome. */
    public static Syncer forDevice(Path root, String namespace, String deviceId, ServerApi api, LocalState state,
                                   Consumer<String> log) {
        return new Syncer(root, namespace, deviceId, api, state, log, Retry.defaults(), Clock.systemUTC(), Duration.ofSeconds(60));
    }

    /** Where long transfers report how they go (a terminal line, or nothing). */
    public Syncer withProgress(Progress progress) {
        this.progress = progress;
        return this;
    }

    /** One round: settle, pull, push, pull. */
    public Round syncOnce() throws IOException {
        pushed = downloaded = deletedLocally = conflicts = 0;
        bytesUploaded = 0;
        bytesDownloaded = 0;
        settlePending();
        pull();
        push();
        pull();
        state.lastSync(clock.instant());
        return new Round(pushed, downloaded, deletedLocally, conflicts, bytesUploaded, bytesDownloaded);
    }

    /** Rounds until one changes nothing (at most {@code maxRounds}); true when the folder is in sync. */
    public boolean syncUntilStable(int maxRounds) throws IOException {
        for (int i = 0; i < maxRounds; i++) {
            Round round = syncOnce();
            if (!round.changedAnything()) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- pull

    /**
     * Applies what changed on the server since the last pull: the feed after the last sequence
     * number seen (each file's latest entry once), and again the files held back earlier (skipped,
     * kept for a local change, or waiting for a merge).
     */
    public void pull() throws IOException {
        progress.begin("downloading", 0);
        try {
            List<RemoteEntry> window = new ArrayList<>();
            long newest = state.lastSeq();
            if (newest == 0 && state.files().isEmpty() && state.pending().isEmpty()) {
                // A first sync starts from the current files rather than replaying the namespace's history; the
                // listing is one snapshot and the projector writes a namespace's events in order, so every earlier
                // event is in it. Events after the newest live file (one created and deleted since) still follow.
                for (Remote.FileState f : retry.call(() -> api.files(namespace, ""))) {
                    window.add(entry(f));
                    newest = Math.max(newest, f.seq());
                }
            }
            window.addAll(held(window));
            while (true) {
                long after = newest;
                Feed feed = retry.call(() -> api.feed(namespace, after, FEED_PAGE));
                for (Event e : feed.events()) {
                    window.add(new RemoteEntry(e.seq(), e.fileId(), e.path(), e.delete(), e.vector(), e.manifest(), e.mergePending(),
                            e.malformed()));
                    newest = Math.max(newest, e.seq());
                }
                boolean more = feed.events().size() >= FEED_PAGE && !feed.events().isEmpty();
                if (!more || window.size() >= FEED_WINDOW) {
                    apply(window);
                    state.lastSeq(newest);
                    window.clear();
                }
                if (!more) {
                    return;
                }
            }
        } finally {
            progress.end();
        }
    }

    /** The current state of every file held back (skipped, kept for a local change, awaiting a merge), unless in {@code window}. */
    private List<RemoteEntry> held(List<RemoteEntry> window) {
        Set<String> ids = new java.util.TreeSet<>(state.deferred());
        state.skipped().stream().filter(s -> s.side().equals("remote")).forEach(s -> ids.add(s.id()));
        ids.addAll(state.awaitingMerge().keySet());
        window.forEach(e -> ids.remove(e.fileId()));
        List<RemoteEntry> entries = new ArrayList<>();
        for (String id : ids) {
            Optional<Remote.FileState> current = retry.call(() -> api.file(namespace, id));
            if (current.isPresent()) {
                entries.add(entry(current.get()));
            } else {
                // The server knows no such file (any more): nothing to hold it for, and nothing local is touched.
                state.undefer(id);
                state.unskipRemote(id);
                state.mergeSettled(id);
            }
        }
        return entries;
    }

    private static RemoteEntry entry(Remote.FileState f) {
        return new RemoteEntry(f.seq(), f.fileId(), f.path(), f.deleted(), f.vector(), f.manifest(), f.mergePending(), f.malformed());
    }

    /** Plans and carries out one window of remote entries. */
    private void apply(List<RemoteEntry> window) throws IOException {
        if (window.isEmpty()) {
            return;
        }
        List<RemoteEntry> latest = withoutMergesAwaited(RemoteEntry.latestPerFile(window));
        Scan scan = FolderScanner.scan(root);
        Map<String, SyncedFile> synced = state.files();
        List<Action> plan = PullPlanner.plan(latest, scan.tree(), synced, names);
        FileWriter writer = new FileWriter(folder, api, retry, progress, synced.values());
        PullExecutor.Done done = new PullExecutor(folder, state, writer, this::readManifest, log, clock).execute(plan);
        downloaded += done.downloaded();
        deletedLocally += done.deletedLocally();
        for (Action a : plan) {
            if (a instanceof Action.Download d) {
                bytesDownloaded += d.entry().manifest().size();
            }
        }
    }

    /**
     * Leaves out the originals whose edit from here waits in a copy the server is still merging:
     * until the merge lands (or fails and the copy becomes an ordinary one), the local file stays as
     * it is, rather than showing the other side's version for a moment.
     */
    private List<RemoteEntry> withoutMergesAwaited(List<RemoteEntry> entries) {
        Map<String, String> awaiting = state.awaitingMerge();
        if (awaiting.isEmpty()) {
            return entries;
        }
        Set<String> stillMerging = new HashSet<>();
        for (Map.Entry<String, String> a : awaiting.entrySet()) {
            Optional<Remote.FileState> copy = retry.call(() -> api.file(namespace, a.getValue()));
            if (copy.isPresent() && copy.get().mergePending() && !copy.get().deleted()) {
                stillMerging.add(a.getKey());
            } else {
                state.mergeSettled(a.getKey());
            }
        }
        return entries.stream().filter(e -> !stillMerging.contains(e.fileId())).toList();
    }

    // ---------------------------------------------------------------- push

    /** Sends every local change since the last sync. */
    public void push() throws IOException {
        Scan scan = FolderScanner.scan(root);
        Map<String, SyncedFile> synced = state.files();
        Map<String, PushPlanner.Read> read = new TreeMap<>();
        Map<String, String> notSent = new TreeMap<>();
        for (String path : PushPlanner.needsReading(scan, synced)) {
            try {
                stableRead(path).ifPresent(r -> read.put(path, r));
            } catch (IOException e) {
                notSent.put(path, "cannot be read: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            }
        }
        PushPlanner.Plan plan = PushPlanner.plan(scan, synced, read, deviceId, () -> UUID.randomUUID().toString());
        plan.refreshed().forEach(state::put);
        plan.notSent().forEach(n -> notSent.put(n.path(), n.reason()));
        scan.skipped().forEach(s -> notSent.put(s.path(), s.reason()));
        List<LocalChange> changes = plan.changes();
        if (!changes.isEmpty()) {
            Uploader uploader = new Uploader(folder, api, retry, progress, log, chunker);
            changes = uploader.upload(changes);
            bytesUploaded += uploader.bytesUploaded();
            for (int from = 0; from < changes.size(); from += CHANGES_PER_BATCH) {
                List<LocalChange> part = changes.subList(from, Math.min(changes.size(), from + CHANGES_PER_BATCH));
                PendingBatch pending = state.enqueue(UUID.randomUUID().toString(), namespace, encode(part), clock.instant());
                notSent.putAll(settle(pending));
            }
        }
        Set<String> before = new HashSet<>();
        state.skipped().stream().filter(s -> s.side().equals("local")).forEach(s -> before.add(s.path() + "\n" + s.reason()));
        notSent.forEach((path, reason) -> {
            if (!before.contains(path + "\n" + reason)) {
                log.accept("not sent: " + path + ": " + reason);
            }
        });
        state.skippedLocally(notSent, clock.instant());
    }

    /** Sends every batch a previous run queued and never saw settled: the same key gets the same batch. */
    private void settlePending() throws IOException {
        for (PendingBatch p : state.pending()) {
            settle(p);
        }
    }

    /**
     * Submits a queued batch and records what the server decided. A batch the server refuses (a 4xx:
     * it stored nothing) is split until the refused changes stand alone; those are returned (path to
     * the server's reason) and the rest are sent, so one change the server will not take never holds
     * back the others.
     */
    private Map<String, String> settle(PendingBatch pending) throws IOException {
        List<LocalChange> changes = decode(pending.body());
        String batchId;
        try {
            batchId = retry.call(() -> api.submit(pending.namespace(), pending.idempotencyKey(),
                    changes.stream().map(LocalChange::change).toList()));
        } catch (ApiException e) {
            if (e.retryable() || e.unauthorized() || e.status() < 400 || e.status() >= 500) {
                throw e;
            }
            state.settle(pending);
            Map<String, String> refused = new TreeMap<>();
            if (changes.size() == 1) {
                refused.put(changes.get(0).change().path(), "the server refused it: " + e.getMessage());
                return refused;
            }
            int half = changes.size() / 2;
            for (List<LocalChange> part : List.of(changes.subList(0, half), changes.subList(half, changes.size()))) {
                refused.putAll(settle(state.enqueue(UUID.randomUUID().toString(), pending.namespace(), encode(part), clock.instant())));
            }
            return refused;
        }
        Remote.Batch batch = awaitOutcomes(batchId);
        for (Outcome o : batch.outcomes()) {
            record(changes.get(o.changeIndex()), o);
        }
        state.settle(pending);
        return Map.of();
    }

    /** Waits until the server has decided every change of the batch (and the feed shows it). */
    public Remote.Batch awaitOutcomes(String batchId) throws IOException {
        long deadline = System.nanoTime() + outcomeTimeout.toNanos();
        long pause = 10;
        while (true) {
            Remote.Batch batch = retry.call(() -> api.batch(batchId));
            if (batch.done()) {
                return batch;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("the server has not decided batch " + batchId + " after " + outcomeTimeout.toSeconds()
                        + " s; it is kept and sent again next round");
            }
            try {
                Thread.sleep(pause); // polling the server for an outcome it will publish; no local condition to await
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for batch " + batchId, e);
            }
            pause = Math.min(200, pause * 2);
        }
    }

    /** Records what the server decided about one local change; what it changed elsewhere comes with the next pull. */
    private void record(LocalChange local, Outcome o) throws IOException {
        Change c = local.change();
        long seq = o.seq().orElse(0L);
        switch (o.kind()) {
            case APPLIED, DUPLICATE -> {
                pushed++;
                if (c.delete()) {
                    state.removeFileId(c.fileId());
                    log.accept("sent deletion of " + c.path());
                } else {
                    state.put(new SyncedFile(c.path(), c.fileId(), c.vector(), c.manifest(), local.seen().size(),
                            local.seen().mtimeNanos(), local.seen().inode(), seq));
                    log.accept("sent " + c.path());
                    if (o.kind() == Remote.Kind.APPLIED && !o.currentVector().equals(c.vector())) {
                        // The server combined this change with a concurrent one (a rename with an edit, an
                        // edit with a delete, a newer office document): the next pull brings its result.
                        state.defer(c.fileId());
                    }
                }
            }
            case STALE -> log.accept("the server has a newer version of " + c.path() + "; pulling it");
            case CONFLICT -> conflict(local, o);
        }
    }

    private void conflict(LocalChange local, Outcome o) throws IOException {
        Change c = local.change();
        if (FolderScanner.isFolderMarker(c.path())) {
            String from = FolderScanner.markedFolder(c.path());
            Optional<String> to = o.conflictPath().map(FolderScanner::markedFolder).filter(f -> !f.equals(from));
            state.removeFileId(c.fileId());
            if (to.isPresent() && o.conflictFileId().isPresent() && !c.delete()) {
                // The folder's name is a file's on the server: this empty folder was kept under the copy's name.
                try {
                    folder.moveEmptyFolder(from, to.get());
                    state.put(new SyncedFile(o.conflictPath().get(), o.conflictFileId().get(), c.vector(), c.manifest(), 0, 0, null, 0));
                    log.accept("conflict: the folder " + from + " was kept as " + to.get() + " (a file has its name)");
                } catch (FolderAccess.Refused | java.nio.file.NoSuchFileException e) {
                    state.defer(o.conflictFileId().get()); // not empty any more, or taken: the next rounds sort it out
                }
                conflicts++;
            }
            // Otherwise another device marked the same folder first: its marker stands for both.
            return;
        }
        conflicts++;
        if (o.conflictPath().isEmpty() || o.conflictFileId().isEmpty()) {
            log.accept("conflict: " + c.path() + " was changed on another device; restoring its version");
            state.removeFileId(c.fileId());
            state.defer(c.fileId());
            return;
        }
        String copyId = o.conflictFileId().get();
        String copyPath = o.conflictPath().get();
        Optional<Remote.FileState> copy = retry.call(() -> api.file(namespace, copyId));
        if (copy.isPresent() && copy.get().mergePending() && !copy.get().deleted() && !copyId.equals(c.fileId())
                && local.seen() != null) {
            // The server is merging this edit into the file: the local file stays as it is until the merge lands.
            state.put(new SyncedFile(c.path(), c.fileId(), c.vector(), c.manifest(), local.seen().size(), local.seen().mtimeNanos(),
                    local.seen().inode(), 0));
            state.awaitMerge(c.fileId(), copyId);
            state.defer(c.fileId());
            log.accept("merging: " + c.path() + " changed here and on another device; the server is merging the two");
            return;
        }
        // The server kept this device's version as a copy: move the local file there (when it is still as sent) ...
        boolean moved = false;
        if (local.seen() != null) {
            try {
                LocalTree.Entry expected = LocalTree.Entry.file(c.path(), local.seen().size(), local.seen().mtimeNanos(),
                        local.seen().inode());
                folder.move(c.path(), copyPath, expected);
                LocalTree.Entry now = folder.lstat(copyPath).orElseThrow();
                // Recorded with the vector sent, which the copy carries: a later edit of the copy dominates it.
                state.put(new SyncedFile(copyPath, copyId, c.vector(), c.manifest(), now.size(), now.mtimeNanos(), now.inode(), 0));
                moved = true;
                pruneAfter(c.path());
            } catch (FolderAccess.Refused | java.nio.file.NoSuchFileException e) {
                // changed again, or the copy's name is taken here: the next pull brings the copy as a file of its own
            }
        }
        log.accept("conflict: kept this device's " + c.path() + " as " + copyPath);
        if (!copyId.equals(c.fileId()) || !moved) {
            state.removeFileId(c.fileId());
        }
        // ... and bring the server's version of the file, of the copy, and of whatever now holds the contested path.
        state.defer(c.fileId());
        state.defer(copyId);
        retry.call(() -> api.files(namespace, c.path())).stream().filter(f -> f.path().equals(c.path()))
                .forEach(f -> state.defer(f.fileId()));
    }

    /** Removes the folders a local file left empty, except those kept on purpose (a marker). */
    private void pruneAfter(String path) {
        Set<String> kept = new HashSet<>();
        for (String p : state.markerPaths(FolderScanner.FOLDER_MARKER)) {
            if (FolderScanner.isFolderMarker(p)) {
                kept.add(FolderScanner.markedFolder(p));
            }
        }
        int slash = path.lastIndexOf('/');
        try {
            folder.pruneEmptyFolders(slash < 0 ? "" : path.substring(0, slash), kept);
        } catch (IOException e) {
            // a folder left behind is harmless: it is sent as an empty folder, or pruned next time
        }
    }

    // ---------------------------------------------------------------- local files

    /** A file's manifest and the stat that held both before and after it was read. */
    private Optional<PushPlanner.Read> stableRead(String path) throws IOException {
        for (int attempt = 0; attempt < STABLE_READ_ATTEMPTS; attempt++) {
            Optional<LocalTree.Entry> before = folder.lstat(path).filter(e -> e.kind() == LocalTree.Kind.FILE);
            if (before.isEmpty()) {
                return Optional.empty();
            }
            List<ChunkRef> refs;
            try (InputStream in = Files.newInputStream(folder.resolveChecked(path))) {
                refs = chunker.manifestOf(in);
            } catch (java.nio.file.NoSuchFileException e) {
                return Optional.empty();
            }
            Optional<LocalTree.Entry> after = folder.lstat(path);
            if (before.equals(after)) {
                LocalTree.Entry s = after.get();
                return Optional.of(new PushPlanner.Read(new Manifest(refs), new LocalFile(path, s.size(), s.mtimeNanos(), s.inode())));
            }
        }
        log.accept("skipped " + path + ": it keeps changing while being read");
        return Optional.empty();
    }

    private Optional<Manifest> readManifest(String path) throws IOException {
        return stableRead(path).map(PushPlanner.Read::manifest);
    }

    // ---------------------------------------------------------------- the queue's encoding

    private static String encode(List<LocalChange> changes) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (LocalChange l : changes) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("fileId", l.change().fileId());
            m.put("path", l.change().path());
            m.put("delete", l.change().delete());
            m.put("vector", LocalState.json(l.change().vector()));
            m.put("manifest", LocalState.json(l.change().manifest()));
            if (l.seen() != null) {
                m.put("size", l.seen().size());
                m.put("mtimeNanos", l.seen().mtimeNanos());
                m.put("inode", l.seen().inode());
            }
            items.add(m);
        }
        return JSON.writeValueAsString(items);
    }

    private static List<LocalChange> decode(String body) {
        List<LocalChange> changes = new ArrayList<>();
        for (JsonNode n : JSON.readTree(body)) {
            Change c = new Change(n.get("fileId").asString(), n.get("path").asString(), n.get("delete").asBoolean(),
                    LocalState.vectorOf(n.get("vector").asString()), LocalState.manifestOf(n.get("manifest").asString()));
            LocalFile seen = n.has("size") ? new LocalFile(c.path(), n.get("size").asLong(), n.get("mtimeNanos").asLong(),
                    n.get("inode").asString()) : null;
            changes.add(new LocalChange(c, seen));
        }
        return changes;
    }
}
