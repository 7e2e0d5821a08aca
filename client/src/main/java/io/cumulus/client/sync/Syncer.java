package io.cumulus.client.sync;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;

import io.cumulus.client.api.Remote;
import io.cumulus.client.api.Remote.Event;
import io.cumulus.client.api.Remote.Feed;
import io.cumulus.client.api.Retry;
import io.cumulus.client.api.ServerApi;
import io.cumulus.client.scan.FolderScanner;
import io.cumulus.client.scan.FolderScanner.LocalFile;
import io.cumulus.client.scan.FolderScanner.Scan;
import io.cumulus.client.scan.LocalTree;
import io.cumulus.client.state.FolderLock;
import io.cumulus.client.state.LocalState;
import io.cumulus.client.state.LocalState.SyncedFile;
import io.cumulus.client.sync.act.BatchSender;
import io.cumulus.client.sync.act.ChunkDeltas;
import io.cumulus.client.sync.act.ChunksOnServer;
import io.cumulus.client.sync.act.FileWriter;
import io.cumulus.client.sync.act.FolderAccess;
import io.cumulus.client.sync.act.PullExecutor;
import io.cumulus.client.sync.act.UploadPipe;
import io.cumulus.client.sync.act.Uploader;
import io.cumulus.client.sync.evict.EvictionPlanner;
import io.cumulus.client.sync.evict.Evictor;
import io.cumulus.client.sync.evict.StorageLimit;
import io.cumulus.client.sync.plan.Action;
import io.cumulus.client.sync.plan.LocalNames;
import io.cumulus.client.sync.plan.Mounts;
import io.cumulus.client.sync.plan.PullPlanner;
import io.cumulus.client.sync.plan.PushPlanner;
import io.cumulus.client.sync.plan.PushPlanner.LocalChange;
import io.cumulus.client.sync.plan.RemoteEntry;
import io.cumulus.sync.chunking.FastCdcChunker;
import io.cumulus.sync.manifest.ChunkRef;
import io.cumulus.sync.manifest.Manifest;

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
    private static final int FEED_PAGE = 1_000;
    /** Feed events collapsed and applied together: a device far behind applies each file's latest state once per window. */
    private static final int FEED_WINDOW = 20_000;
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
    private Progress progress = Progress.NONE;
    /** The folder whose lock a round holds: the folder itself, or for a mounted share the home folder it is in. */
    private Path lockedFolder;
    /** The shares mounted in this folder, which it leaves to their own syncers (decision 0030). */
    private Mounts mounts = Mounts.none();
    /** Why nothing here is sent (a share this account only views), or null when the folder is sent as usual. */
    private String readOnly;

    /** What one round did. */
    public record Round(int pushed, int downloaded, int deletedLocally, int conflicts, long bytesUploaded, long bytesDownloaded) {
        public boolean changedAnything() {
            return pushed + downloaded + deletedLocally + conflicts > 0;
        }
    }

    private final BatchSender sender;
    private final Evictor evictor;
    private int downloaded;
    private int deletedLocally;
    private long bytesUploaded;
    private long bytesDownloaded;

    public Syncer(Path root, String namespace, String deviceId, ServerApi api, LocalState state, Consumer<String> log,
                  Retry retry, Clock clock, Duration outcomeTimeout) {
        this.root = root.toAbsolutePath().normalize();
        this.lockedFolder = this.root;
        this.folder = new FolderAccess(this.root);
        this.names = LocalNames.forFolder(this.root);
        this.namespace = namespace;
        this.deviceId = deviceId;
        this.api = api;
        this.state = state;
        this.log = log;
        this.retry = retry;
        this.clock = clock;
        this.evictor = new Evictor(folder, state, log, clock);
        this.sender = new BatchSender(folder, names, namespace, api, state, log, retry, clock, outcomeTimeout);
    }

    /** Waits until the server has decided every change of the batch (and the feed shows it). */
    public Remote.Batch awaitOutcomes(String batchId) throws IOException {
        return sender.awaitOutcomes(batchId);
    }

    /** A syncer as the CLI runs it: default retries, the system clock, a minute for each batch's outcome. */
    public static Syncer forDevice(Path root, String namespace, String deviceId, ServerApi api, LocalState state,
                                   Consumer<String> log) {
        return new Syncer(root, namespace, deviceId, api, state, log, Retry.defaults(), Clock.systemUTC(), Duration.ofSeconds(60));
    }

    /**
     * A share mounted in the home folder {@code home}: its rounds hold the home folder's lock (the
     * mount has no state directory of its own, decision 0030).
     */
    public Syncer lockingAs(Path home) {
        this.lockedFolder = home.toAbsolutePath().normalize();
        return this;
    }

    /** Leaves the folders of {@code mounts} to their own syncers, and deletes home's copies once a mount holds them. */
    public Syncer excluding(Mounts mounts) {
        this.mounts = mounts;
        return this;
    }

    /**
     * Sends nothing from this folder (a share this account views): local edits, new files and
     * deletions stay on disk and are listed as not sent, with {@code reason}; null sends as usual.
     */
    public Syncer readOnly(String reason) {
        this.readOnly = reason;
        return this;
    }

    /** Where long transfers report how they go (a terminal line, or nothing). */
    public Syncer withProgress(Progress progress) {
        this.progress = progress;
        return this;
    }

    /**
     * One round: settle, pull, push, pull. With originals on demand ({@code sync.evict}) the
     * placeholders are first reconciled with the state, and after the round the least recently used
     * originals go until the folder fits its limit.
     */
    public Round syncOnce() throws IOException {
        try (FolderLock held = FolderLock.hold(lockedFolder)) {
            return round();
        }
    }

    private Round round() throws IOException {
        downloaded = deletedLocally = 0;
        bytesUploaded = 0;
        bytesDownloaded = 0;
        sender.takePushed();
        sender.takeConflicts();
        boolean onDemand = Evictor.enabled(state);
        if (onDemand) {
            evictor.reconcile();
        }
        if (readOnly != null) {
            // A viewer's folder: what the server has comes in (never over a local edit), nothing goes out.
            pull();
            notSentReadOnly();
        } else {
            sender.settlePending();
            pull();
            push();
            pull();
        }
        if (onDemand) {
            evictOverLimit();
        }
        state.lastSync(clock.instant());
        return new Round(sender.takePushed(), downloaded, deletedLocally, sender.takeConflicts(), bytesUploaded, bytesDownloaded);
    }

    /** Evicts least recently used originals while the folder's originals exceed its limit, if it has one. */
    private void evictOverLimit() throws IOException {
        Optional<StorageLimit> limit = StorageLimit.of(state);
        if (limit.isEmpty()) {
            return;
        }
        Evictor.Done done = evictor.evict(limit.get(), Set.of());
        evictor.reconcile(); // placeholders of files edited or renamed on other devices this round: rewritten now
        if (!done.fits() && !done.evicted().isEmpty()) {
            log.accept("the originals that cannot be evicted (changed here, not yet sent) hold " + StorageLimit.human(done.bytesAfter())
                    + ", more than the limit of " + limit.get());
        }
    }

    /** Records every local change of a read-only folder as not sent, with why (status lists them). */
    private void notSentReadOnly() throws IOException {
        Scan scan = scan();
        Map<String, String> notSent = new TreeMap<>();
        PushPlanner.waiting(scan, state.files()).forEach(p -> notSent.put(p, readOnly));
        scan.skipped().forEach(s -> notSent.put(s.path(), s.reason()));
        Set<String> before = new HashSet<>();
        state.skipped().stream().filter(s -> s.side().equals("local")).forEach(s -> before.add(s.path()));
        notSent.keySet().stream().filter(p -> !before.contains(p)).forEach(p -> log.accept("not sent: " + p + ": " + notSent.get(p)));
        state.skippedLocally(notSent, clock.instant());
    }

    /** The folder as the planners see it: evicted files stand where their placeholders are; mounted shares are left out. */
    private Scan scan() throws IOException {
        return EvictionPlanner.withStandIns(FolderScanner.scan(root, mounts.paths()),
                state.evicted().values().stream().map(LocalState.Evicted::file).toList());
    }

    /**
     * Rounds until one changes nothing and no edit from here waits for the server's merge (at most
     * {@code maxRounds}); true when the folder is in sync.
     */
    public boolean syncUntilStable(int maxRounds) throws IOException {
        long pause = 100;
        for (int i = 0; i < maxRounds; i++) {
            Round round = syncOnce();
            boolean merging = !state.awaitingMerge().isEmpty();
            if (!round.changedAnything() && !merging) {
                return true;
            }
            if (merging && !round.changedAnything()) {
                try {
                    Thread.sleep(pause); // the merge worker decides on the server; nothing here to await but its answer
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for the server's merge", e);
                }
                pause = Math.min(2_000, pause * 2);
            }
        }
        return false;
    }

    /**
     * The server refused changes for a chunk it lacks, which this device believed it had (a synced
     * file references it, see {@link ChunksOnServer}): asks about every chunk of the refused changes,
     * uploads the missing ones and sends those changes again, in this round, since a later round
     * would believe the same; returns what is still refused.
     */
    private Map<String, String> resendRefused(List<LocalChange> sent, Map<String, String> refused) throws IOException {
        List<LocalChange> again = sent.stream().filter(l -> refused.containsKey(l.change().path())).toList();
        Uploader uploader = new Uploader(folder, api, retry, progress, log, chunker, ChunksOnServer.none(),
                new ChunkDeltas(folder, api, Map.of()));
        List<LocalChange> uploaded = uploader.upload(again);
        bytesUploaded += uploader.bytesUploaded();
        Map<String, String> still = new TreeMap<>(refused);
        uploaded.forEach(l -> still.remove(l.change().path()));
        still.putAll(sender.send(uploaded));
        return still;
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
            if (newest == 0 && !state.hasFiles() && state.pending().isEmpty()) {
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
                // The page may leave out this device's own events (ServerApi.feed): its cursor and fullness count them.
                newest = Math.max(newest, feed.lastSeq());
                boolean more = feed.read() >= FEED_PAGE && feed.lastSeq() > after;
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
        Scan scan = scan();
        // Entries under a mounted share are not written here; a record there whose file left or was deleted is forgotten.
        Mounts.PullSplit split = mounts.forPull(latest, state.files());
        split.dropped().forEach(state::removeFileId);
        latest = split.toPlan();
        Map<String, SyncedFile> synced = split.synced();
        Set<String> evicted = new HashSet<>();
        state.evicted().values().forEach(e -> evicted.add(e.file().fileId()));
        List<Action> plan = PullPlanner.plan(latest, scan.tree(), synced, names, evicted);
        FileWriter writer = new FileWriter(folder, api, retry, progress, synced.values(),
                new ChunkDeltas(folder, api, synced));
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
                // Merged or released: the original is looked at again (its events may be in an earlier window).
                state.mergeSettled(a.getKey());
                state.defer(a.getKey());
            }
        }
        return entries.stream().filter(e -> !stillMerging.contains(e.fileId())).toList();
    }

    // ---------------------------------------------------------------- push

    /**
     * Sends every local change since the last sync. The files that need reading are read once:
     * their chunks go to the server while later files are still being read ({@link UploadPipe}),
     * and every second or so the new and edited files read so far are committed, as soon as their
     * chunks have landed, so other devices start on them while this one goes on. Deletions, new
     * files on a path another file left, and empty folders wait for the end, when every file has
     * been read: only then is a vanished file known not to have been renamed.
     */
    public void push() throws IOException {
        Scan scan = scan();
        Map<String, SyncedFile> synced = state.files();
        Map<String, PushPlanner.Read> read = new TreeMap<>();
        Map<String, String> notSent = new TreeMap<>();
        Set<String> committed = new HashSet<>();
        // Small files first: each costs the server a change to decide, and those decisions then overlap with the
        // transfer of the large files' bytes.
        List<String> toRead = PushPlanner.needsReading(scan, synced).stream()
                .sorted(java.util.Comparator.comparingLong((String p) -> scan.files().get(p).size()).thenComparing(p -> p))
                .toList();
        if (!toRead.isEmpty()) {
            progress.begin("uploading", toRead.stream().mapToLong(p -> scan.files().get(p).size()).sum());
            try (UploadPipe pipe = new UploadPipe(api, retry, progress, ChunksOnServer.referencedBy(synced.values()),
                    new ChunkDeltas(folder, api, synced));
                 EarlyCommits early = new EarlyCommits(synced)) {
                Map<String, PushPlanner.Read> group = new TreeMap<>();
                int groupFiles = FIRST_EARLY_FILES; // small at first, so other devices start at once; then larger, cheaper batches
                long groupBytes = 0;
                long groupStarted = System.nanoTime();
                for (String path : toRead) {
                    try {
                        Optional<PushPlanner.Read> r = stableRead(path, pipe);
                        if (r.isPresent()) {
                            read.put(path, r.get());
                            group.put(path, r.get());
                            groupBytes += r.get().stat().size();
                        }
                    } catch (IOException e) {
                        notSent.put(path, "cannot be read: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
                    }
                    progress.file();
                    if (group.size() >= groupFiles || groupBytes >= EARLY_BYTES
                            || System.nanoTime() - groupStarted >= EARLY_NANOS) {
                        early.commit(scan, group, pipe.checkpoint());
                        group = new TreeMap<>();
                        groupFiles = Math.min(EARLY_FILES, groupFiles * 2);
                        groupBytes = 0;
                        groupStarted = System.nanoTime();
                    }
                }
                early.commit(scan, group, pipe.checkpoint());
                try {
                    notSent.putAll(early.finish());
                } catch (io.cumulus.client.api.ApiException e) {
                    if (!e.overQuota()) {
                        throw e;
                    }
                    // A chunk refused at the storage quota: what did not get in stays here, and the deletions below still go.
                    Map<String, SyncedFile> now = state.files();
                    List<String> held = toRead.stream().filter(p -> read.get(p) == null || now.get(p) == null
                            || now.get(p).size() != read.get(p).stat().size() || now.get(p).mtimeNanos() != read.get(p).stat().mtimeNanos())
                            .toList();
                    held.forEach(p -> notSent.put(p, BatchSender.OVER_QUOTA));
                    log.accept("over quota: the server takes no new content (" + e.getMessage() + "); " + held.size()
                            + " file(s) not sent; they stay here and go once there is room");
                }
                committed.addAll(early.paths());
                bytesUploaded += pipe.bytesUploaded();
            } finally {
                progress.end();
            }
        }
        // The rest, planned on the folder as it is now (the early batches may have moved a conflicted file aside).
        Scan now = committed.isEmpty() ? scan : scan();
        Map<String, SyncedFile> syncedNow = committed.isEmpty() ? synced : state.files();
        Map<String, PushPlanner.Read> rest = new TreeMap<>();
        for (String path : PushPlanner.needsReading(now, syncedNow)) {
            if (committed.contains(path) || notSent.containsKey(path)) {
                continue; // sent (or refused) a moment ago, or unreadable: the next round looks at it again
            }
            PushPlanner.Read r = read.get(path);
            if (r != null && r.stat().equals(now.files().get(path))) {
                rest.put(path, r);
                continue;
            }
            try {
                stableRead(path).ifPresent(x -> rest.put(path, x));
            } catch (IOException e) {
                notSent.put(path, "cannot be read: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            }
        }
        PushPlanner.Plan plan = PushPlanner.plan(now, syncedNow, rest, deviceId, () -> UUID.randomUUID().toString());
        plan.refreshed().forEach(state::put);
        plan.notSent().forEach(n -> notSent.put(n.path(), n.reason()));
        now.skipped().forEach(s -> notSent.put(s.path(), s.reason()));
        List<LocalChange> changes = withMounts(plan.changes(), syncedNow);
        if (!changes.isEmpty()) {
            // The chunks of synced files are not asked about (ChunksOnServer); should the server lack one, resendRefused.
            Uploader uploader = new Uploader(folder, api, retry, progress, log, chunker, ChunksOnServer.referencedBy(syncedNow.values()),
                    new ChunkDeltas(folder, api, syncedNow));
            try {
                changes = uploader.upload(changes);
            } catch (io.cumulus.client.api.ApiException e) {
                if (!e.overQuota()) {
                    throw e;
                }
                // At the storage quota: what needs no new content (deletions, renames) still goes; the rest stays here.
                ChunksOnServer known = ChunksOnServer.referencedBy(syncedNow.values());
                List<LocalChange> free = changes.stream().filter(c -> c.change().delete()
                        || c.change().manifest().distinctChunkIds().stream().allMatch(known)).toList();
                changes.stream().filter(c -> !free.contains(c)).forEach(c -> notSent.put(c.change().path(), BatchSender.OVER_QUOTA));
                log.accept("over quota: the server takes no new content (" + e.getMessage() + "); "
                        + (changes.size() - free.size()) + " change(s) not sent; they stay here and go once there is room");
                changes = free;
            }
            bytesUploaded += uploader.bytesUploaded();
            sender.takeChunkMissing();
            Map<String, String> refused = sender.send(changes);
            if (sender.takeChunkMissing()) {
                refused = resendRefused(changes, refused);
            }
            notSent.putAll(refused);
        }
        sender.reportOverQuota();
        Set<String> before = new HashSet<>();
        state.skipped().stream().filter(s -> s.side().equals("local")).forEach(s -> before.add(s.path() + "\n" + s.reason()));
        notSent.forEach((path, reason) -> {
            if (!before.contains(path + "\n" + reason)) {
                log.accept("not sent: " + path + ": " + reason);
            }
        });
        state.skippedLocally(notSent, clock.instant());
    }

    /**
     * The push's changes as the mounted shares need them (decision 0030): the deletion of a file
     * moved into a mount waits until the mount has synced it; a home file the mount now holds is deleted.
     */
    private List<LocalChange> withMounts(List<LocalChange> planned, Map<String, SyncedFile> synced) {
        if (mounts.isEmpty()) {
            return planned;
        }
        List<LocalChange> changes = new ArrayList<>();
        for (LocalChange c : planned) {
            SyncedFile was = c.change().delete() ? synced.get(c.change().path()) : null;
            if (was != null && mounts.awaitsMount(was)) {
                continue; // moved into a share that does not have it yet: home keeps it until then
            }
            changes.add(c);
        }
        for (SyncedFile handed : mounts.handedOver(synced)) {
            changes.add(new LocalChange(new Remote.Change(handed.fileId(), handed.path(), true, handed.vector().increment(deviceId),
                    Manifest.empty()), null));
            log.accept("moved into a shared folder: " + handed.path() + " (its copy in the home folder goes to the trash)");
        }
        return changes;
    }

    /** An early commit closes after this many files (the first after fewer, each next after twice as many), bytes read, or this long. */
    private static final int FIRST_EARLY_FILES = 25;
    private static final int EARLY_FILES = 500;
    private static final long EARLY_BYTES = 64L * 1024 * 1024;
    private static final long EARLY_NANOS = 1_000_000_000L;

    /**
     * The new and edited files of the push committed while the rest are still being read: one
     * thread sends each group as soon as the chunks it needs are on the server, in the order the
     * groups were read. Only changes that cannot depend on a file not yet read go early: a new file
     * or an edit on a path no other synced file holds, or a rename of a vanished file (each synced
     * file at most once). The records here are written by that thread alone while it runs.
     */
    private final class EarlyCommits implements AutoCloseable {
        private final Map<String, SyncedFile> unused;
        private final Map<String, SyncedFile> byId = new java.util.HashMap<>();
        private final Set<String> occupied = new HashSet<>();
        private final Set<String> paths = new HashSet<>();
        private final java.util.concurrent.ExecutorService committer = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "cumulus-commit");
            t.setDaemon(true);
            return t;
        });
        private final List<java.util.concurrent.Future<Map<String, String>>> sent = new ArrayList<>();

        EarlyCommits(Map<String, SyncedFile> synced) {
            this.unused = new TreeMap<>(synced);
            synced.values().forEach(f -> {
                occupied.add(f.path());
                byId.put(f.fileId(), f);
            });
        }

        void commit(Scan scan, Map<String, PushPlanner.Read> group, java.util.concurrent.CompletableFuture<Void> chunksLanded) {
            if (group.isEmpty()) {
                return;
            }
            PushPlanner.Plan plan = PushPlanner.plan(scan, unused, group, deviceId, () -> UUID.randomUUID().toString());
            List<LocalChange> changes = new ArrayList<>();
            for (LocalChange c : plan.changes()) {
                SyncedFile was = byId.get(c.change().fileId());
                boolean samePath = was != null && was.path().equals(c.change().path());
                if (c.change().delete() || !group.containsKey(c.change().path())
                        || (!samePath && occupied.contains(c.change().path()))) {
                    continue;
                }
                changes.add(c);
                paths.add(c.change().path());
                if (was != null) {
                    unused.remove(was.path());
                    byId.remove(was.fileId());
                }
            }
            if (changes.isEmpty()) {
                return;
            }
            sent.add(committer.submit(() -> {
                chunksLanded.join();
                sender.takeChunkMissing();
                Map<String, String> refused = sender.send(changes);
                if (sender.takeChunkMissing()) {
                    refused = resendRefused(changes, refused); // a chunk believed on the server was not (see ChunksOnServer)
                }
                return refused;
            }));
        }

        /** Waits for every group; the changes the server refused (path to reason). */
        Map<String, String> finish() throws IOException {
            Map<String, String> refused = new TreeMap<>();
            IOException failure = null;
            RuntimeException stop = null;
            for (java.util.concurrent.Future<Map<String, String>> f : sent) {
                try {
                    refused.putAll(f.get());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while committing", e);
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                            ? c.getCause() : e.getCause();
                    if (cause instanceof RuntimeException r && stop == null) {
                        stop = r;
                    } else if (cause instanceof IOException io && failure == null) {
                        failure = io;
                    } else if (failure == null && stop == null) {
                        failure = new IOException(String.valueOf(cause), cause);
                    }
                }
            }
            sent.clear();
            if (stop != null) {
                throw stop;
            }
            if (failure != null) {
                throw failure;
            }
            return refused;
        }

        /** The paths sent early (accepted, kept as conflicts, or refused). */
        Set<String> paths() {
            return paths;
        }

        @Override
        public void close() {
            committer.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- local files

    /** A file's manifest and the stat that held both before and after it was read. */
    private Optional<PushPlanner.Read> stableRead(String path) throws IOException {
        return stableRead(path, null);
    }

    /** As {@link #stableRead(String)}, offering every chunk to {@code pipe} (when not null) as it is cut. */
    private Optional<PushPlanner.Read> stableRead(String path, UploadPipe pipe) throws IOException {
        for (int attempt = 0; attempt < STABLE_READ_ATTEMPTS; attempt++) {
            Optional<LocalTree.Entry> before = folder.lstat(path).filter(e -> e.kind() == LocalTree.Kind.FILE);
            if (before.isEmpty()) {
                return Optional.empty();
            }
            List<ChunkRef> refs = new ArrayList<>();
            try (InputStream in = Files.newInputStream(folder.resolveChecked(path))) {
                chunker.chunk(in, chunk -> {
                    refs.add(chunk.ref());
                    if (pipe != null) {
                        pipe.offer(chunk, path);
                    }
                });
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

}
