package io.cumulus.ingest.syncstate;

import java.time.Instant;
import java.util.UUID;

/**
 * How far a device has read a namespace's feed: it asked for the changes after {@code seq}, so it
 * has everything up to {@code seq}. {@code updatedAt} is when the cursor last moved forward.
 */
public record DeviceCursor(UUID deviceId, long seq, Instant updatedAt) {
}
