package io.cumulus.sync.manifest;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * The content of one file version: its chunks in file order. The same chunk may appear more
 * than once (a file with repeated blocks); the file is the concatenation of the chunks' bytes.
 * An empty manifest is an empty file. Immutable.
 */
public record Manifest(List<ChunkRef> chunks) {

    private static final Manifest EMPTY = new Manifest(List.of());

    public Manifest {
        Objects.requireNonNull(chunks, "a manifest needs a chunk list (empty for an empty file)");
        chunks = List.copyOf(chunks);
    }

    public static Manifest empty() {
        return EMPTY;
    }

    public static Manifest of(ChunkRef... chunks) {
        return new Manifest(List.of(chunks));
    }

    /** The file size in bytes: the sum of the chunk sizes. */
    public long size() {
        long total = 0;
        for (ChunkRef chunk : chunks) {
            total = Math.addExact(total, chunk.size());
        }
        return total;
    }

    /** Each chunk once, in the order of its first appearance: what to upload or download. */
    public List<ChunkId> distinctChunkIds() {
        LinkedHashSet<ChunkId> ids = new LinkedHashSet<>();
        for (ChunkRef chunk : chunks) {
            ids.add(chunk.id());
        }
        return List.copyOf(ids);
    }

    public boolean isEmpty() {
        return chunks.isEmpty();
    }
}
