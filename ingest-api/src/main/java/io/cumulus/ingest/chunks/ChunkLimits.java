package io.cumulus.ingest.chunks;

/**
 * Sizes the chunk endpoints accept. Clients cut files into content-defined chunks of at most
 * 4 MiB; the margin lets a chunker round up without a request being refused for a few bytes.
 */
public final class ChunkLimits {
    public static final long MAX_CHUNK_BYTES = 4L * 1024 * 1024 + 64 * 1024;
    public static final int MAX_IDS_PER_QUERY = 10_000;

    private ChunkLimits() {
    }
}
