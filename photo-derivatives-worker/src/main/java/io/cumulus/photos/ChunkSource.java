package io.cumulus.photos;

import java.io.InputStream;
import java.util.Optional;

/**
 * The chunk store as the photo worker sees it: the chunks of originals to read, and derivatives to
 * store as content-addressed blobs. The server gives the worker its own chunk store behind this.
 */
public interface ChunkSource {

    /** The bytes of a chunk, for the caller to close; empty when the store does not hold it. */
    Optional<InputStream> open(String chunkId);

    /**
     * Stores a derivative's bytes under their SHA-256 and returns that id; storing the same bytes
     * again is harmless.
     *
     * @throws RuntimeException when the store cannot take them now: the worker retries later
     */
    String store(byte[] bytes);
}
