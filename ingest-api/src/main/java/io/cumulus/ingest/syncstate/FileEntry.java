package io.cumulus.ingest.syncstate;

import java.time.Instant;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

/**
 * A file's current state in its namespace: where it is, whether it is deleted, its version vector and
 * manifest, and whether it is a conflicted copy still waiting for the merge worker (see {@link FeedEntry}).
 */
public record FileEntry(UUID namespaceId, String fileId, String path, boolean deleted, JsonNode vector, JsonNode chunks,
                        long size, long seq, Instant updatedAt, boolean mergePending) {
}
