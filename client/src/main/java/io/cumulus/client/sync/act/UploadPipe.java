package io.cumulus.client.sync.act;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

import io.cumulus.client.api.Retry;
import io.cumulus.client.api.ServerApi;
import io.cumulus.client.sync.Progress;
import io.cumulus.sync.chunking.Chunk;
import io.cumulus.sync.manifest.ChunkId;

/**
 * Uploads chunks while the files they come from are still being read, so each byte is read and
 * hashed once: the reading thread {@linkplain #offer offers} every chunk it cuts; the pipe asks the
 * server which of a few megabytes of them it lacks, sends those on a few threads (small ones
 * several to a request; a changed chunk of a synced file as a delta against its synced version when
 * that is smaller) and forgets the bytes. At most {@link #IN_FLIGHT_BYTES} wait or travel at
 * once; beyond that, {@link #offer} blocks. A {@linkplain #checkpoint checkpoint} completes when
 * every chunk offered before it is on the server, which is when the changes that need them may be
 * committed.
 */
public final class UploadPipe implements AutoCloseable {
    /** Chunks collected before one question to the server about which it lacks. */
    static final int ASK_BYTES = 4 * 1024 * 1024;
    static final int ASK_CHUNKS = 1_000;
    /** Chunk bytes held by the pipe at most (collected, or on their way). */
    static final int IN_FLIGHT_BYTES = 24 * 1024 * 1024;
    /** Chunks below this size travel together, up to {@link #PACK_BYTES} per request. */
    static final int SMALL_CHUNK = 256 * 1024;
    static final int PACK_BYTES = 1024 * 1024;
    private static final int SENDERS = 4;

    private final ServerApi api;
    private final Retry retry;
    private final Progress progress;
    private final ChunkDeltas deltas;
    private final ChunksOnServer onServer;
    private final ExecutorService pool = Executors.newFixedThreadPool(SENDERS, r -> {
        Thread t = new Thread(r, "cumulus-upload");
        t.setDaemon(true);
        return t;
    });
    private final Semaphore room = new Semaphore(IN_FLIGHT_BYTES);
    private final Set<ChunkId> offered = new HashSet<>();
    private final List<Chunk> collected = new ArrayList<>();
    private final java.util.Map<ChunkId, String> pathOf = new java.util.HashMap<>();
    private int collectedBytes;
    private final List<CompletableFuture<Void>> sent = new ArrayList<>();
    private final AtomicLong bytesUploaded = new AtomicLong();

    /**
     * {@code onServer}: chunks not asked about, since this device's synced files reference them;
     * {@code deltas}: sends a changed chunk of a synced file as a delta against its synced version,
     * when that is smaller.
     */
    public UploadPipe(ServerApi api, Retry retry, Progress progress, ChunksOnServer onServer, ChunkDeltas deltas) {
        this.onServer = onServer;
        this.api = api;
        this.retry = retry;
        this.progress = progress;
        this.deltas = deltas;
    }

    public long bytesUploaded() {
        return bytesUploaded.get();
    }

    /** A chunk just cut from the file at {@code path}; kept until the server says whether it has it. Blocks while the pipe is full. */
    public void offer(Chunk chunk, String path) throws IOException {
        if (onServer.test(chunk.id()) || !offered.add(chunk.id())) {
            return;
        }
        pathOf.put(chunk.id(), path);
        acquire(chunk.length());
        collected.add(chunk);
        collectedBytes += chunk.length();
        if (collectedBytes >= ASK_BYTES || collected.size() >= ASK_CHUNKS) {
            flush();
        }
    }

    /** Completes when every chunk offered so far is on the server; fails when one could not be sent. */
    public CompletableFuture<Void> checkpoint() throws IOException {
        flush();
        CompletableFuture<Void> all = CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
        // A failed upload stays, so every later checkpoint fails too: a change that needs its chunk is never committed.
        sent.removeIf(f -> f.isDone() && !f.isCompletedExceptionally());
        return all;
    }

    /** Asks which collected chunks the server lacks and starts sending them; the others' bytes are let go. */
    private void flush() throws IOException {
        if (collected.isEmpty()) {
            return;
        }
        List<Chunk> batch = new ArrayList<>(collected);
        java.util.Map<ChunkId, String> paths = new java.util.HashMap<>(pathOf);
        collected.clear();
        pathOf.clear();
        collectedBytes = 0;
        Set<ChunkId> ids = new LinkedHashSet<>();
        batch.forEach(c -> ids.add(c.id()));
        Set<ChunkId> missing;
        try {
            missing = retry.call(() -> api.missingChunks(ids));
        } catch (RuntimeException e) {
            batch.forEach(c -> room.release(c.length()));
            throw e;
        }
        List<Chunk> pack = new ArrayList<>();
        int packBytes = 0;
        for (Chunk c : batch) {
            if (!missing.contains(c.id())) {
                room.release(c.length());
            } else if (c.length() >= SMALL_CHUNK || c.length() >= ChunkDeltas.MIN_CHUNK_BYTES && deltas.hasBase(paths.get(c.id()))) {
                send(List.of(c), paths.get(c.id()));
            } else {
                if (packBytes + c.length() > PACK_BYTES && !pack.isEmpty()) {
                    send(pack, null);
                    pack = new ArrayList<>();
                    packBytes = 0;
                }
                pack.add(c);
                packBytes += c.length();
            }
        }
        if (!pack.isEmpty()) {
            send(pack, null);
        }
    }

    private void send(List<Chunk> chunks, String path) {
        int bytes = chunks.stream().mapToInt(Chunk::length).sum();
        sent.add(CompletableFuture.runAsync(() -> {
            try {
                if (chunks.size() == 1) {
                    Chunk c = chunks.get(0);
                    if (path != null && deltas.tryUpload(c, path)) {
                        progress.bytes(bytes);
                        return;
                    }
                    retry.call(() -> {
                        api.putChunk(c.id(), c.bytes());
                        return null;
                    });
                } else {
                    retry.call(() -> {
                        api.putChunks(chunks);
                        return null;
                    });
                }
                bytesUploaded.addAndGet(bytes);
                progress.bytes(bytes);
            } finally {
                room.release(bytes);
            }
        }, pool));
    }

    private void acquire(int bytes) throws IOException {
        try {
            room.acquire(bytes); // a chunk is at most a few MiB, far below the pipe's room
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while uploading", e);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
