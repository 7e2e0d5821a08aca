package io.cumulus.ingest.chunks;

import java.io.InputStream;
import java.util.Objects;
import java.util.Optional;

import io.cumulus.sync.hash.Sha256;

/**
 * The chunk store as the photo worker uses it: it reads the chunks of an original, and stores a
 * derivative (a thumbnail, a preview) as a content-addressed blob that no account uploaded. A
 * derivative is registered in the catalogue like an upload, row first, then bytes, then
 * {@code stored}, so the collector never deletes bytes being written; from then on it is kept while a
 * retained version's row in {@code photos.derivatives} names it.
 */
public final class DerivativeStore {
    private final ChunkCatalog catalog;
    private final BlobStore blobs;

    public DerivativeStore(ChunkCatalog catalog, BlobStore blobs) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.blobs = Objects.requireNonNull(blobs, "blobs");
    }

    /** The blob store the derivatives are written to (its readiness is the photo worker's). */
    public BlobStore blobs() {
        return blobs;
    }

    /** The bytes of a stored chunk, for the caller to close; empty when the store does not hold it. */
    public Optional<InputStream> open(String chunkId) {
        return ChunkId.isValid(chunkId) ? blobs.open(new ChunkId(chunkId)) : Optional.empty();
    }

    /**
     * Stores {@code bytes} under their SHA-256 and returns that id; storing the same bytes again is
     * harmless.
     *
     * @throws ChunkBeingCollectedException when the same bytes are being collected: retry later
     */
    public String store(byte[] bytes) {
        ChunkId id = new ChunkId(Sha256.hex(bytes));
        ChunkCatalog.Upload upload = catalog.beginUpload(id);
        long size;
        try {
            size = upload.alreadyStored() && blobs.exists(id) ? bytes.length : blobs.put(id, bytes);
        } catch (RuntimeException e) {
            catalog.abandon(upload);
            throw e;
        }
        catalog.recordStored(id, size, blobs);
        return id.hex();
    }
}
