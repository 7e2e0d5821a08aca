package io.cumulus.ingest.syncstate;

import java.time.Instant;

import tools.jackson.databind.JsonNode;

/**
 * One event of a namespace's change feed, as a device pulls it: its seq, the file's new state and who
 * made it. {@code mergePending}: the event keeps a conflicted copy the merge worker is still to merge
 * ({@code conflictOf} names the original); a device does not materialize it, since a later event
 * either deletes it (the merge landed) or writes it again with {@code mergePending} false.
 */
public record FeedEntry(long seq, String fileId, String path, String op, JsonNode vector, JsonNode chunks, long size,
                        String deviceId, String batchId, int changeIndex, String conflictOf, Instant at,
                        boolean mergePending) {
}
