package io.cumulus.ingest.reads;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
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

import io.cumulus.ingest.auth.DeviceSession;
import io.cumulus.ingest.backpressure.BackPressure;
import io.cumulus.ingest.changes.BatchIntake;
import io.cumulus.ingest.changes.ChangeBatch;
import io.cumulus.ingest.changes.FileChange;
import io.cumulus.ingest.changes.IdempotencyKey;
import io.cumulus.ingest.changes.InvalidFileIdException;
import io.cumulus.ingest.chunks.ChunkId;
import io.cumulus.ingest.namespaces.NamespaceMembership;
import io.cumulus.ingest.reads.ReadModel.Conflict;
import io.cumulus.ingest.syncstate.FileEntry;
import io.cumulus.ingest.web.BodyLimit;
import io.cumulus.ingest.web.InvalidRequestException;
import io.cumulus.ingest.web.JsonBody;
import io.cumulus.schemas.FileOp;
import io.cumulus.sync.hash.Sha256;
import io.cumulus.sync.path.SyncPath;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.databind.JsonNode;

/**
 * Unresolved conflicts and their resolution. A conflict is unresolved while the copy the reconciler
 * kept is live and its latest event is the one that made it a copy. Resolving is a change like any
 * other, submitted on behalf of the asking device so that it reaches every device:
 * <ul>
 * <li>{@code original}: the copy is deleted (it stays in the trash);</li>
 * <li>{@code copy}: the original gets the copy's content at its path (for a deleted original, at the
 * path it had last: it is brought back rather than left in the trash), and the copy is deleted;</li>
 * <li>{@code both}: the copy is written again as it is, so it becomes a file of its own.</li>
 * </ul>
 */
@RestController
public class ConflictController {
    static final BodyLimit LIMIT = BodyLimit.ofKiB(4);

    private final ReadModel readModel;
    private final NamespaceMembership membership;
    private final BatchIntake intake;
    private final BackPressure backPressure;
    private final JsonBody json;

    /** Which side a resolution keeps. */
    enum Keep {
        COPY, ORIGINAL, BOTH;

        static Keep of(JsonNode value) {
            if (value != null && value.isString()) {
                for (Keep k : values()) {
                    if (k.wire().equals(value.asString())) {
                        return k;
                    }
                }
            }
            throw new InvalidRequestException("invalid-keep", "Invalid keep",
                    "keep must be \"copy\", \"original\" or \"both\"");
        }

        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    record Conflicts(UUID namespaceId, List<Conflict> conflicts) {
    }

    record Resolving(UUID batchId, String copyFileId, String keep) {
    }

    public ConflictController(ReadModel readModel, NamespaceMembership membership, BatchIntake intake,
                              BackPressure backPressure, JsonBody json) {
        this.readModel = readModel;
        this.membership = membership;
        this.intake = intake;
        this.backPressure = backPressure;
        this.json = json;
    }

    @GetMapping("/v1/namespaces/{namespaceId}/conflicts")
    Conflicts conflicts(DeviceSession session, @PathVariable String namespaceId) {
        UUID namespace = membership.requireReader(session.accountId(), namespaceId);
        return new Conflicts(namespace, readModel.conflicts(namespace));
    }

    /**
     * Resolves a conflict ({@code {"keep": "copy"|"original"|"both"}}) in one batch. Without an
     * {@code Idempotency-Key}, one is derived from the conflict, the choice and the device, so a
     * retry makes no second change; a retry that comes after the pipeline has applied the
     * resolution (the copy is no longer listed) gets the first batch again. While the pipeline is
     * behind, {@code 503} with {@code Retry-After} ({@link BackPressure}), before anything is read.
     */
    @PostMapping(path = "/v1/namespaces/{namespaceId}/conflicts/{copyFileId}/resolve", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Resolving> resolve(DeviceSession session, @PathVariable String namespaceId, @PathVariable String copyFileId,
                                      @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
                                      HttpServletRequest request) {
        backPressure.admit();
        InvalidFileIdException.requireValid(copyFileId);
        UUID namespace = membership.requireWriter(session.accountId(), namespaceId);
        Keep keep = Keep.of(json.readTree(request, LIMIT).get("keep"));
        Optional<Conflict> open = readModel.conflict(namespace, copyFileId);
        if (open.isEmpty()) {
            UUID earlier = readModel.lastConflictSeq(namespace, copyFileId)
                    .flatMap(seq -> intake.acceptedBefore(session, key(idempotencyKey, copyFileId, seq, keep, session)))
                    .orElseThrow(() -> new UnknownConflictException(namespaceId, copyFileId));
            return accepted(earlier, copyFileId, keep);
        }
        Conflict conflict = open.get();
        FileEntry copy = readModel.file(session.accountId(), copyFileId, Optional.of(namespace))
                .orElseThrow(() -> new UnknownConflictException(namespaceId, copyFileId));
        Optional<FileEntry> original = readModel.file(session.accountId(), conflict.original().fileId(), Optional.of(namespace));
        // Counted under the server's entry for the device, so an edit the device has not sent yet stays concurrent.
        List<FileChange> changes = switch (keep) {
            case ORIGINAL -> List.of(deletion(copy, OnBehalf.nextVector(session, copy.vector())));
            case BOTH -> List.of(upsert(copy.fileId(), copy.path(), OnBehalf.nextVector(session, copy.vector()), copy));
            // An original the read model lacks cannot take the content: the copy then stays, as a file of its own.
            case COPY -> original.isEmpty()
                    ? List.of(upsert(copy.fileId(), copy.path(), OnBehalf.nextVector(session, copy.vector()), copy))
                    : List.of(upsert(original.get().fileId(), original.get().path(),
                                    OnBehalf.nextVector(session, original.get().vector(), copy.vector()), copy),
                            deletion(copy, OnBehalf.nextVector(session, copy.vector())));
        };
        IdempotencyKey key = key(idempotencyKey, copyFileId, conflict.seq(), keep, session);
        BatchIntake.Accepted accepted = intake.accept(session, OnBehalf.actor(session), key, new ChangeBatch(namespace.toString(), changes));
        return accepted(accepted.batchId(), copyFileId, keep);
    }

    private static ResponseEntity<Resolving> accepted(UUID batchId, String copyFileId, Keep keep) {
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(new Resolving(batchId, copyFileId, keep.wire()));
    }

    private static IdempotencyKey key(String given, String copyFileId, long conflictSeq, Keep keep, DeviceSession session) {
        return new IdempotencyKey(given != null ? given : "resolve:" + Sha256.hex(copyFileId.getBytes(StandardCharsets.UTF_8))
                + ":" + conflictSeq + ":" + keep.wire() + ":" + session.deviceId());
    }

    private static FileChange upsert(String fileId, String path, SortedMap<String, Long> vector, FileEntry content) {
        List<FileChange.ChunkRef> chunks = new ArrayList<>();
        for (JsonNode c : content.chunks()) {
            chunks.add(new FileChange.ChunkRef(new ChunkId(c.get("id").asString()), c.get("size").asLong()));
        }
        return new FileChange(fileId, SyncPath.parse(path), FileOp.UPSERT, vector, chunks, content.size(), OptionalLong.empty());
    }

    private static FileChange deletion(FileEntry file, SortedMap<String, Long> vector) {
        return new FileChange(file.fileId(), SyncPath.parse(file.path()), FileOp.DELETE, vector, List.of(), 0, OptionalLong.empty());
    }
}
