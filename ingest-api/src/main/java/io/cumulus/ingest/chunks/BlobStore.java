package io.cumulus.ingest.chunks;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where chunk bytes live, addressed by their SHA-256. A store never holds bytes under a name they
 * do not hash to, and never exposes a partly written chunk under its real name: {@link #put}
 * verifies while it writes and publishes only a complete, durable chunk.
 */
public interface BlobStore {

    /**
     * Stores the bytes read from {@code content} as chunk {@code id}, once they are verified to
     * hash to it and are durable; storing a chunk that is already there is harmless.
     *
     * @return the number of bytes stored
     * @throws HashMismatchException when the bytes hash to something else (nothing is stored)
     * @throws ChunkTooLargeException when there are more than {@code maxBytes} (nothing is stored)
     */
    long put(ChunkId id, InputStream content, long maxBytes);

    default long put(ChunkId id, byte[] content) {
        return put(id, new ByteArrayInputStream(content), content.length);
    }

    /** The chunk's bytes, for the caller to close; empty when the store does not have it. */
    Optional<InputStream> open(ChunkId id);

    /**
     * At most {@code length} bytes of the chunk from {@code offset} on (fewer at its end, none past
     * it), for the caller to close; empty when the store does not have the chunk.
     */
    default Optional<InputStream> open(ChunkId id, long offset, long length) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("a range has a non-negative offset and length: " + offset + ", " + length);
        }
        return open(id).map(in -> {
            try {
                in.skipNBytes(Math.min(offset, Long.MAX_VALUE));
            } catch (java.io.EOFException e) {
                BoundedInputStream.closeQuietly(in);
                return InputStream.nullInputStream();
            } catch (java.io.IOException e) {
                BoundedInputStream.closeQuietly(in);
                throw new java.io.UncheckedIOException("cannot read chunk " + id, e);
            }
            return new BoundedInputStream(in, length);
        });
    }

    boolean exists(ChunkId id);

    /** Removes the chunk; false when it was not there. */
    boolean delete(ChunkId id);

    /**
     * Every chunk object the store holds, read lazily (a store may hold millions), in no particular
     * order; for the caller to close. Only objects stored under a chunk id where {@link #open} would
     * find them are listed: temporary uploads and anything else in the store are left out. A chunk
     * stored or deleted while the listing runs may or may not appear.
     *
     * @throws BlobStoreUnavailableException (also while the stream is read) when the store cannot be reached
     */
    Stream<StoredBlob> list();
}
