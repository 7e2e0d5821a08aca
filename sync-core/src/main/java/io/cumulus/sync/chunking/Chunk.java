package io.cumulus.sync.chunking;

import java.util.Arrays;
import java.util.Objects;

import io.cumulus.sync.manifest.ChunkId;
import io.cumulus.sync.manifest.ChunkRef;

/**
 * One content-defined chunk of a stream: where it starts, its SHA-256 id and its bytes. The
 * byte array belongs to the receiver (the chunker never touches it again). Equality compares
 * the content, so two chunkings can be compared as lists.
 */
public record Chunk(long offset, ChunkId id, byte[] bytes) {

    public Chunk {
        Objects.requireNonNull(id, "a chunk needs an id");
        Objects.requireNonNull(bytes, "a chunk needs its bytes");
    }

    public int length() {
        return bytes.length;
    }

    /** The manifest entry for this chunk. */
    public ChunkRef ref() {
        return new ChunkRef(id, bytes.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Chunk c && offset == c.offset && id.equals(c.id) && Arrays.equals(bytes, c.bytes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(offset, id);
    }

    @Override
    public String toString() {
        return "Chunk[offset=" + offset + ", length=" + bytes.length + ", id=" + id + "]";
    }
}
