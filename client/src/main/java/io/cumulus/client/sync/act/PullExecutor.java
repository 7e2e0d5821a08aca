package io.cumulus.client.sync.act;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import io.cumulus.client.api.ApiException;
import io.cumulus.client.scan.FolderScanner;
import io.cumulus.client.scan.LocalTree;
import io.cumulus.client.state.LocalState;
import io.cumulus.client.state.LocalState.SyncedFile;
import io.cumulus.client.sync.plan.Action;
import io.cumulus.client.sync.plan.RemoteEntry;
import io.cumulus.sync.manifest.Manifest;

/**
 * Carries out a pull plan in its order, except that consecutive downloads run several at once
 * (those that share a name one after the other); their results are recorded here, in the plan's
 * order, as each finishes. An action that fails (a name this disk refuses,
 * a permission, a full disk, a folder that turned into a link since the scan) is recorded as
 * skipped with its reason and the rest go on; only an unreachable server stops the round, since
 * then nothing else could be fetched either.
 */
public final class PullExecutor {
    /** Files written at once: network round trips and disk writes overlap, a few chunks in memory each. */
    static final int DOWNLOADERS = 6;
    /** Files up to this size are fetched several to a request, up to these counts. */
    static final long SMALL_FILE = 256 * 1024;
    static final int SMALL_PER_TASK = 64;
    static final long SMALL_TASK_BYTES = 2 * 1024 * 1024;
    private final FolderAccess folder;
    private final LocalState state;
    private final FileWriter writer;
    private final ManifestReader reader;
    private final Consumer<String> log;
    private final Clock clock;
    private final Set<String> pruneFrom = new HashSet<>();
    /** The evicted files when the plan started, by file id, with since when (see {@code sync.evict}). */
    private final Map<String, java.time.Instant> evictedSince = new java.util.HashMap<>();

    /** What a plan did, for the round's summary. */
    public record Done(int downloaded, int deletedLocally, int newlySkipped) {
    }

    /** Reads a local file's manifest steadily (two equal stats around the read); empty while it keeps changing. */
    public interface ManifestReader {
        Optional<Manifest> read(String path) throws IOException;
    }

    public PullExecutor(FolderAccess folder, LocalState state, FileWriter writer, ManifestReader reader, Consumer<String> log,
                        Clock clock) {
        this.folder = folder;
        this.state = state;
        this.writer = writer;
        this.reader = reader;
        this.log = log;
        this.clock = clock;
    }

    public Done execute(List<Action> plan) {
        state.evicted().values().forEach(e -> evictedSince.put(e.file().fileId(), e.since()));
        ExecutorService pool = Executors.newFixedThreadPool(DOWNLOADERS, r -> {
            Thread t = new Thread(r, "cumulus-download");
            t.setDaemon(true);
            return t;
        });
        Tally tally = new Tally();
        Downloads downloads = new Downloads(pool, tally);
        try {
            for (Action action : plan) {
                if (action instanceof Action.Download d) {
                    downloads.add(d);
                    continue;
                }
                // Whatever is not a download may depend on what the downloads before it did (a path freed, a folder
                // made): they finish first, and the plan's order holds.
                downloads.finish();
                tally.count(action, () -> run(action));
            }
            downloads.finish();
        } finally {
            pool.shutdownNow();
        }
        prune();
        return new Done(tally.downloaded, tally.deleted, tally.skipped);
    }

    /**
     * The downloads under way: each file on a thread of its own, except small files, which go
     * several to a task whose chunks come in one request. At most {@code DOWNLOADERS * 2} tasks
     * wait or run; two downloads that share a name never overlap. Results are recorded on the
     * calling thread, oldest task first.
     */
    private final class Downloads {
        private final ExecutorService pool;
        private final Tally tally;
        private final java.util.ArrayDeque<List<Map.Entry<Action.Download, CompletableFuture<LocalTree.Entry>>>> tasks =
                new java.util.ArrayDeque<>();
        private final Set<String> busy = new HashSet<>();
        private final List<Action.Download> small = new ArrayList<>();
        private long smallBytes;

        Downloads(ExecutorService pool, Tally tally) {
            this.pool = pool;
            this.tally = tally;
        }

        void add(Action.Download d) {
            Set<String> touches = touches(d);
            if (touches.stream().anyMatch(busy::contains)) {
                finish();
            }
            busy.addAll(touches);
            if (d.entry().manifest().size() <= SMALL_FILE) {
                small.add(d);
                smallBytes += d.entry().manifest().size();
                if (small.size() >= SMALL_PER_TASK || smallBytes >= SMALL_TASK_BYTES) {
                    submitSmall();
                }
            } else {
                submit(List.of(d), false);
            }
        }

        private void submitSmall() {
            if (!small.isEmpty()) {
                submit(List.copyOf(small), true);
                small.clear();
                smallBytes = 0;
            }
        }

        private void submit(List<Action.Download> files, boolean prefetch) {
            while (tasks.size() >= DOWNLOADERS * 2) {
                record(tasks.removeFirst());
            }
            List<Map.Entry<Action.Download, CompletableFuture<LocalTree.Entry>>> task = new ArrayList<>();
            files.forEach(d -> task.add(Map.entry(d, new CompletableFuture<>())));
            tasks.addLast(task);
            pool.execute(() -> {
                Map<io.cumulus.sync.manifest.ChunkId, byte[]> fetched = Map.of();
                try {
                    if (prefetch) {
                        fetched = writer.prefetch(files.stream().map(d -> d.entry().manifest()).toList());
                    }
                    for (Map.Entry<Action.Download, CompletableFuture<LocalTree.Entry>> f : task) {
                        RemoteEntry e = f.getKey().entry();
                        try {
                            f.getValue().complete(writer.write(e.path(), e.manifest(), f.getKey().replaces(), fetched));
                        } catch (Throwable t) {
                            f.getValue().completeExceptionally(t);
                        }
                    }
                } catch (Throwable t) {
                    task.forEach(f -> f.getValue().completeExceptionally(t));
                }
            });
        }

        /** Waits for every download under way and records each. */
        void finish() {
            submitSmall();
            ApiException stop = null;
            while (!tasks.isEmpty()) {
                try {
                    record(tasks.removeFirst());
                } catch (ApiException e) {
                    stop = stop == null ? e : stop; // the files already written are still recorded
                }
            }
            busy.clear();
            if (stop != null) {
                throw stop;
            }
        }

        private void record(List<Map.Entry<Action.Download, CompletableFuture<LocalTree.Entry>>> task) {
            ApiException[] stop = new ApiException[1];
            // The task's files are on disk already: their records commit together.
            state.atomically(() -> {
                for (Map.Entry<Action.Download, CompletableFuture<LocalTree.Entry>> f : task) {
                    Action.Download d = f.getKey();
                    try {
                        tally.count(d, () -> downloaded(d, written(f.getValue())));
                    } catch (ApiException e) {
                        stop[0] = stop[0] == null ? e : stop[0];
                    }
                }
            });
            if (stop[0] != null) {
                throw stop[0];
            }
        }
    }

    /** The names a download writes or removes: two downloads that share one never run together. */
    private static Set<String> touches(Action.Download d) {
        Set<String> names = new HashSet<>();
        names.add(d.entry().path().toLowerCase(java.util.Locale.ROOT));
        if (d.previous() != null) {
            names.add(d.previous().path().toLowerCase(java.util.Locale.ROOT));
        }
        return names;
    }

    private static LocalTree.Entry written(Future<LocalTree.Entry> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(String.valueOf(cause), cause);
        }
    }

    /** One action's effect counted, or its failure recorded as a skip; an unreachable server or a revoked device stops the round. */
    private final class Tally {
        int downloaded;
        int deleted;
        int skipped;

        void count(Action action, EffectCall call) {
            try {
                switch (call.run()) {
                    case WROTE -> downloaded++;
                    case DELETED -> deleted++;
                    case SKIPPED -> skipped++;
                    case NOTHING -> {
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                if (skip(action, reason(e))) {
                    skipped++;
                }
            } catch (ApiException e) {
                if (e.retryable() || e.unauthorized()) {
                    throw e; // the server is down or this device was revoked: nothing else can be fetched either
                }
                if (skip(action, e.getMessage())) {
                    skipped++;
                }
            } catch (RuntimeException e) {
                // A name this platform cannot encode (java.nio.file.InvalidPathException), or anything else one entry
                // brings: that entry is skipped with the reason, the others go on.
                if (skip(action, String.valueOf(e.getMessage()))) {
                    skipped++;
                }
            }
        }
    }

    private interface EffectCall {
        Effect run() throws IOException;
    }

    private enum Effect { WROTE, DELETED, SKIPPED, NOTHING }

    private Effect run(Action action) throws IOException {
        return switch (action) {
            case Action.Download d -> downloaded(d, writer.write(d.entry().path(), d.entry().manifest(), d.replaces()));
            case Action.Move m -> move(m);
            case Action.Adopt a -> {
                settled(a.fileId(), a.path());
                state.put(record(a.entry(), a.there()));
                yield Effect.NOTHING;
            }
            case Action.AdoptIfSame a -> adoptIfSame(a);
            case Action.DeleteLocal d -> delete(d);
            case Action.StayEvicted s -> stayEvicted(s);
            case Action.RemovePlaceholder r -> removePlaceholder(r);
            case Action.MakeFolder m -> makeFolder(m);
            case Action.RemoveFolder r -> {
                settled(r.fileId(), r.path());
                state.removeFileId(r.fileId());
                pruneFrom.add(FolderScanner.markedFolder(r.known().path()));
                yield Effect.NOTHING;
            }
            case Action.Forget f -> {
                settled(f.fileId(), f.path());
                yield Effect.NOTHING;
            }
            case Action.KeepBoth k -> {
                keepBoth(k.fileId(), "conflict: " + k.reason());
                yield Effect.NOTHING;
            }
            case Action.Skip s -> skip(s, s.reason()) ? Effect.SKIPPED : Effect.NOTHING;
            case Action.Wait w -> Effect.NOTHING;
        };
    }

    /** Records a download the writer finished (in this thread, in the plan's order). */
    private Effect downloaded(Action.Download d, LocalTree.Entry written) throws IOException {
        RemoteEntry e = d.entry();
        settled(e.fileId(), e.path());
        state.put(record(e, written));
        if (d.previous() != null) {
            removePrevious(d.previous(), e.path());
        }
        if (evictedSince.remove(e.fileId()) != null) {
            // An evicted file whose new name was taken here by another file is downloaded there: its placeholder goes.
            state.materialised(e.fileId());
            folder.deletePlaceholder(d.previous() != null ? d.previous().path() : e.path());
        }
        log.accept("downloaded " + e.path() + " (" + e.manifest().size() + " bytes)");
        return Effect.WROTE;
    }

    /** After a rename with new content: the old name goes, unless it changed here (then it stays, and is sent as a file of its own). */
    private void removePrevious(SyncedFile previous, String now) throws IOException {
        if (previous.path().equals(now)) {
            return;
        }
        try {
            Optional<LocalTree.Entry> there = folder.lstat(previous.path());
            if (there.isPresent() && there.get().path().equals(previous.path()) && !sameSpot(previous.path(), now)) {
                folder.deleteFile(previous.path(), expected(previous));
            }
        } catch (FolderAccess.Refused kept) {
            log.accept("kept " + previous.path() + ": " + kept.getMessage());
        }
        pruneFrom.add(parent(previous.path()));
    }

    /** Whether two names reach the same file (a case-only rename on a case-insensitive disk). */
    private boolean sameSpot(String a, String b) throws IOException {
        Optional<LocalTree.Entry> x = folder.lstat(a);
        Optional<LocalTree.Entry> y = folder.lstat(b);
        return x.isPresent() && y.isPresent() && x.get().inode() != null && !"null".equals(x.get().inode())
                && x.get().inode().equals(y.get().inode());
    }

    private Effect move(Action.Move m) throws IOException {
        RemoteEntry e = m.entry();
        LocalTree.Entry before = expected(m.from());
        folder.move(m.from().path(), e.path(), before);
        // The stat checked before the rename, which a rename keeps: an edit made just after it is still seen as one.
        LocalTree.Entry moved = LocalTree.Entry.file(e.path(), before.size(), before.mtimeNanos(), before.inode());
        settled(e.fileId(), e.path());
        state.put(record(e, moved));
        writer.remember(e.path(), e.manifest());
        pruneFrom.add(parent(m.from().path()));
        log.accept("moved " + m.from().path() + " -> " + e.path());
        return Effect.WROTE;
    }

    private Effect adoptIfSame(Action.AdoptIfSame a) throws IOException {
        RemoteEntry e = a.entry();
        Optional<LocalTree.Entry> before = folder.lstat(a.there().path());
        Optional<Manifest> local = reader.read(a.there().path());
        Optional<LocalTree.Entry> after = folder.lstat(a.there().path());
        if (local.isPresent() && local.get().equals(e.manifest()) && before.equals(after) && after.isPresent()) {
            settled(e.fileId(), e.path());
            state.put(record(new RemoteEntry(e.seq(), e.fileId(), a.there().path(), false, e.vector(), e.manifest(), false),
                    after.get()));
            return Effect.NOTHING;
        }
        keepBoth(e.fileId(), "conflict: " + e.path() + " exists here with other content; both are kept (this one is sent as a file of its own)");
        return Effect.NOTHING;
    }

    private Effect delete(Action.DeleteLocal d) throws IOException {
        SyncedFile known = d.known();
        boolean removed;
        try {
            removed = folder.deleteFile(known.path(), expected(known));
        } catch (FolderAccess.Refused changed) {
            keepBoth(d.fileId(), "conflict: " + changed.getMessage() + " (deleted on another device; this version is sent)");
            return Effect.NOTHING;
        }
        settled(d.fileId(), d.path());
        state.removeFileId(d.fileId());
        pruneFrom.add(parent(known.path()));
        if (removed) {
            log.accept("deleted " + known.path());
            return Effect.DELETED;
        }
        return Effect.NOTHING;
    }

    /**
     * The placeholder now stands for the new version at the new path: written there first, then the
     * record moves on, then the old placeholder goes; a crash in between leaves a placeholder the
     * next round rewrites or removes.
     */
    private Effect stayEvicted(Action.StayEvicted s) throws IOException {
        RemoteEntry e = s.entry();
        java.time.Instant since = evictedSince.getOrDefault(e.fileId(), clock.instant());
        SyncedFile now = new SyncedFile(e.path(), e.fileId(), e.vector(), e.manifest(), e.manifest().size(), s.known().mtimeNanos(),
                s.known().inode(), e.seq());
        folder.writePlaceholder(e.path(), io.cumulus.client.sync.evict.Placeholder.of(now, since).encode());
        settled(e.fileId(), e.path());
        state.put(now);
        if (!s.known().path().equals(e.path())) {
            folder.deletePlaceholder(s.known().path());
            pruneFrom.add(parent(s.known().path()));
            log.accept("moved " + s.known().path() + " -> " + e.path() + " (evicted: its placeholder moved)");
        } else {
            log.accept("updated the placeholder of " + e.path() + " (" + e.manifest().size() + " bytes, evicted)");
        }
        return Effect.WROTE;
    }

    private Effect removePlaceholder(Action.RemovePlaceholder r) throws IOException {
        boolean removed = folder.deletePlaceholder(r.known().path());
        settled(r.fileId(), r.path());
        state.atomically(() -> {
            state.removeFileId(r.fileId());
            state.materialised(r.fileId());
        });
        evictedSince.remove(r.fileId());
        pruneFrom.add(parent(r.known().path()));
        log.accept("deleted " + r.known().path() + " (evicted: its placeholder removed)");
        return removed ? Effect.DELETED : Effect.NOTHING;
    }

    private Effect makeFolder(Action.MakeFolder m) throws IOException {
        boolean created = !m.folder().isEmpty() && folder.makeFolder(m.folder());
        settled(m.fileId(), m.path());
        RemoteEntry e = m.entry();
        state.put(new SyncedFile(e.path(), e.fileId(), e.vector(), e.manifest(), 0, 0, null, e.seq()));
        if (created) {
            log.accept("created folder " + m.folder());
            return Effect.WROTE;
        }
        return Effect.NOTHING;
    }

    /** The local version is kept and sent; the remote one is looked at again next round. */
    private void keepBoth(String fileId, String message) {
        if (state.defer(fileId)) {
            log.accept(message);
        }
    }

    /** Records a skip; true (and logged) when it is new or its reason changed. */
    private boolean skip(Action action, String reason) {
        state.undefer(action.fileId());
        if (state.skipRemote(action.fileId(), action.path(), reason, clock.instant())) {
            log.accept("skipped " + action.path() + ": " + reason);
            return true;
        }
        return false;
    }

    private void settled(String fileId, String path) {
        state.undefer(fileId);
        if (state.unskipRemote(fileId)) {
            log.accept("no longer skipped: " + path);
        }
    }

    /** Removes the folders that deletions and moves left empty, except those kept on purpose (a marker). */
    private void prune() {
        Set<String> kept = state.markedFolders();
        for (String from : pruneFrom) {
            try {
                folder.pruneEmptyFolders(from, kept);
            } catch (IOException e) {
                // a folder left behind is harmless: it is sent as an empty folder, or pruned next time
            }
        }
        pruneFrom.clear();
    }

    static SyncedFile record(RemoteEntry e, LocalTree.Entry stat) {
        return new SyncedFile(e.path(), e.fileId(), e.vector(), e.manifest(), stat.size(), stat.mtimeNanos(), stat.inode(), e.seq());
    }

    static LocalTree.Entry expected(SyncedFile s) {
        return LocalTree.Entry.file(s.path(), s.size(), s.mtimeNanos(), s.inode());
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    private static String reason(Exception e) {
        Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
        String m = t.getMessage();
        if (t instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            m = fse.getReason();
        }
        return m == null ? t.getClass().getSimpleName() : m;
    }
}
