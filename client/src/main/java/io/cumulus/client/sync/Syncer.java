package io.cumulus.client.sync;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
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
import io.cumulus.client.state.LocalState;
import io.cumulus.client.state.LocalState.PendingBatch;
import io.cumulus.client.state.LocalState.SyncedFile;
import io.cumulus.sync.chunking.FastCdcChunker;
import io.cumulus.sync.hash.Sha256;
import io.cumulus.sync.manifest.ChunkId;
import io.cumulus.sync.manifest.ChunkRef;
import io.cumulus.sync.manifest.Manifest;
import io.cumulus.sync.vector.VersionVector;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps one folder and one namespace the same, a round at a time: settle the batches a crash left
 * unanswered, pull what other devices did, push what changed here, pull again. A local file that
 * changed since it was last synced is never overwritten: it is sent as a change of its own, which
 * the server keeps as a conflicted copy when another device changed the file meanwhile.
 */
public final class Syncer {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final int FEED_PAGE = 1_000;
    private static final int CHANGES_PER_BATCH = 500;
    private static final int STABLE_READ_ATTEMPTS = 5;

    private final Path root;
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
    private Map<ChunkId, ChunkSource> chunkSources;

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
    private final AtomicLong bytesUploaded = new AtomicLong();
    private long bytesDownloaded;

    public Syncer(Path root, String namespace, String deviceId, ServerApi api, LocalState state, Consumer<String> log,
                  Retry retry, Clock clock, Duration outcomeTimeout) {
        this.root = root.toAbsolutePath().normalize();
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
        bytesUploaded.set(0);
        bytesDownloaded = 0;
        settlePending();
        pull();
        push();
        pull();
        applyDeferred();
        state.lastSync(clock.instant());
        return new Round(pushed, downloaded, deletedLocally, conflicts, bytesUploaded.get(), bytesDownloaded);
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

    /** Applies every event of the feed after the last one seen. */
    public void pull() throws IOException {
        progress.begin("downloading", 0);
        try {
            if (state.lastSeq() == 0 && state.files().isEmpty() && state.pending().isEmpty()) {
                startFromListing();
            }
            pullPages();
        } finally {
            progress.end();
        }
    }

    /**
     * A device's first sync starts from the namespace's current files rather than replaying its
     * history (which would download every intermediate version), then follows the feed from the
     * newest sequence number the listing reflects: the listing is one snapshot, and the projector
     * writes a namespace's events in order, so every earlier event is in it. (Events after the
     * newest live file, such as a file created and deleted since, are still replayed.)
     */
    private void startFromListing() throws IOException {
        List<Remote.FileState> files = retry.call(() -> api.files(namespace, ""));
        long newest = 0;
        chunkSources = null;
        for (Remote.FileState f : files) {
            apply(f.fileId(), f.path(), false, f.vector(), f.manifest(), f.seq());
            newest = Math.max(newest, f.seq());
        }
        if (newest > 0) {
            state.lastSeq(newest);
        }
    }

    private void pullPages() throws IOException {
        while (true) {
            long after = state.lastSeq();
            Feed feed = retry.call(() -> api.feed(namespace, after, FEED_PAGE));
            chunkSources = null;
            for (Event e : feed.events()) {
                apply(e.fileId(), e.path(), e.delete(), e.vector(), e.manifest(), e.seq());
                state.lastSeq(e.seq());
            }
            if (feed.events().size() < FEED_PAGE) {
                return;
            }
        }
    }

    /** Brings one server version of a file to disk, unless the local copy changed since it was synced. */
    private void apply(String fileId, String path, boolean delete, VersionVector vector, Manifest manifest, long seq)
            throws IOException {
        state.undefer(fileId);
        Optional<SyncedFile> known = state.byFileId(fileId);
        if (FolderScanner.isFolderMarker(path)) {
            applyFolder(fileId, path, delete, vector, seq, known);
            return;
        }
        if (known.isPresent()) {
            var order = known.get().vector().compare(vector);
            if (order == io.cumulus.sync.vector.Causality.EQUAL || order == io.cumulus.sync.vector.Causality.DOMINATES) {
                return; // this device has this version or a later one
            }
            if (locallyChanged(known.get())) {
                log.accept("conflict: " + known.get().path() + " changed here and on another device; sending this version");
                state.defer(fileId);
                return; // the push of this round sends the local version; the server keeps both
            }
        }
        if (delete) {
            if (known.isPresent()) {
                Path file = root.resolve(known.get().path());
                if (Files.deleteIfExists(file)) {
                    deletedLocally++;
                    log.accept("deleted " + known.get().path());
                }
                pruneEmptyParents(file.getParent());
                state.removeFileId(fileId);
            }
            return;
        }
        Path target = root.resolve(path);
        Optional<SyncedFile> holder = state.byPath(path).filter(f -> !f.fileId().equals(fileId));
        LocalFile there = FolderScanner.stat(root, path);
        if (there != null && holder.isEmpty() && (known.isEmpty() || !known.get().path().equals(path))) {
            // An unsynced local file holds the path: the same content is adopted, other content is never overwritten.
            Optional<Manifest> local = stableManifest(there).map(Stable::manifest);
            if (local.isPresent() && local.get().equals(manifest)) {
                state.put(new SyncedFile(path, fileId, vector, manifest, there.size(), there.mtimeNanos(), there.inode(), seq));
                return;
            }
            log.accept("conflict: " + path + " exists here with other content; sending it as a file of its own");
            state.defer(fileId);
            return;
        }
        if (there != null && holder.isPresent() && locallyChanged(holder.get())) {
            // The path belongs to another synced file that was edited here: that edit is sent first, never overwritten.
            log.accept("conflict: " + path + " changed here while another file took its place; sending this version");
            state.defer(fileId);
            return;
        }
        if (known.isPresent() && !known.get().path().equals(path)) {
            Path from = root.resolve(known.get().path());
            if (Files.exists(from, LinkOption.NOFOLLOW_LINKS) && known.get().manifest().equals(manifest)) {
                Files.createDirectories(target.getParent());
                Files.move(from, target, StandardCopyOption.ATOMIC_MOVE);
                pruneEmptyParents(from.getParent());
                LocalFile moved = FolderScanner.stat(root, path);
                state.put(new SyncedFile(path, fileId, vector, manifest, moved.size(), moved.mtimeNanos(), moved.inode(), seq));
                downloaded++;
                log.accept("moved " + known.get().path() + " -> " + path);
                return;
            }
            Files.deleteIfExists(from);
            pruneEmptyParents(from.getParent());
        }
        if (there != null && known.isPresent() && known.get().path().equals(path) && known.get().manifest().equals(manifest)) {
            state.put(new SyncedFile(path, fileId, vector, manifest, there.size(), there.mtimeNanos(), there.inode(), seq));
            return; // only the vector moved on
        }
        LocalFile written = download(path, manifest, FolderScanner.stat(root, path));
        if (written != null) {
            long offset = 0;
            for (ChunkRef ref : manifest.chunks()) {
                chunkSources().putIfAbsent(ref.id(), new ChunkSource(path, offset, ref.size()));
                offset += ref.size();
            }
        }
        if (written == null) {
            log.accept("kept " + path + ": it changed here while the other version was downloading; sending it next round");
            state.defer(fileId);
            return;
        }
        state.put(new SyncedFile(path, fileId, vector, manifest, written.size(), written.mtimeNanos(), written.inode(), seq));
        downloaded++;
        log.accept("downloaded " + path + " (" + manifest.size() + " bytes)");
    }

    /** A folder marker: the folder is created, or removed when it is empty; no file is ever written for it. */
    private void applyFolder(String fileId, String path, boolean delete, VersionVector vector, long seq,
                             Optional<SyncedFile> known) throws IOException {
        if (known.isPresent() && known.get().vector().compare(vector) != io.cumulus.sync.vector.Causality.DOMINATED
                && known.get().vector().compare(vector) != io.cumulus.sync.vector.Causality.CONCURRENT) {
            return;
        }
        String folder = FolderScanner.markedFolder(path);
        Path dir = root.resolve(folder);
        if (delete) {
            state.removeFileId(fileId);
            if (!folder.isEmpty() && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                pruneEmptyParents(dir);
            }
            return;
        }
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            downloaded++;
            log.accept("created folder " + folder);
        }
        state.put(new SyncedFile(path, fileId, vector, Manifest.empty(), 0, 0, null, seq));
    }

    /**
     * Writes a file version next to its target: chunks found in local files are copied (each one's
     * hash checked), the others fetched; the temporary file is fsynced, then renamed into place,
     * unless the target changed since {@code expected} was seen (then nothing is replaced and null
     * is returned).
     */
    private LocalFile download(String path, Manifest manifest, LocalFile expected) throws IOException {
        Path target = root.resolve(path);
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling(FolderScanner.TEMP_PREFIX + UUID.randomUUID());
        Map<ChunkId, ChunkSource> local = chunkSources();
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                // A chunk that appears more than once in the file is fetched once and kept for its repeats.
                Set<ChunkId> seen = new HashSet<>();
                Set<ChunkId> repeated = new HashSet<>();
                manifest.chunks().forEach(r -> {
                    if (!seen.add(r.id())) {
                        repeated.add(r.id());
                    }
                });
                Map<ChunkId, byte[]> kept = new HashMap<>();
                for (ChunkRef ref : manifest.chunks()) {
                    byte[] bytes = kept.containsKey(ref.id()) ? kept.get(ref.id()) : chunkBytes(ref, local.get(ref.id()));
                    if (repeated.contains(ref.id())) {
                        kept.put(ref.id(), bytes);
                    }
                    out.write(java.nio.ByteBuffer.wrap(bytes));
                    progress.bytes(bytes.length);
                }
                out.force(true);
            }
            if (Files.size(tmp) != manifest.size()) {
                throw new IOException("downloaded " + path + " has " + Files.size(tmp) + " bytes, expected " + manifest.size());
            }
            if (!java.util.Objects.equals(FolderScanner.stat(root, path), expected)) {
                return null; // written to meanwhile: never replace what a person just saved
            }
            moveIntoPlace(tmp, target);
            bytesDownloaded += manifest.size();
            progress.file();
            return FolderScanner.stat(root, path);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private record ChunkSource(String path, long offset, long size) {
    }

    /**
     * Where chunks already sit on disk, read once per feed page (and grown as files are written):
     * a hint only, since every chunk copied from disk is checked against its id.
     */
    private Map<ChunkId, ChunkSource> chunkSources() {
        if (chunkSources == null) {
            chunkSources = localChunkSources();
        }
        return chunkSources;
    }

    /** Where each chunk of every synced file sits on disk, as last synced. */
    private Map<ChunkId, ChunkSource> localChunkSources() {
        Map<ChunkId, ChunkSource> sources = new HashMap<>();
        for (SyncedFile f : state.files().values()) {
            long offset = 0;
            for (ChunkRef ref : f.manifest().chunks()) {
                sources.putIfAbsent(ref.id(), new ChunkSource(f.path(), offset, ref.size()));
                offset += ref.size();
            }
        }
        return sources;
    }

    private byte[] chunkBytes(ChunkRef ref, ChunkSource source) throws IOException {
        if (source != null) {
            Optional<byte[]> copied = readLocalChunk(source, ref.id());
            if (copied.isPresent()) {
                return copied.get();
            }
        }
        byte[] bytes = retry.call(() -> api.getChunk(ref.id()))
                .orElseThrow(() -> new IOException("the server has no chunk " + ref.id().value() + " for this account"));
        if (!Sha256.hex(bytes).equals(ref.id().value())) {
            throw new IOException("chunk " + ref.id().value() + " arrived damaged (its SHA-256 differs)");
        }
        return bytes;
    }

    private Optional<byte[]> readLocalChunk(ChunkSource source, ChunkId id) {
        Path file = root.resolve(source.path());
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            if (raf.length() < source.offset() + source.size()) {
                return Optional.empty();
            }
            byte[] bytes = new byte[(int) source.size()];
            raf.seek(source.offset());
            raf.readFully(bytes);
            return Sha256.hex(bytes).equals(id.value()) ? Optional.of(bytes) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // not there any more, or changed: fetch it instead
        }
    }

    private static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Removes folders left empty by a remote delete or move, up to the root, except those kept on purpose (a marker). */
    private void pruneEmptyParents(Path dir) throws IOException {
        java.util.Set<String> kept = new HashSet<>();
        for (String path : state.markerPaths(FolderScanner.FOLDER_MARKER)) {
            if (FolderScanner.isFolderMarker(path)) {
                kept.add(FolderScanner.markedFolder(path));
            }
        }
        while (dir != null && !dir.equals(root) && dir.startsWith(root)) {
            if (kept.contains(FolderScanner.relativePath(root, dir))) {
                return;
            }
            try (var entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    return;
                }
            } catch (java.nio.file.NoSuchFileException e) {
                dir = dir.getParent();
                continue;
            }
            Files.deleteIfExists(dir);
            dir = dir.getParent();
        }
    }

    // ---------------------------------------------------------------- push

    /** A change as queued: what is sent, and the local facts to record when the server accepts it. */
    private record Local(Change change, LocalFile seen) {
    }

    /** Sends every local change since the last sync. */
    public void push() throws IOException {
        Scan scan = FolderScanner.scan(root);
        Map<String, SyncedFile> synced = state.files();
        List<Local> changes = new ArrayList<>();
        Set<String> claimed = new HashSet<>();

        // Folders kept empty: a marker for each new one, a deletion for each that is gone.
        Set<String> marked = new HashSet<>();
        for (SyncedFile s : synced.values()) {
            if (FolderScanner.isFolderMarker(s.path())) {
                String folder = FolderScanner.markedFolder(s.path());
                marked.add(folder);
                if (!Files.isDirectory(root.resolve(folder), LinkOption.NOFOLLOW_LINKS)) {
                    changes.add(new Local(new Change(s.fileId(), s.path(), true, s.vector().increment(deviceId), Manifest.empty()), null));
                }
            }
        }
        for (String folder : scan.emptyFolders()) {
            if (!marked.contains(folder)) {
                String marker = folder + "/" + FolderScanner.FOLDER_MARKER;
                changes.add(new Local(new Change(UUID.randomUUID().toString(), marker, false, VersionVector.empty().increment(deviceId),
                        Manifest.empty()), new LocalFile(marker, 0, 0, null)));
            }
        }

        // Files that were synced: unchanged, modified, renamed or deleted. A file whose inode now sits
        // at an unsynced path was moved there, even when a new file has since taken its old name.
        Map<String, LocalFile> byInode = new HashMap<>();
        for (LocalFile f : scan.files().values()) {
            byInode.putIfAbsent(f.inode(), f);
        }
        List<SyncedFile> gone = new ArrayList<>();
        for (SyncedFile s : synced.values()) {
            if (FolderScanner.isFolderMarker(s.path())) {
                continue;
            }
            LocalFile now = scan.files().get(s.path());
            LocalFile movedTo = byInode.get(s.inode());
            boolean replaced = now != null && !java.util.Objects.equals(now.inode(), s.inode()) && movedTo != null
                    && !synced.containsKey(movedTo.path());
            if (now == null || replaced) {
                gone.add(s);
            } else if (!sameStat(s, now)) {
                claimed.add(s.path());
                Optional<Stable> stable = stableManifest(now);
                if (stable.isEmpty()) {
                    continue; // still being written: next round
                }
                Optional<Manifest> manifest = stable.map(Stable::manifest);
                LocalFile seen = stable.get().stat();
                if (manifest.get().equals(s.manifest())) {
                    state.put(new SyncedFile(s.path(), s.fileId(), s.vector(), s.manifest(), seen.size(), seen.mtimeNanos(),
                            seen.inode(), s.seq()));
                } else {
                    changes.add(new Local(new Change(s.fileId(), s.path(), false, s.vector().increment(deviceId), manifest.get()),
                            seen));
                }
            } else {
                claimed.add(s.path());
            }
        }
        // New files: a rename when the inode or the content of a vanished file matches.
        List<Local> created = new ArrayList<>();
        Map<String, SyncedFile> goneByInode = new HashMap<>();
        Map<Manifest, SyncedFile> goneByContent = new HashMap<>();
        for (SyncedFile g : gone) {
            if (g.inode() != null && !"null".equals(g.inode())) {
                goneByInode.put(g.inode(), g);
            }
            goneByContent.putIfAbsent(g.manifest(), g);
        }
        for (LocalFile f : scan.files().values()) {
            if (claimed.contains(f.path())) {
                continue;
            }
            Optional<Stable> stable = stableManifest(f);
            if (stable.isEmpty()) {
                continue;
            }
            Optional<Manifest> manifest = stable.map(Stable::manifest);
            LocalFile seen = stable.get().stat();
            SyncedFile renamed = goneByInode.get(f.inode());
            if (renamed == null || !gone.contains(renamed)) {
                renamed = goneByContent.get(manifest.get());
            }
            if (renamed != null && gone.remove(renamed)) {
                goneByContent.values().remove(renamed);
                goneByInode.values().remove(renamed);
                changes.add(new Local(new Change(renamed.fileId(), f.path(), false, renamed.vector().increment(deviceId),
                        manifest.get()), seen));
            } else {
                created.add(new Local(new Change(UUID.randomUUID().toString(), f.path(), false,
                        VersionVector.empty().increment(deviceId), manifest.get()), seen));
            }
        }
        for (SyncedFile g : gone) {
            changes.add(new Local(new Change(g.fileId(), g.path(), true, g.vector().increment(deviceId), Manifest.empty()), null));
        }
        // New files last: a path a renamed or deleted file left is free by the time a new file takes it.
        changes.addAll(created);
        if (changes.isEmpty()) {
            return;
        }
        changes = upload(changes);
        for (int from = 0; from < changes.size(); from += CHANGES_PER_BATCH) {
            List<Local> part = changes.subList(from, Math.min(changes.size(), from + CHANGES_PER_BATCH));
            PendingBatch pending = state.enqueue(UUID.randomUUID().toString(), namespace, encode(part), clock.instant());
            settle(pending);
        }
    }

    /**
     * Uploads the chunks the server lacks, several at a time, reading each file again chunk by chunk.
     * Returns the changes whose every chunk the server now has: a file that changed between the two
     * reads is left for the next round.
     */
    private List<Local> upload(List<Local> changes) throws IOException {
        Set<ChunkId> wanted = new LinkedHashSet<>();
        for (Local l : changes) {
            wanted.addAll(l.change().manifest().distinctChunkIds());
        }
        Set<ChunkId> missing = new HashSet<>();
        List<ChunkId> all = new ArrayList<>(wanted);
        for (int from = 0; from < all.size(); from += 5_000) {
            Set<ChunkId> part = new LinkedHashSet<>(all.subList(from, Math.min(all.size(), from + 5_000)));
            missing.addAll(retry.call(() -> api.missingChunks(part)));
        }
        if (missing.isEmpty()) {
            return changes;
        }
        Map<ChunkId, Long> sizes = new HashMap<>();
        for (Local l : changes) {
            l.change().manifest().chunks().forEach(r -> sizes.put(r.id(), r.size()));
        }
        progress.begin("uploading", missing.stream().mapToLong(id -> sizes.getOrDefault(id, 0L)).sum());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> sent = new ArrayList<>();
            Set<ChunkId> inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();
            for (Local l : changes) {
                if (l.change().delete() || l.change().manifest().distinctChunkIds().stream().noneMatch(missing::contains)) {
                    continue;
                }
                try (InputStream in = Files.newInputStream(root.resolve(l.change().path()))) {
                    uploadChunks(in, missing, inFlight, sent, pool);
                } catch (java.nio.file.NoSuchFileException gone) {
                    continue; // deleted since the scan: its chunks stay missing, and the change waits for the next round
                }
                progress.file();
            }
            for (Future<?> f : sent) {
                await(f);
            }
            missing.removeAll(inFlight);
            List<Local> ready = new ArrayList<>();
            for (Local l : changes) {
                if (l.change().manifest().distinctChunkIds().stream().anyMatch(missing::contains)) {
                    log.accept("skipped " + l.change().path() + ": it changed while being uploaded; the next round sends it");
                } else {
                    ready.add(l);
                }
            }
            return ready;
        } finally {
            pool.shutdownNow();
            progress.end();
        }
    }

    /** Re-chunks one file and sends each chunk the server lacks; at most a few chunks are held in memory. */
    private void uploadChunks(InputStream in, Set<ChunkId> missing, Set<ChunkId> inFlight, List<Future<?>> sent,
                              ExecutorService pool) throws IOException {
        chunker.chunk(in, chunk -> {
            if (missing.contains(chunk.id()) && inFlight.add(chunk.id())) {
                sent.add(pool.submit(() -> {
                    retry.call(() -> {
                        api.putChunk(chunk.id(), chunk.bytes());
                        return null;
                    });
                    bytesUploaded.addAndGet(chunk.length());
                    progress.bytes(chunk.length());
                }));
                if (sent.size() - done(sent) > 8) {
                    await(sent.get(sent.size() - 8));
                }
            }
        });
    }

    private static long done(List<Future<?>> futures) {
        return futures.stream().filter(Future::isDone).count();
    }

    private static void await(Future<?> f) throws IOException {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while uploading", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof ApiException api) {
                throw api;
            }
            throw new IOException("upload failed: " + e.getCause(), e.getCause());
        }
    }

    /** Sends every batch a previous run queued and never saw settled: the same key gets the same batch. */
    private void settlePending() throws IOException {
        for (PendingBatch p : state.pending()) {
            settle(p);
        }
    }

    private void settle(PendingBatch pending) throws IOException {
        List<Local> changes = decode(pending.body());
        String batchId = retry.call(() -> api.submit(pending.namespace(), pending.idempotencyKey(),
                changes.stream().map(Local::change).toList()));
        Remote.Batch batch = awaitOutcomes(batchId);
        for (Outcome o : batch.outcomes()) {
            record(changes.get(o.changeIndex()), o);
        }
        state.settle(pending);
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

    /** Records what the server decided about one local change. */
    private void record(Local local, Outcome o) throws IOException {
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
                        // edit with a delete, a newer office document): bring its result here.
                        refresh(c.fileId(), c.path());
                    }
                }
            }
            case STALE -> log.accept("the server has a newer version of " + c.path() + "; pulling it");
            case CONFLICT -> {
                if (FolderScanner.isFolderMarker(c.path())) {
                    // Another device marked the same folder first: its marker stands for both.
                    state.removeFileId(c.fileId());
                    return;
                }
                conflicts++;
                if (o.conflictPath().isPresent() && o.conflictFileId().isPresent()) {
                    // The server kept this device's version as a copy: move the local file there ...
                    String copyId = o.conflictFileId().get();
                    String copyPath = o.conflictPath().get();
                    Path from = root.resolve(c.path());
                    Path to = root.resolve(copyPath);
                    boolean moved = false;
                    if (Files.exists(from, LinkOption.NOFOLLOW_LINKS) && !Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
                        Files.createDirectories(to.getParent());
                        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
                        LocalFile now = FolderScanner.stat(root, copyPath);
                        // Recorded with the vector sent, which the copy carries: a later edit of the copy dominates it.
                        state.put(new SyncedFile(copyPath, copyId, c.vector(), c.manifest(), now.size(), now.mtimeNanos(),
                                now.inode(), 0));
                        moved = true;
                    }
                    log.accept("conflict: kept this device's " + c.path() + " as " + copyPath);
                    if (!copyId.equals(c.fileId())) {
                        state.removeFileId(c.fileId());
                        // The copy may hold more than this device sent (a rename combined with an edit): take the server's.
                        refresh(copyId, copyPath);
                    } else if (!moved) {
                        state.removeFileId(c.fileId());
                    }
                } else {
                    log.accept("conflict: " + c.path() + " was changed on another device; restoring its version");
                    state.removeFileId(c.fileId());
                }
                // ... and bring the server's version of the file and of the contested path back.
                refresh(c.fileId(), c.path());
            }
        }
    }

    /**
     * Applies again the remote versions passed over because of a local change, now that the push has
     * sent that change: without this, a remote file whose event came while its path was taken here
     * would never arrive once the local file moved away.
     */
    private void applyDeferred() throws IOException {
        for (String fileId : state.deferred()) {
            Optional<Remote.FileState> current = retry.call(() -> api.file(namespace, fileId));
            if (current.isPresent()) {
                Remote.FileState f = current.get();
                apply(f.fileId(), f.path(), f.deleted(), f.vector(), f.manifest(), f.seq()); // defers it again if need be
            } else {
                state.undefer(fileId);
            }
        }
    }

    /**
     * After a conflict: brings the server's current version of the file to disk wherever it now is
     * (an event for it may have been passed over while the local edit was pending), and whatever file
     * now holds the contested path.
     */
    private void refresh(String fileId, String path) throws IOException {
        Optional<Remote.FileState> current = retry.call(() -> api.file(namespace, fileId)).filter(f -> !f.deleted());
        if (current.isPresent()) {
            Remote.FileState f = current.get();
            apply(f.fileId(), f.path(), false, f.vector(), f.manifest(), f.seq());
        }
        if (current.isEmpty() || !current.get().path().equals(path)) {
            Optional<Remote.FileState> holder = retry.call(() -> api.files(namespace, path)).stream()
                    .filter(f -> f.path().equals(path)).findFirst();
            if (holder.isPresent()) {
                Remote.FileState f = holder.get();
                apply(f.fileId(), f.path(), false, f.vector(), f.manifest(), f.seq());
            }
        }
    }

    // ---------------------------------------------------------------- local files

    private boolean locallyChanged(SyncedFile s) throws IOException {
        LocalFile now = FolderScanner.stat(root, s.path());
        return now == null || !sameStat(s, now);
    }

    private static boolean sameStat(SyncedFile s, LocalFile f) {
        return s.size() == f.size() && s.mtimeNanos() == f.mtimeNanos() && java.util.Objects.equals(s.inode(), f.inode());
    }

    /** A file's manifest and the stat that held both before and after it was read. */
    private record Stable(Manifest manifest, LocalFile stat) {
    }

    /** The file's manifest, read until two stats around the read agree; empty while it keeps changing. */
    private Optional<Stable> stableManifest(LocalFile f) throws IOException {
        for (int attempt = 0; attempt < STABLE_READ_ATTEMPTS; attempt++) {
            LocalFile before = FolderScanner.stat(root, f.path());
            if (before == null) {
                return Optional.empty();
            }
            List<ChunkRef> refs;
            try (InputStream in = Files.newInputStream(root.resolve(f.path()))) {
                refs = chunker.manifestOf(in);
            } catch (java.nio.file.NoSuchFileException e) {
                return Optional.empty();
            }
            LocalFile after = FolderScanner.stat(root, f.path());
            if (before.equals(after)) {
                return Optional.of(new Stable(new Manifest(refs), after));
            }
        }
        log.accept("skipped " + f.path() + ": it keeps changing while being read");
        return Optional.empty();
    }

    // ---------------------------------------------------------------- the queue's encoding

    private static String encode(List<Local> changes) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (Local l : changes) {
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

    private static List<Local> decode(String body) {
        List<Local> changes = new ArrayList<>();
        for (JsonNode n : JSON.readTree(body)) {
            Change c = new Change(n.get("fileId").asString(), n.get("path").asString(), n.get("delete").asBoolean(),
                    LocalState.vectorOf(n.get("vector").asString()), LocalState.manifestOf(n.get("manifest").asString()));
            LocalFile seen = n.has("size") ? new LocalFile(c.path(), n.get("size").asLong(), n.get("mtimeNanos").asLong(),
                    n.get("inode").asString()) : null;
            changes.add(new Local(c, seen));
        }
        return changes;
    }
}
