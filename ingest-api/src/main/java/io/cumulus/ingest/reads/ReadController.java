package io.cumulus.ingest.reads;

import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.cumulus.ingest.auth.DeviceSession;
import io.cumulus.ingest.changes.InvalidFileIdException;
import io.cumulus.ingest.namespaces.NamespaceMembership;
import io.cumulus.ingest.syncstate.FeedEntry;
import io.cumulus.ingest.syncstate.FileEntry;
import io.cumulus.ingest.reads.ReadModel.Outcome;
import io.cumulus.ingest.syncstate.DeviceCursor;
import io.cumulus.ingest.syncstate.SyncState;
import io.cumulus.ingest.syncstate.SyncStateUnavailableException;
import io.cumulus.ingest.web.InvalidRequestException;
import tools.jackson.databind.JsonNode;

/**
 * What devices read back: a batch's outcomes, a namespace's change feed after a sequence number
 * (which records the device's cursor), the cursors of the namespace's devices, its live files under
 * a path prefix, and one file by id. Any member of a namespace may read it. The feed, the cursors
 * and a file's current state come from the {@link SyncState}, the rest from the relational read model.
 */
@RestController
public class ReadController {
    private static final Logger log = LoggerFactory.getLogger(ReadController.class);
    public static final int DEFAULT_FEED_LIMIT = 500;
    public static final int MAX_FEED_LIMIT = 1_000;

    private final ReadModel readModel;
    private final SyncState syncState;
    private final NamespaceMembership membership;

    record BatchStatus(UUID batchId, UUID namespaceId, String status, List<Outcome> changes) {
    }

    /** {@code omitted}: how many of the page's events were left out as the device's own (see {@link #changes}). */
    record Feed(UUID namespaceId, List<FeedEntry> changes, long lastSeq, int omitted) {
    }

    /** {@code lastSeq} is the namespace's latest seq, so a device's lag is {@code lastSeq - seq}. */
    record Cursors(UUID namespaceId, long lastSeq, List<DeviceCursor> devices) {
    }

    record Listing(UUID namespaceId, List<ListedFile> files) {
    }

    /** {@code mergePending}: a conflicted copy still waiting for the merge worker, not to be materialized (see {@link FeedEntry}). */
    record ListedFile(String fileId, String path, long size, JsonNode vector, JsonNode chunks, long seq, Instant updatedAt,
                      boolean mergePending) {
    }

    public ReadController(ReadModel readModel, SyncState syncState, NamespaceMembership membership) {
        this.readModel = readModel;
        this.syncState = syncState;
        this.membership = membership;
    }

    /**
     * {@code pending} until the outcome of every change, and the event it made, have been projected; then {@code done}.
     * With {@code outcomesWhenDone=true} a pending batch's answer lists no outcome yet: a device that polls
     * until the batch is done reads them once, not again on every poll.
     */
    @GetMapping("/v1/batches/{batchId}")
    BatchStatus batch(DeviceSession session, @PathVariable String batchId,
                      @RequestParam(defaultValue = "false") boolean outcomesWhenDone) {
        ReadModel.Batch batch = parseUuid(batchId)
                .flatMap(id -> readModel.batchOf(session.accountId(), id))
                .orElseThrow(() -> new UnknownBatchException(batchId));
        List<Outcome> outcomes = readModel.outcomesOf(batch.batchId());
        boolean complete = outcomes.size() >= batch.changeCount() && !readModel.eventsPending(batch.batchId());
        String status = complete ? "done" : "pending";
        return new BatchStatus(batch.batchId(), batch.namespaceId(), status, complete || !outcomesWhenDone ? outcomes : List.of());
    }

    /**
     * {@code lastSeq} is the cursor for the next call: the last change's seq, or, when there is none,
     * {@code after} or the namespace's head if that is lower (a device asking past the head has
     * everything, and must not be told of a seq that does not exist yet). Asking for the changes
     * after {@code after} says the device has everything up to it: that, never past the head, is
     * recorded as the device's cursor for the namespace.
     *
     * <p>With {@code omitOwn=true} the page leaves out the events that are exactly what the asking
     * device sent: its own changes (not a restore or resolution the server made on its behalf, not a
     * merge) applied as sent, with no conflicted copy. The device learnt their seq and vector from its
     * batch's outcomes, so sending them back only costs bytes. Every other event still comes, and
     * {@code lastSeq} and {@code omitted} still count the omitted ones, so the device's cursor passes them.
     */
    @GetMapping("/v1/namespaces/{namespaceId}/changes")
    Feed changes(DeviceSession session, @PathVariable String namespaceId,
                 @RequestParam(defaultValue = "0") long after,
                 @RequestParam(defaultValue = "" + DEFAULT_FEED_LIMIT) int limit,
                 @RequestParam(defaultValue = "false") boolean omitOwn) {
        UUID namespace = membership.requireReader(session.accountId(), namespaceId);
        if (after < 0) {
            throw invalidParameter("after", "after must be a sequence number >= 0");
        }
        if (limit < 1 || limit > MAX_FEED_LIMIT) {
            throw invalidParameter("limit", "limit must be from 1 to " + MAX_FEED_LIMIT);
        }
        List<FeedEntry> entries = syncState.feed(namespace, after, limit);
        // Read after the feed: a head that moved on since then is above every entry the feed lacked,
        // so the lower of it and after never skips a change.
        long acknowledged = entries.isEmpty() ? Math.min(after, syncState.head(namespace)) : after;
        try {
            syncState.recordCursor(namespace, session.deviceId(), acknowledged);
        } catch (SyncStateUnavailableException e) {
            // A cursor only reports progress, and the device's next poll records it again: a store that
            // took the read but not this write must not cost the device the changes it was given.
            log.warn("device cursor not recorded namespace={} device={} seq={} error={}", namespace,
                    session.deviceId(), acknowledged, e.toString());
        }
        long lastSeq = entries.isEmpty() ? acknowledged : entries.getLast().seq();
        List<FeedEntry> sent = omitOwn ? withoutSentAsIs(entries, session.deviceId()) : entries;
        return new Feed(namespace, sent, lastSeq, entries.size() - sent.size());
    }

    private List<FeedEntry> withoutSentAsIs(List<FeedEntry> entries, UUID deviceId) {
        String device = deviceId.toString();
        Set<String> batches = new HashSet<>();
        for (FeedEntry e : entries) {
            if (ownPlainCandidate(e, device)) {
                batches.add(e.batchId());
            }
        }
        if (batches.isEmpty()) {
            return entries;
        }
        Set<String> asSent = new HashSet<>();
        for (ReadModel.SentAsIs s : readModel.appliedAsSent(deviceId, batches)) {
            asSent.add(s.batchId() + "/" + s.changeIndex() + "/" + s.seq() + "/" + s.fileId());
        }
        return entries.stream()
                .filter(e -> !(ownPlainCandidate(e, device)
                        && asSent.contains(e.batchId() + "/" + e.changeIndex() + "/" + e.seq() + "/" + e.fileId())))
                .toList();
    }

    /** An event the device made itself that is no conflicted copy and waits for no merge. */
    private static boolean ownPlainCandidate(FeedEntry e, String device) {
        return device.equals(e.deviceId()) && e.conflictOf() == null && !e.mergePending() && e.batchId() != null;
    }

    @GetMapping("/v1/namespaces/{namespaceId}/devices/cursors")
    Cursors cursors(DeviceSession session, @PathVariable String namespaceId) {
        UUID namespace = membership.requireReader(session.accountId(), namespaceId);
        long head = syncState.head(namespace);
        // A cursor recorded past the head (as an older server did for a device asking past it) reads as the head.
        return new Cursors(namespace, head, syncState.cursors(namespace).stream()
                .map(c -> c.seq() > head ? new DeviceCursor(c.deviceId(), head, c.updatedAt()) : c)
                .toList());
    }

    @GetMapping("/v1/namespaces/{namespaceId}/files")
    Listing files(DeviceSession session, @PathVariable String namespaceId, @RequestParam(defaultValue = "") String prefix) {
        UUID namespace = membership.requireReader(session.accountId(), namespaceId);
        List<ListedFile> files = readModel.liveFiles(namespace, prefix).stream()
                .map(f -> new ListedFile(f.fileId(), f.path(), f.size(), f.vector(), f.chunks(), f.seq(), f.updatedAt(),
                        f.mergePending()))
                .toList();
        return new Listing(namespace, files);
    }

    /**
     * The file in {@code namespace}, or among all the namespaces the account is a member of (when the
     * same id is in several, the most recently updated). A namespace the account is not a member of
     * holds no file for it.
     */
    @GetMapping("/v1/files/{fileId}")
    FileEntry file(DeviceSession session, @PathVariable String fileId, @RequestParam(required = false) String namespace) {
        InvalidFileIdException.requireValid(fileId);
        List<UUID> namespaces;
        if (namespace != null) {
            UUID only = parseUuid(namespace).orElseThrow(() -> new UnknownFileException(fileId));
            namespaces = membership.roleOf(session.accountId(), only).isPresent() ? List.of(only) : List.of();
        } else {
            namespaces = membership.namespacesOf(session.accountId()).stream().map(m -> m.id()).toList();
        }
        return namespaces.stream()
                .flatMap(ns -> syncState.file(ns, fileId).stream())
                .min(Comparator.comparing(FileEntry::updatedAt, Comparator.reverseOrder())
                        .thenComparing(f -> f.namespaceId().toString()))
                .orElseThrow(() -> new UnknownFileException(fileId));
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
