package io.cumulus.client.sync.act;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
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
import io.cumulus.client.api.Remote.Outcome;
import io.cumulus.client.api.Retry;
import io.cumulus.client.api.ServerApi;
import io.cumulus.client.scan.FolderScanner;
import io.cumulus.client.scan.FolderScanner.LocalFile;
import io.cumulus.client.scan.LocalTree;
import io.cumulus.client.state.LocalState;
import io.cumulus.client.state.LocalState.PendingBatch;
import io.cumulus.client.state.LocalState.SyncedFile;
import io.cumulus.client.sync.evict.StorageLimit;
import io.cumulus.client.sync.plan.LocalNames;
import io.cumulus.client.sync.plan.PushPlanner.LocalChange;
import io.cumulus.sync.manifest.ChunkId;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends local changes in batches through the durable queue (the same idempotency key after a
 * crash), waits for the server's verdict on each change, and records it: an accepted change
 * becomes the synced version, a conflicted copy takes the local file to the copy's name, a copy
 * still being merged leaves the file in place until the merge lands. What the server changed
 * elsewhere is held for the next pull. A server that answers it is busy (its pipeline behind) is
 * waited out as it asks ({@link Retry}): said once in the log and kept in the state for {@code status}
 * until it takes a batch again; nothing is refused or marked for it. A batch refused for the storage
 * quota (403 {@code quota-exceeded}) is split so that what fits still goes ({@link #overQuota}); what
 * does not stays here, not sent, and {@link #reportOverQuota} says so once per round.
 */
public final class BatchSender {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final int CHANGES_PER_BATCH = 500;

    private final FolderAccess folder;
    private final LocalNames names;
    private final String namespace;
    private final ServerApi api;
    private final LocalState state;
    private final Consumer<String> log;
    private final Retry retry;
    private final Clock clock;
    private final Duration outcomeTimeout;
    private int pushed;
    private int conflicts;
    private boolean chunkMissing;
    private int overQuotaFiles;
    private long overQuotaBytes;
    private ServerApi.Usage overQuotaUsage;

    /** Why a change was not sent: the account's storage quota is full. {@code sync --once} is not in sync while one is. */
    public static final String OVER_QUOTA = "over quota: the account's storage quota is full; it goes once there is room";

    public BatchSender(FolderAccess folder, LocalNames names, String namespace, ServerApi api, LocalState state, Consumer<String> log, Retry retry,
                       Clock clock, Duration outcomeTimeout) {
        this.folder = folder;
        this.names = names;
        this.namespace = namespace;
        this.api = api;
        this.state = state;
        this.log = log;
        this.retry = retry;
        this.clock = clock;
        this.outcomeTimeout = outcomeTimeout;
    }

    /** Changes the server accepted since the counts were last taken. */
    public int takePushed() {
        int n = pushed;
        pushed = 0;
        return n;
    }

    /** Changes the server kept as conflicts since the counts were last taken. */
    public int takeConflicts() {
        int n = conflicts;
        conflicts = 0;
        return n;
    }

    /**
     * Whether the server refused a batch for a chunk it does not have since this was last asked: the
     * refused changes are uploaded asking about every chunk, and sent again (see {@link ChunksOnServer}).
     */
    public boolean takeChunkMissing() {
        boolean seen = chunkMissing;
        chunkMissing = false;
        return seen;
    }

    /**
     * Queues and sends {@code changes} (their chunks already uploaded), a batch at a time; returns
     * the changes the server refused, path to reason.
     */
    public Map<String, String> send(List<LocalChange> changes) throws IOException {
        Map<String, String> refused = new TreeMap<>();
        for (int from = 0; from < changes.size(); from += CHANGES_PER_BATCH) {
            List<LocalChange> part = changes.subList(from, Math.min(changes.size(), from + CHANGES_PER_BATCH));
            PendingBatch pending = state.enqueue(UUID.randomUUID().toString(), namespace, encode(part), clock.instant());
            refused.putAll(settle(pending));
        }
        return refused;
    }

    /** Sends every batch a previous run queued and never saw settled: the same key gets the same batch. */
    public void settlePending() throws IOException {
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
    Map<String, String> settle(PendingBatch pending) throws IOException {
        List<LocalChange> changes = decode(pending.body());
        String batchId;
        try {
            batchId = retry.call(() -> api.submit(pending.namespace(), pending.idempotencyKey(),
                    changes.stream().map(LocalChange::change).toList()), this::serverBusy);
        } catch (ApiException e) {
            if (e.retryable() || e.unauthorized() || e.status() < 400 || e.status() >= 500) {
                throw e;
            }
            if (e.overQuota()) {
                state.settle(pending);
                return overQuota(pending.namespace(), changes);
            }
            if (e.problemType().endsWith("chunk-missing")) {
                chunkMissing = true;
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
        serverTakesChangesAgain();
        Remote.Batch batch = awaitOutcomes(batchId);
        if (batch.outcomes().stream().noneMatch(o -> o.kind() == Remote.Kind.CONFLICT)) {
            // Nothing but records to write (a conflict also moves the local file, which must not wait on a
            // transaction): the whole batch's in one commit.
            state.atomically(() -> {
                try {
                    for (Outcome o : batch.outcomes()) {
                        record(changes.get(o.changeIndex()), o);
                    }
                    state.settle(pending);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            return Map.of();
        }
        for (Outcome o : batch.outcomes()) {
            record(changes.get(o.changeIndex()), o);
        }
        state.settle(pending);
        return Map.of();
    }

    /**
     * A batch the server refused for its namespace owner's storage quota. What adds no bytes
     * (deletions, content the synced files already hold) goes on its own, so a user over quota can
     * still free space; the rest is split in halves while some change could fit the room left (so
     * what fits is synced), and otherwise kept here, not sent: the next round tries it again, never
     * a tight loop.
     */
    private Map<String, String> overQuota(String ns, List<LocalChange> changes) throws IOException {
        ServerApi.Usage usage = retry.call(api::usage);
        overQuotaUsage = usage;
        long room = usage.quotaBytes() - usage.usedBytes();
        Set<ChunkId> known = new java.util.HashSet<>();
        state.files().values().forEach(f -> known.addAll(f.manifest().distinctChunkIds()));
        List<LocalChange> free = new ArrayList<>();
        List<LocalChange> costly = new ArrayList<>();
        for (LocalChange c : changes) {
            (adds(c, known) == 0 ? free : costly).add(c);
        }
        Map<String, String> refused = new TreeMap<>();
        if (!free.isEmpty() && !costly.isEmpty()) {
            refused.putAll(settle(state.enqueue(UUID.randomUUID().toString(), ns, encode(free), clock.instant())));
        }
        List<LocalChange> rest = costly.isEmpty() ? free : costly;
        if (!costly.isEmpty() && rest.size() > 1 && rest.stream().anyMatch(c -> adds(c, known) <= room)) {
            int half = rest.size() / 2;
            for (List<LocalChange> part : List.of(rest.subList(0, half), rest.subList(half, rest.size()))) {
                refused.putAll(settle(state.enqueue(UUID.randomUUID().toString(), ns, encode(part), clock.instant())));
            }
            return refused;
        }
        for (LocalChange c : rest) {
            refused.put(c.change().path(), OVER_QUOTA);
            overQuotaFiles++;
            overQuotaBytes += adds(c, known);
        }
        return refused;
    }

    /** At most what a change adds to the account's usage: its chunks that no synced file has. */
    private static long adds(LocalChange c, Set<ChunkId> known) {
        if (c.change().delete()) {
            return 0;
        }
        Map<ChunkId, Long> sizes = new java.util.HashMap<>();
        c.change().manifest().chunks().forEach(r -> sizes.put(r.id(), r.size()));
        sizes.keySet().removeAll(known);
        return sizes.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Says what the storage quota kept from being sent since this was last called, once ("over quota:
     * 4.9 GiB of 5 GiB used; 12 file(s) (300 MiB) not sent ..."); nothing when nothing was kept back.
     */
    public void reportOverQuota() {
        if (overQuotaFiles == 0) {
            return;
        }
        log.accept("over quota: " + StorageLimit.human(overQuotaUsage.usedBytes()) + " of "
                + StorageLimit.human(overQuotaUsage.quotaBytes()) + " used; " + overQuotaFiles
                + " file(s) (" + StorageLimit.human(overQuotaBytes) + ") not sent; they stay here "
                + "and go once there is room (delete files, or ask the administrator for a larger quota)");
        overQuotaFiles = 0;
        overQuotaBytes = 0;
    }

    /** The server asked this device to wait before sending again: said when the wait starts, not at every retry. */
    private void serverBusy(ApiException refusal, Duration wait) {
        if (state.serverBusySince().isEmpty()) {
            state.serverBusySince(clock.instant());
            log.accept("server busy (it is still processing earlier changes): waiting to send, next try in "
                    + Math.max(1, wait.toSeconds()) + " s; the changes stay queued here");
        }
    }

    private void serverTakesChangesAgain() {
        state.serverBusySince().ifPresent(since -> {
            state.serverNotBusy();
            log.accept("server taking changes again, after " + Duration.between(since, clock.instant()).toSeconds() + " s busy");
        });
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
        if (local.seen() != null && names.problem(copyPath).isEmpty()) {
            try {
                LocalTree.Entry expected = LocalTree.Entry.file(c.path(), local.seen().size(), local.seen().mtimeNanos(),
                        local.seen().inode());
                folder.move(c.path(), copyPath, expected);
                // Recorded with the vector sent, which the copy carries (a later edit of the copy dominates it), and the
                // stat checked before the rename, which a rename keeps: an edit made just after it is still seen.
                state.put(new SyncedFile(copyPath, copyId, c.vector(), c.manifest(), expected.size(), expected.mtimeNanos(),
                        expected.inode(), 0));
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
        Set<String> kept = state.markedFolders();
        int slash = path.lastIndexOf('/');
        try {
            folder.pruneEmptyFolders(slash < 0 ? "" : path.substring(0, slash), kept);
        } catch (IOException e) {
            // a folder left behind is harmless: it is sent as an empty folder, or pruned next time
        }
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
