package io.cumulus.ingest.reads;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.cumulus.ingest.auth.DeviceSession;
import io.cumulus.ingest.namespaces.NamespaceMembership;
import io.cumulus.ingest.reads.ReadModel.FeedEntry;
import io.cumulus.ingest.reads.ReadModel.FileEntry;
import io.cumulus.ingest.reads.ReadModel.Outcome;
import io.cumulus.ingest.web.InvalidRequestException;
import tools.jackson.databind.JsonNode;

/**
 * What devices read back: a batch's outcomes, a namespace's change feed after a sequence number,
 * its live files under a path prefix, and one file by id. Any member of a namespace may read it.
 */
@RestController
public class ReadController {
    public static final int DEFAULT_FEED_LIMIT = 500;
    public static final int MAX_FEED_LIMIT = 1_000;

    private final ReadModel readModel;
    private final NamespaceMembership membership;

    record BatchStatus(UUID batchId, UUID namespaceId, String status, List<Outcome> changes) {
    }

    record Feed(UUID namespaceId, List<FeedEntry> changes, long lastSeq) {
    }

    record Listing(UUID namespaceId, List<ListedFile> files) {
    }

    record ListedFile(String fileId, String path, long size, JsonNode vector, JsonNode chunks, long seq, Instant updatedAt) {
    }

    public ReadController(ReadModel readModel, NamespaceMembership membership) {
        this.readModel = readModel;
        this.membership = membership;
    }

    /** {@code pending} until the outcome of every change, and the event it made, have been projected; then {@code done}. */
    @GetMapping("/v1/batches/{batchId}")
    BatchStatus batch(DeviceSession session, @PathVariable String batchId) {
        ReadModel.Batch batch = parseUuid(batchId)
                .flatMap(id -> readModel.batchOf(session.accountId(), id))
                .orElseThrow(() -> new UnknownBatchException(batchId));
        List<Outcome> outcomes = readModel.outcomesOf(batch.batchId());
        boolean complete = outcomes.size() >= batch.changeCount() && !readModel.eventsPending(batch.batchId());
        String status = complete ? "done" : "pending";
        return new BatchStatus(batch.batchId(), batch.namespaceId(), status, outcomes);
    }

    /** {@code lastSeq} is the cursor for the next call: the last change's seq, or {@code after} when there is none. */
    @GetMapping("/v1/namespaces/{namespaceId}/changes")
    Feed changes(DeviceSession session, @PathVariable String namespaceId,
                 @RequestParam(defaultValue = "0") long after,
                 @RequestParam(defaultValue = "" + DEFAULT_FEED_LIMIT) int limit) {
        UUID namespace = membership.requireReader(session.accountId(), namespaceId);
        if (after < 0) {
            throw invalidParameter("after", "after must be a sequence number >= 0");
        }
        if (limit < 1 || limit > MAX_FEED_LIMIT) {
            throw invalidParameter("limit", "limit must be from 1 to " + MAX_FEED_LIMIT);
        }
        List<FeedEntry> entries = readModel.feed(namespace, after, limit);
        long lastSeq = entries.isEmpty() ? after : entries.getLast().seq();
        return new Feed(namespace, entries, lastSeq);
    }

    @GetMapping("/v1/namespaces/{namespaceId}/files")
    Listing files(DeviceSession session, @PathVariable String namespaceId, @RequestParam(defaultValue = "") String prefix) {
        UUID namespace = membership.requireReader(session.accountId(), namespaceId);
        List<ListedFile> files = readModel.liveFiles(namespace, prefix).stream()
                .map(f -> new ListedFile(f.fileId(), f.path(), f.size(), f.vector(), f.chunks(), f.seq(), f.updatedAt()))
                .toList();
        return new Listing(namespace, files);
    }

    @GetMapping("/v1/files/{fileId}")
    FileEntry file(DeviceSession session, @PathVariable String fileId, @RequestParam(required = false) String namespace) {
        Optional<UUID> only = Optional.empty();
        if (namespace != null) {
            only = Optional.of(parseUuid(namespace).orElseThrow(() -> new UnknownFileException(fileId)));
        }
        return readModel.file(session.accountId(), fileId, only).orElseThrow(() -> new UnknownFileException(fileId));
    }

    private static Optional<UUID> parseUuid(String s) {
        try {
            return Optional.of(UUID.fromString(s));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static InvalidRequestException invalidParameter(String name, String detail) {
        return new InvalidRequestException("invalid-parameter", "Invalid query parameter", detail).with("parameter", name);
    }
}
