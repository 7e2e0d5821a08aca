package io.cumulus.client.sync.act;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.cumulus.client.api.ApiException;
import io.cumulus.client.api.Retry;
import io.cumulus.client.api.ServerApi;
import io.cumulus.client.sync.Progress;
import io.cumulus.client.sync.plan.PushPlanner.LocalChange;
import io.cumulus.sync.chunking.FastCdcChunker;
import io.cumulus.sync.manifest.ChunkId;

/**
 * Uploads the chunks the server lacks, several at a time, reading each file again chunk by chunk
 * (at most a few chunks in memory). A file that changed between its scan and its upload is left
 * for the next round.
 */
public final class Uploader {
    private final FolderAccess folder;
    private final ServerApi api;
    private final Retry retry;
    private final Progress progress;
    private final Consumer<String> log;
    private final FastCdcChunker chunker;
    private final ChunkDeltas deltas;
    private final AtomicLong bytesUploaded = new AtomicLong();
    private final ChunksOnServer onServer;

    /**
     * {@code onServer}: chunks not to ask about, the server has them (see {@link ChunksOnServer});
     * {@code deltas}: how a changed chunk of a synced file may travel as a delta.
     */
    public Uploader(FolderAccess folder, ServerApi api, Retry retry, Progress progress, Consumer<String> log, FastCdcChunker chunker,
                    ChunksOnServer onServer, ChunkDeltas deltas) {
        this.onServer = onServer;
        this.folder = folder;
        this.api = api;
        this.retry = retry;
        this.progress = progress;
        this.log = log;
        this.chunker = chunker;
        this.deltas = deltas;
    }

    public long bytesUploaded() {
        return bytesUploaded.get();
    }

    /** The changes whose every chunk the server now has. */
    public List<LocalChange> upload(List<LocalChange> changes) throws IOException {
        Set<ChunkId> wanted = new LinkedHashSet<>();
        for (LocalChange l : changes) {
            wanted.addAll(l.change().manifest().distinctChunkIds());
        }
        wanted.removeIf(onServer);
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
        for (LocalChange l : changes) {
            l.change().manifest().chunks().forEach(r -> sizes.put(r.id(), r.size()));
        }
        progress.begin("uploading", missing.stream().mapToLong(id -> sizes.getOrDefault(id, 0L)).sum());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> sent = new ArrayList<>();
            Set<ChunkId> inFlight = ConcurrentHashMap.newKeySet();
            for (LocalChange l : changes) {
                if (l.change().delete() || l.change().manifest().distinctChunkIds().stream().noneMatch(missing::contains)) {
                    continue;
                }
                try (InputStream in = Files.newInputStream(folder.resolveChecked(l.change().path()))) {
                    uploadChunks(in, l.change().path(), missing, inFlight, sent, pool);
                } catch (NoSuchFileException | FolderAccess.Refused gone) {
                    continue; // deleted or moved since the scan: its chunks stay missing, and the change waits for the next round
                }
                progress.file();
            }
            for (Future<?> f : sent) {
                await(f);
            }
            missing.removeAll(inFlight);
            List<LocalChange> ready = new ArrayList<>();
            for (LocalChange l : changes) {
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

    private void uploadChunks(InputStream in, String path, Set<ChunkId> missing, Set<ChunkId> inFlight, List<Future<?>> sent,
                              ExecutorService pool) throws IOException {
        chunker.chunk(in, chunk -> {
            if (missing.contains(chunk.id()) && inFlight.add(chunk.id())) {
                sent.add(pool.submit(() -> {
                    if (!deltas.tryUpload(chunk, path)) {
                        retry.call(() -> {
                            api.putChunk(chunk.id(), chunk.bytes());
                            return null;
                        });
                    }
                    bytesUploaded.addAndGet(chunk.length());
                    progress.bytes(chunk.length());
                }));
                if (sent.size() - sent.stream().filter(Future::isDone).count() > 8) {
                    await(sent.get(sent.size() - 8));
                }
            }
        });
    }

    private static void await(Future<?> f) throws IOException {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while uploading", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ApiException api) {
                throw api;
            }
            throw new IOException("upload failed: " + e.getCause(), e.getCause());
        }
    }
}
