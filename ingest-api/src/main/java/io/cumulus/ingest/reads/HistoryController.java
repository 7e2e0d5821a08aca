package io.cumulus.ingest.reads;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import io.cumulus.ingest.audit.AuditTrail;
import io.cumulus.ingest.auth.DeviceSession;
import io.cumulus.ingest.backpressure.BackPressure;
import io.cumulus.ingest.changes.BatchIntake;
import io.cumulus.ingest.changes.ChangeBatch;
import io.cumulus.ingest.changes.FileChange;
import io.cumulus.ingest.changes.IdempotencyKey;
import io.cumulus.ingest.changes.InvalidFileIdException;
import io.cumulus.ingest.namespaces.NamespaceMembership;
import io.cumulus.ingest.syncstate.FileEntry;
import io.cumulus.ingest.reads.ReadModel.TrashEntry;
import io.cumulus.ingest.reads.ReadModel.Version;
import io.cumulus.ingest.web.BodyLimit;
import io.cumulus.ingest.web.InvalidRequestException;
import io.cumulus.ingest.web.JsonBody;
import io.cumulus.schemas.FileOp;
import io.cumulus.ingest.chunks.ChunkId;
import io.cumulus.sync.history.RetentionPolicy;
import io.cumulus.sync.path.SyncPath;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.databind.JsonNode;

/**
 * A file's history and the trash. Every version the reconciler applied is listed while the
 * {@link RetentionPolicy} keeps it (the reconciler releases the chunks of the others); restoring one
 * (or undeleting a file, which restores its last version) is a change like any other, submitted on
 * behalf of the asking device, so it reaches every device and conflicts are decided as usual. Each
 * restore is recorded in the account's audit log ({@code file-restored}), once however often it is retried.
 */
@RestController
public class HistoryController {
    static final BodyLimit LIMIT = BodyLimit.ofMiB(1);

    private final ReadModel readModel;
    private final NamespaceMembership membership;
    private final BatchIntake intake;
    private final BackPressure backPressure;
    private final JsonBody json;
    private final RetentionPolicy retention;
    private final AuditTrail audit;

    record History(UUID namespaceId, String fileId, String path, boolean deleted, List<Version> versions) {
    }

    record Trash(UUID namespaceId, List<TrashEntry> files) {
    }

    record Restoring(UUID batchId, String fileId, long version, String path) {
    }

    public HistoryController(ReadModel readModel, NamespaceMembership membership, BatchIntake intake,
                             BackPressure backPressure, JsonBody json, RetentionPolicy retention, AuditTrail audit) {
        this.retention = retention;
        this.audit = audit;
        this.readModel = readModel;
        this.membership = membership;
        this.intake = intake;
        this.backPressure = backPressure;
        this.json = json;
    }

    @GetMapping("/v1/files/{fileId}/versions")
    History versions(DeviceSession session, @PathVariable String fileId) {
        InvalidFileIdException.requireValid(fileId);
        FileEntry file = readModel.file(session.accountId(), fileId, java.util.Optional.empty())
                .orElseThrow(() -> new UnknownFileException(fileId));
        return new History(file.namespaceId(), fileId, file.path(), file.deleted(), retained(file.namespaceId(), fileId));
    }

    /** The file's versions the retention policy still keeps, newest first. */
    private List<Version> retained(UUID namespaceId, String fileId) {
        List<Version> newestFirst = readModel.history(namespaceId, fileId);
        List<Version> oldestFirst = new ArrayList<>(newestFirst.reversed());
        List<Integer> expired = retention.expired(oldestFirst.stream()
                .map(v -> new RetentionPolicy.Entry(v.at(), v.op().equals("DELETE"))).toList(), Instant.now());
        for (int i = expired.size() - 1; i >= 0; i--) {
            oldestFirst.remove((int) expired.get(i));
        }
        return oldestFirst.reversed();
    }

    @GetMapping("/v1/namespaces/{namespaceId}/trash")
    Trash trash(DeviceSession session, @PathVariable String namespaceId) {
        UUID namespace = membership.requireReader(session.accountId(), namespaceId);
        Instant now = Instant.now();
        return new Trash(namespace, readModel.trash(namespace).stream()
                .filter(t -> now.isBefore(t.deletedAt().plus(retention.period())))
                .toList());
    }

    /**
     * Restores a version ({@code {"version": seq}}): the file gets that version's content, at its
     * current path when it is live and at the version's path when it was deleted. Without an
     * {@code Idempotency-Key}, one is derived from the file's current state, so a retry of the same
     * restore makes no second change. The new version counts under {@link OnBehalf#actor}, so an edit
     * the device has not sent yet is concurrent with it and both are kept. While the pipeline is
     * behind, {@code 503} with {@code Retry-After} ({@link BackPressure}), before anything is read.
     */
    @PostMapping(path = "/v1/files/{fileId}/restore", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Restoring> restore(DeviceSession session, @PathVariable String fileId,
                                      @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
                                      HttpServletRequest request) {
        backPressure.admit();
        InvalidFileIdException.requireValid(fileId);
        JsonNode body = json.readTree(request, LIMIT);
        JsonNode v = body.get("version");
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 1) {
            throw new InvalidRequestException("invalid-version", "Invalid version", "version must be the sequence number of a "
                    + "version of the file, as GET /v1/files/" + fileId + "/versions lists it");
        }
        long seq = v.longValue();
        FileEntry file = readModel.file(session.accountId(), fileId, java.util.Optional.empty())
                .orElseThrow(() -> new UnknownFileException(fileId));
        membership.requireWriter(session.accountId(), file.namespaceId().toString());
        Version version = retained(file.namespaceId(), fileId).stream()
                .filter(h -> h.seq() == seq && h.op().equals("UPSERT"))
                .findFirst()
                .orElseThrow(() -> new InvalidRequestException("unknown-version", "Unknown version",
                        "file " + fileId + " has no version " + seq + " (versions are kept for "
                                + retention.period().toDays() + " days, and at least the last " + retention.minVersions() + ")"));
        String path = file.deleted() ? version.path() : file.path();
        SortedMap<String, Long> vector = OnBehalf.nextVector(session, file.vector());
        List<FileChange.ChunkRef> chunks = new ArrayList<>();
        for (JsonNode c : version.chunks()) {
            chunks.add(new FileChange.ChunkRef(new ChunkId(c.get("id").asString()), c.get("size").asLong()));
        }
        // No modification time: it is part of the request's fingerprint, and a retry must match the first request.
        FileChange change = new FileChange(fileId, SyncPath.parse(path), FileOp.UPSERT, vector, chunks, version.size(),
                OptionalLong.empty());
        IdempotencyKey key = new IdempotencyKey(idempotencyKey != null ? idempotencyKey
                : "restore:" + fileId.hashCode() + ":" + seq + ":" + file.seq() + ":" + session.deviceId());
        BatchIntake.Accepted accepted = intake.accept(session, OnBehalf.actor(session), key,
                new ChangeBatch(file.namespaceId().toString(), List.of(change)));
        if (accepted.created()) {
            audit.record(session.accountId(), session.deviceId(), "file-restored", java.util.Map.of(
                    "fileId", fileId, "path", path, "version", Long.toString(seq), "undeleted", Boolean.toString(file.deleted()),
                    "namespaceId", file.namespaceId().toString(), "batchId", accepted.batchId().toString()));
        }
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(new Restoring(accepted.batchId(), fileId, seq, path));
    }
}
