package io.cumulus.ingest.changes;

import java.util.List;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;

import io.cumulus.ingest.chunks.ChunkId;
import io.cumulus.schemas.FileOp;
import io.cumulus.sync.path.SyncPath;

/**
 * One file change of a batch, validated: a stable file id, the path as sent, the operation, the
 * version vector the device claims for the new version (sorted by device id), and for an upsert
 * the manifest of chunks whose sizes add up to {@code size}.
 */
public record FileChange(String fileId, SyncPath path, FileOp op, SortedMap<String, Long> vector,
                         List<ChunkRef> chunks, long size, OptionalLong modifiedAt) {

    /** One chunk of a manifest. */
    public record ChunkRef(ChunkId id, long size) {
    }

    public FileChange {
        vector = new TreeMap<>(vector);
        chunks = List.copyOf(chunks);
    }
}
