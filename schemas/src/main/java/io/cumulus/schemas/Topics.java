package io.cumulus.schemas;

/**
 * The public topics of Cumulus. Every topic is keyed so that the order that matters is kept:
 * by namespace id for changes, outcomes, file events, conflicts, photo and album events, by
 * namespace and file for file state, by chunk id for chunk reference deltas. The contract for
 * consumers is docs/topics.md.
 */
public final class Topics {
    /** {@link ChangeBatchSubmitted}, key: namespace id. Written by the outbox relay. */
    public static final String CHANGES = "cumulus.changes.v1";
    /** {@link ChangeOutcome}, key: namespace id. One per change of a batch. */
    public static final String OUTCOMES = "cumulus.outcomes.v1";
    /** {@link FileEvent}, key: namespace id. The authoritative history, numbered per namespace. */
    public static final String FILE_EVENTS = "cumulus.file-events.v1";
    /**
     * {@link ConflictEvent}, key: namespace id. One per change that conflicted, with the incoming, stored and
     * base vectors its decision compared; written by the reconciler with the change's file events.
     */
    public static final String CONFLICTS = "cumulus.conflicts.v1";
    /** {@link FileState}, key: namespace id + "/" + file id. Compacted. */
    public static final String FILE_STATE = "cumulus.file-state.v1";
    /** {@link ChunkRefDelta}, key: chunk id. */
    public static final String CHUNK_REFS = "cumulus.chunk-refs.v1";
    /** {@code PhotoEvent}, key: namespace id. The photo library's changes, written by the photo derivatives worker. */
    public static final String PHOTO_EVENTS = "cumulus.photo-events.v1";
    /** {@code AlbumEvent}, key: namespace id. Albums and favourites, written by the API; the photo worker projects them. */
    public static final String ALBUM_EVENTS = "cumulus.album-events.v1";

    public static String fileStateKey(String namespaceId, String fileId) {
        return namespaceId + "/" + fileId;
    }

    private Topics() {
    }
}
