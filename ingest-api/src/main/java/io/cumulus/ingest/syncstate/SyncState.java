package io.cumulus.ingest.syncstate;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The sync state a device reads on every poll: the namespace change feed, each file's current
 * state, and how far each device has read. {@link PostgresSyncState} reads the projector's
 * PostgreSQL read model; {@link CassandraSyncState} reads the Cassandra tables the projector fills
 * when the deployment grows past one database. Callers check membership first: these methods take
 * a namespace the caller may read.
 */
public interface SyncState {

    /** Up to {@code limit} feed entries with a seq above {@code afterSeq}, in seq order. */
    List<FeedEntry> feed(UUID namespaceId, long afterSeq, int limit);

    /** The highest seq projected for the namespace, 0 when it has none. */
    long head(UUID namespaceId);

    /** The file's current state in the namespace, deleted or not. */
    Optional<FileEntry> file(UUID namespaceId, String fileId);

    /** Records that the device has read the namespace's feed up to {@code seq}; a lower seq never moves it back. */
    void recordCursor(UUID namespaceId, UUID deviceId, long seq);

    /** The cursor of every device that has read the namespace's feed, by device id. */
    List<DeviceCursor> cursors(UUID namespaceId);
}
