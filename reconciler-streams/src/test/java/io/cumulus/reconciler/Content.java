package io.cumulus.reconciler;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.cumulus.schemas.ChunkRef;

/**
 * A file's content in the interleaving model, by a readable label ({@code L7}: written by the laptop in
 * step 7). On the wire it is one chunk whose bytes are the label, so a label is recognised again in any
 * event; content the server made itself (a merge) reads as its chunk ids.
 */
record Content(String label) {
    private static final Map<String, String> LABELS_BY_CHUNK_ID = new ConcurrentHashMap<>();

    static Content of(String label) {
        LABELS_BY_CHUNK_ID.put(BatchBuilder.chunk(label).getChunkId(), label);
        return new Content(label);
    }

    static Content of(List<ChunkRef> chunks) {
        if (chunks.size() == 1 && LABELS_BY_CHUNK_ID.containsKey(chunks.getFirst().getChunkId())) {
            return new Content(LABELS_BY_CHUNK_ID.get(chunks.getFirst().getChunkId()));
        }
        return new Content("chunks" + chunks.stream().map(c -> c.getChunkId().substring(0, 8)).toList());
    }

    ChunkRef[] chunks() {
        return new ChunkRef[] {BatchBuilder.chunk(label)};
    }

    @Override
    public String toString() {
        return label;
    }
}
