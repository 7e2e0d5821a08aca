package io.cumulus.ingest.chunks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.UUID;

/**
 * The server's half of chunk deltas (decision 0017): the bytes of a base chunk an account may
 * read, for its signature, for applying a delta upload to, or for encoding a delta download against.
 * Every base is a stored chunk, so at most {@link ChunkLimits#MAX_CHUNK_BYTES} are held per request.
 */
final class ChunkDeltas {
    /** The media type of a delta body, both ways; a chunk's own bytes stay {@code application/octet-stream}. */
    static final String MEDIA_TYPE = "application/vnd.cumulus.chunk-delta";
    /** A delta a client sends is smaller than its chunk; the margin covers a pathological but valid encoding. */
    static final long MAX_DELTA_BYTES = ChunkLimits.MAX_CHUNK_BYTES + 64 * 1024;

    private final BlobStore blobs;
    private final ChunkCatalog catalog;

    ChunkDeltas(BlobStore blobs, ChunkCatalog catalog) {
        this.blobs = blobs;
        this.catalog = catalog;
    }

    /** The base's bytes, when this account may read it; otherwise {@link BaseUnavailableException}. */
    byte[] base(UUID accountId, ChunkId base) {
        long size = catalog.sizeVisibleTo(accountId, base).orElseThrow(() -> new BaseUnavailableException(base));
        return read(base, size).orElseThrow(() -> new BaseUnavailableException(base));
    }

    /** The chunk's bytes, when this account may read it; otherwise {@link ChunkNotFoundException}. */
    byte[] chunk(UUID accountId, ChunkId id) {
        long size = catalog.sizeVisibleTo(accountId, id).orElseThrow(() -> new ChunkNotFoundException(id.hex()));
        return read(id, size).orElseThrow(() -> new IllegalStateException("chunk " + id + " is in the catalog but not in the blob store"));
    }

    private java.util.Optional<byte[]> read(ChunkId id, long size) {
        if (size > ChunkLimits.MAX_CHUNK_BYTES) {
            throw new IllegalStateException("stored chunk " + id + " has " + size + " bytes, over the chunk limit");
        }
        var opened = blobs.open(id);
        if (opened.isEmpty()) {
            return java.util.Optional.empty(); // collected since the catalog answered
        }
        try (InputStream in = opened.get()) {
            byte[] bytes = in.readNBytes((int) size);
            return bytes.length == size ? java.util.Optional.of(bytes) : java.util.Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read chunk " + id, e);
        }
    }
}
