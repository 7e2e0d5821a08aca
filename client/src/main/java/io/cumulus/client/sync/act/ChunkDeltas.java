package io.cumulus.client.sync.act;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import io.cumulus.client.api.ApiException;
import io.cumulus.client.api.ServerApi;
import io.cumulus.client.scan.LocalTree;
import io.cumulus.client.state.LocalState.SyncedFile;
import io.cumulus.sync.chunking.Chunk;
import io.cumulus.sync.delta.DeltaCodec;
import io.cumulus.sync.delta.DeltaEncoder;
import io.cumulus.sync.delta.MalformedDeltaException;
import io.cumulus.sync.delta.Signature;
import io.cumulus.sync.hash.Sha256;
import io.cumulus.sync.manifest.ChunkId;
import io.cumulus.sync.manifest.ChunkRef;

/**
 * Sends and fetches a changed chunk as a delta against the chunk that held the same bytes of the
 * same file in its last synced version (decision 0017), so a small edit costs about its own size on
 * the wire instead of a whole content-defined chunk.
 *
 * <h2>When a delta is tried</h2>
 * Only for chunks of at least {@link #MIN_CHUNK_BYTES}, and only when the file's synced manifest
 * has a different chunk overlapping the same byte offsets (the one that overlaps most is the base).
 * An upload fetches the base's signature from the server and sends the delta only when it is at
 * most half the chunk; a download reads the base from the local file, checked against its id, and
 * asks the server for a delta against it. Every result is checked: the server verifies the SHA-256
 * of what a delta upload builds, this class verifies what a delta download builds.
 *
 * <h2>Failures</h2>
 * A delta is an optimisation: when the server refuses one (no base, bad delta) or the base is not on
 * disk any more, {@link #tryUpload} answers false and {@link #tryFetch} empty, and the caller moves
 * the chunk whole, as it would without this class. Safe to call from several threads.
 */
public final class ChunkDeltas {
    /** Below this a chunk travels whole: the signature alone would cost a good part of it. */
    public static final int MIN_CHUNK_BYTES = 64 * 1024;
    /** The largest chunk a delta may build: the server's chunk limit. */
    private static final long MAX_CHUNK_BYTES = 4L * 1024 * 1024 + 64 * 1024;

    private final FolderAccess folder;
    private final ServerApi api;
    private final Map<String, SyncedFile> synced;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong fetched = new AtomicLong();

    /** {@code synced}: the last synced version of each file, by path. */
    public ChunkDeltas(FolderAccess folder, ServerApi api, Map<String, SyncedFile> synced) {
        this.folder = folder;
        this.api = api;
        this.synced = java.util.Collections.unmodifiableMap(synced);
    }

    /** Whether a chunk of the file at {@code path} may have a base: the path has a synced version with content. */
    public boolean hasBase(String path) {
        SyncedFile file = path == null ? null : synced.get(path);
        return file != null && file.manifest().size() > 0;
    }

    /** Chunks uploaded as a delta so far. */
    public long sent() {
        return sent.get();
    }

    /** Chunks downloaded as a delta so far. */
    public long fetched() {
        return fetched.get();
    }

    /** Uploads {@code chunk} of the file at {@code path} as a delta; false when it should travel whole. */
    public boolean tryUpload(Chunk chunk, String path) {
        if (chunk.length() < MIN_CHUNK_BYTES) {
            return false;
        }
        Optional<Base> base = baseFor(path, chunk.offset(), chunk.length(), chunk.id());
        if (base.isEmpty()) {
            return false;
        }
        try {
            Optional<byte[]> signature = api.chunkSignature(base.get().ref().id());
            if (signature.isEmpty()) {
                return false;
            }
            byte[] delta = DeltaEncoder.encode(Signature.parse(signature.get(), MAX_CHUNK_BYTES), chunk.bytes());
            if (delta.length > chunk.length() / 2) {
                return false;
            }
            api.putChunkDelta(chunk.id(), base.get().ref().id(), delta);
            sent.incrementAndGet();
            return true;
        } catch (ApiException | MalformedDeltaException refused) {
            return false; // the whole chunk goes instead, through the caller's retries
        }
    }

    /**
     * Chunk {@code ref}, which the file at {@code path} is to hold at {@code offset}, built from a
     * delta against a chunk of that file's synced version still on disk; empty when it should be
     * fetched whole.
     */
    public Optional<byte[]> tryFetch(ChunkRef ref, String path, long offset) {
        if (ref.size() < MIN_CHUNK_BYTES || ref.size() > MAX_CHUNK_BYTES) {
            return Optional.empty();
        }
        Optional<Base> base = baseFor(path, offset, ref.size(), ref.id());
        Optional<byte[]> baseBytes = base.flatMap(b -> readLocal(path, b));
        if (baseBytes.isEmpty()) {
            return Optional.empty();
        }
        try {
            Optional<ServerApi.ChunkBody> body = api.getChunkAgainst(ref.id(), base.get().ref().id());
            if (body.isEmpty()) {
                return Optional.empty();
            }
            byte[] bytes = body.get().delta() ? DeltaCodec.apply(baseBytes.get(), body.get().bytes(), ref.size()) : body.get().bytes();
            if (bytes.length != ref.size() || !Sha256.hex(bytes).equals(ref.id().value())) {
                return Optional.empty(); // the caller fetches it whole and checks again
            }
            if (body.get().delta()) {
                fetched.incrementAndGet();
            }
            return Optional.of(bytes);
        } catch (ApiException | MalformedDeltaException refused) {
            return Optional.empty();
        }
    }

    /** A chunk of a synced version and where it started in that version. */
    private record Base(ChunkRef ref, long offset) {
    }

    /** The synced chunk of {@code path} that overlaps {@code [offset, offset + size)} most, when it is another chunk. */
    private Optional<Base> baseFor(String path, long offset, long size, ChunkId target) {
        SyncedFile file = synced.get(path);
        if (file == null) {
            return Optional.empty();
        }
        Base best = null;
        long bestOverlap = 0;
        long at = 0;
        for (ChunkRef r : file.manifest().chunks()) {
            long overlap = Math.min(at + r.size(), offset + size) - Math.max(at, offset);
            if (overlap > bestOverlap && !r.id().equals(target) && r.size() <= MAX_CHUNK_BYTES) {
                best = new Base(r, at);
                bestOverlap = overlap;
            }
            at += r.size();
            if (at >= offset + size) {
                break;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The base's bytes from the file at {@code path}, when they are still there (checked against its id). */
    private Optional<byte[]> readLocal(String path, Base base) {
        try {
            Optional<LocalTree.Entry> there = folder.lstat(path);
            if (there.isEmpty() || there.get().kind() != LocalTree.Kind.FILE) {
                return Optional.empty();
            }
            try (RandomAccessFile raf = new RandomAccessFile(folder.resolveChecked(path).toFile(), "r")) {
                if (raf.length() < base.offset() + base.ref().size()) {
                    return Optional.empty();
                }
                byte[] bytes = new byte[(int) base.ref().size()];
                raf.seek(base.offset());
                raf.readFully(bytes);
                return Sha256.hex(bytes).equals(base.ref().id().value()) ? Optional.of(bytes) : Optional.empty();
            }
        } catch (IOException e) {
            return Optional.empty(); // changed or gone since it was synced: no base
        }
    }
}
