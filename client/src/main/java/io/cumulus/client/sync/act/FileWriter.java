package io.cumulus.client.sync.act;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.cumulus.client.api.ApiException;
import io.cumulus.client.api.Retry;
import io.cumulus.client.api.ServerApi;
import io.cumulus.client.scan.LocalTree;
import io.cumulus.client.state.LocalState.SyncedFile;
import io.cumulus.client.sync.Progress;
import io.cumulus.sync.hash.Sha256;
import io.cumulus.sync.manifest.ChunkId;
import io.cumulus.sync.manifest.ChunkRef;
import io.cumulus.sync.manifest.Manifest;

/**
 * Writes one file version from its manifest: chunks found in local files are copied (each one's
 * hash checked), the others fetched; the temporary file beside the target is fsynced, then renamed
 * into place through {@link FolderAccess#replace}, which keeps whatever changed meanwhile. Several
 * files may be written at once from different threads.
 */
public final class FileWriter {
    private final FolderAccess folder;
    private final ServerApi api;
    private final Retry retry;
    private final Progress progress;
    private final ChunkDeltas deltas;
    private final Map<ChunkId, ChunkSource> sources = new java.util.concurrent.ConcurrentHashMap<>();

    /** Where a chunk sits in a local file, as last synced: a hint, checked against the chunk's id when read. */
    private record ChunkSource(String path, long offset, long size) {
    }

    public FileWriter(FolderAccess folder, ServerApi api, Retry retry, Progress progress, Iterable<SyncedFile> synced,
                      ChunkDeltas deltas) {
        this.folder = folder;
        this.api = api;
        this.retry = retry;
        this.progress = progress;
        this.deltas = deltas;
        for (SyncedFile f : synced) {
            remember(f.path(), f.manifest());
        }
    }

    /** Notes where a manifest's chunks now sit on disk, for later files that share them. */
    public void remember(String path, Manifest manifest) {
        long offset = 0;
        for (ChunkRef ref : manifest.chunks()) {
            sources.putIfAbsent(ref.id(), new ChunkSource(path, offset, ref.size()));
            offset += ref.size();
        }
    }

    /**
     * Fetches, in one request, the chunks of these manifests that are not to be found in local
     * files, each checked against its id; those the server left out or that arrived damaged are
     * simply absent (the write then fetches them alone). Empty when the request fails.
     */
    public Map<ChunkId, byte[]> prefetch(Iterable<Manifest> manifests) {
        Map<ChunkId, Long> wanted = new java.util.LinkedHashMap<>();
        for (Manifest m : manifests) {
            for (ChunkRef ref : m.chunks()) {
                if (!sources.containsKey(ref.id())) {
                    wanted.putIfAbsent(ref.id(), ref.size());
                }
            }
        }
        Map<ChunkId, byte[]> fetched = new HashMap<>();
        if (wanted.isEmpty()) {
            return fetched;
        }
        try {
            retry.call(() -> api.getChunks(wanted.keySet())).forEach((id, bytes) -> {
                Long size = wanted.get(id);
                if (size != null && bytes.length == size && Sha256.hex(bytes).equals(id.value())) {
                    fetched.put(id, bytes);
                }
            });
        } catch (ApiException e) {
            if (e.unauthorized()) {
                throw e;
            }
            // each file fetches its chunks alone, and learns why
        }
        return fetched;
    }

    /** Writes {@code manifest} at {@code rel} in place of {@code expected} (null: the path must be free); the new stat. */
    public LocalTree.Entry write(String rel, Manifest manifest, LocalTree.Entry expected) throws IOException {
        return write(rel, manifest, expected, Map.of());
    }

    /** As {@link #write(String, Manifest, LocalTree.Entry)}, taking chunks from {@code fetched} (see {@link #prefetch}) first. */
    public LocalTree.Entry write(String rel, Manifest manifest, LocalTree.Entry expected, Map<ChunkId, byte[]> fetched)
            throws IOException {
        Path tmp = folder.temporaryBeside(rel);
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
                long offset = 0;
                for (ChunkRef ref : manifest.chunks()) {
                    byte[] bytes = kept.containsKey(ref.id()) ? kept.get(ref.id())
                            : fetched.containsKey(ref.id()) ? fetched.get(ref.id()) : chunk(rel, offset, ref);
                    offset += ref.size();
                    if (repeated.contains(ref.id())) {
                        kept.put(ref.id(), bytes);
                    }
                    ByteBuffer buffer = ByteBuffer.wrap(bytes);
                    while (buffer.hasRemaining()) {
                        out.write(buffer);
                    }
                    progress.bytes(bytes.length);
                }
                out.force(true);
            }
            if (Files.size(tmp) != manifest.size()) {
                throw new IOException("the downloaded " + rel + " has " + Files.size(tmp) + " bytes, expected " + manifest.size());
            }
            // The stat of the finished file before its rename, which keeps it: were the file edited right after it
            // lands, a stat taken then would record the edit as the synced version, and the edit would never be sent.
            java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(tmp, java.nio.file.attribute.BasicFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
            LocalTree.Entry written = LocalTree.Entry.file(rel, a.size(), a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS),
                    String.valueOf(a.fileKey()));
            folder.replace(tmp, rel, expected);
            progress.file();
            remember(rel, manifest);
            return written;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private byte[] chunk(String rel, long offset, ChunkRef ref) throws IOException {
        ChunkSource source = sources.get(ref.id());
        if (source != null) {
            Optional<byte[]> copied = readLocal(source, ref.id());
            if (copied.isPresent()) {
                return copied.get();
            }
        }
        Optional<byte[]> rebuilt = deltas.tryFetch(ref, rel, offset);
        if (rebuilt.isPresent()) {
            return rebuilt.get();
        }
        byte[] bytes;
        try {
            bytes = retry.call(() -> api.getChunk(ref.id()))
                    .orElseThrow(() -> new IOException("the server has no chunk " + ref.id().value() + " for this account"));
        } catch (ApiException e) {
            if (e.retryable()) {
                throw e; // the server is down: the round stops, and everything is tried again
            }
            throw new IOException(e.getMessage(), e);
        }
        if (bytes.length != ref.size() || !Sha256.hex(bytes).equals(ref.id().value())) {
            throw new IOException("chunk " + ref.id().value() + " arrived damaged (its size or SHA-256 differs)");
        }
        return bytes;
    }

    private Optional<byte[]> readLocal(ChunkSource source, ChunkId id) {
        if (source.size() > Integer.MAX_VALUE) {
            return Optional.empty();
        }
        try {
            Path file = folder.resolveChecked(source.path());
            Optional<LocalTree.Entry> there = folder.lstat(source.path());
            if (there.isEmpty() || there.get().kind() != LocalTree.Kind.FILE) {
                return Optional.empty();
            }
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
                if (raf.length() < source.offset() + source.size()) {
                    return Optional.empty();
                }
                byte[] bytes = new byte[(int) source.size()];
                raf.seek(source.offset());
                raf.readFully(bytes);
                return Sha256.hex(bytes).equals(id.value()) ? Optional.of(bytes) : Optional.empty();
            }
        } catch (IOException e) {
            return Optional.empty(); // not there any more, or changed: fetch it instead
        }
    }
}
