package io.cumulus.ingest.changes;

import java.util.Collection;
import java.util.List;

import io.cumulus.ingest.web.InvalidRequestException;

/** A manifest that gives a chunk another size than the stored chunk has: the manifest is wrong. */
public final class ChunkSizeMismatchException extends InvalidRequestException {

    public ChunkSizeMismatchException(Collection<String> chunkIds) {
        super("chunk-size-mismatch", "Chunk size mismatch",
                chunkIds.size() + " chunk(s) are listed with a size other than their stored size");
        with("chunkIds", List.copyOf(chunkIds));
    }
}
