package io.cumulus.ingest.merge;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.ingest.IngestDatabase;
import io.cumulus.ingest.auth.DeviceSession;
import io.cumulus.ingest.changes.BatchIntake;
import io.cumulus.ingest.changes.ChangeBatch;
import io.cumulus.ingest.changes.FileChange;
import io.cumulus.ingest.changes.FileChange.ChunkRef;
import io.cumulus.ingest.changes.IdempotencyKey;
import io.cumulus.ingest.chunks.BlobStore;
import io.cumulus.ingest.chunks.ChunkCatalog;
import io.cumulus.ingest.chunks.ChunkId;
import io.cumulus.ingest.reads.ReadModel;
import io.cumulus.ingest.reads.ReadModel.Version;
import io.cumulus.ingest.web.ProblemException;
import io.cumulus.schemas.FileOp;
import io.cumulus.sync.chunking.FastCdcChunker;
import io.cumulus.sync.conflict.ConflictPolicy;
import io.cumulus.sync.conflict.Resolution;
import io.cumulus.sync.path.SyncPath;
import io.cumulus.sync.vector.VersionVector;

/**
 * Merges one conflicted copy of a text file back into its original, when the policy says to merge
 * and the edits do not overlap: the merged content becomes a new version of the original and the
 * copy is deleted, in one batch submitted through {@link BatchIntake} as the owner's "Cumulus"
 * device. Everything it reads (the versions, their chunks) is named by the copy's event, and the
 * batch's idempotency key by the copy's id, so handling the same event again, here or in another
 * worker, submits nothing new.
 *
 * <h2>Releasing a copy that will not be merged</h2>
 * A copy the reconciler marked {@code mergePending} is hidden from devices until this class resolves
 * it one way or the other. When it does not merge it, for whatever reason, it <em>releases</em> it:
 * the copy is written again as it is (same path and manifest), its vector incremented under the merge
 * device, so the reconciler applies it as an ordinary change and every device shows the copy. The
 * release is built from the copy's event alone and submitted under the same idempotency key as the
 * merge, so one copy gets one batch however often it is handled: a second attempt is a duplicate of
 * the first, or refused when the first was the other kind, and both leave the copy resolved. A copy
 * that someone changed or deleted meanwhile needs no release (its later event is not pending); a
 * release that races such a change is decided by the ordinary rules: combined with a change it never
 * saw, stale after a deletion (the reconciler never brings back a file for a write that changes
 * nothing), and a deletion that never saw the release still applies. Copies not marked pending (merging was off, or written before the flag) are
 * left as they are when they do not merge: they are shown already.
 */
public final class ConflictMerger {
    private static final Logger log = LoggerFactory.getLogger(ConflictMerger.class);

    /** What handling a copy came to. */
    public sealed interface Attempt permits Submitted, Released, Skipped, NotProjectedYet {
    }

    /** The merge batch was accepted ({@code created} is false when an earlier attempt had submitted it). */
    public record Submitted(UUID batchId, boolean created) implements Attempt {
    }

    /** Not merged, for the reason given: the batch releasing the copy was accepted (or had been). */
    public record Released(UUID batchId, boolean created, String reason) implements Attempt {
    }

    /** Left as two files, for the reason given. */
    public record Skipped(String reason) implements Attempt {
    }

    /** The read model does not show the copy's event yet: try again shortly. */
    public record NotProjectedYet() implements Attempt {
    }

    /** A chunk a version names is not in the blob store (yet, or any more): try again later. */
    public static final class UnreadableChunkException extends RuntimeException {
        UnreadableChunkException(String message) {
            super(message);
        }
    }

    private final ReadModel readModel;
    private final BlobStore blobs;
    private final ChunkCatalog catalog;
    private final BatchIntake intake;
    private final MergeDevice device;
    private final ConflictPolicy policy;
    private final ThreeWayTextMerge merge;
    private final FastCdcChunker chunker = FastCdcChunker.defaults();

    public ConflictMerger(ReadModel readModel, BlobStore blobs, ChunkCatalog catalog, BatchIntake intake,
                          IngestDatabase db, ConflictPolicy policy) {
        this.readModel = readModel;
        this.blobs = blobs;
        this.catalog = catalog;
        this.intake = intake;
        this.device = new MergeDevice(db);
        this.policy = policy;
        this.merge = new ThreeWayTextMerge(policy);
    }

    /**
     * Merges the copy if it can, and logs what it did.
     *
     * @throws UnreadableChunkException when a version's content cannot be read now
     */
    public Attempt handle(ConflictedCopy copy) {
        Attempt attempt = attempt(copy);
        log(copy, attempt);
        return attempt;
    }

    private static void log(ConflictedCopy copy, Attempt attempt) {
        MergeCounts.count(attempt);
        switch (attempt) {
            case Submitted s when s.created() -> log.info("conflict merged ns={} file={} copy={} batchId={}",
                    copy.namespaceId(), copy.originalFileId(), copy.fileId(), s.batchId());
            case Submitted s -> log.info("conflict merge already submitted ns={} file={} copy={} batchId={}",
                    copy.namespaceId(), copy.originalFileId(), copy.fileId(), s.batchId());
            case Released r when r.created() -> log.info("conflict not merged, copy released ns={} file={} copy={} "
                    + "batchId={} reason={}", copy.namespaceId(), copy.originalFileId(), copy.fileId(), r.batchId(), r.reason());
            case Released r -> log.info("conflict copy release already submitted ns={} file={} copy={} batchId={}",
                    copy.namespaceId(), copy.originalFileId(), copy.fileId(), r.batchId());
            case Skipped s -> log.info("conflict not merged, both files kept ns={} file={} copy={} reason={}",
                    copy.namespaceId(), copy.originalFileId(), copy.fileId(), s.reason());
            case NotProjectedYet n -> log.debug("conflict merge waits for the read model ns={} copy={} seq={}",
                    copy.namespaceId(), copy.fileId(), copy.seq());
        }
    }

    /**
     * Releases a copy waiting for its merge without trying the merge: for the worker, once it gives up
     * on a copy whose content or read model it could not get at. Logs what it did.
     */
    public Attempt release(ConflictedCopy copy, String reason) {
        if (!copy.mergePending()) {
            return new Skipped(reason); // shown already: nothing to release
        }
        // A copy the read model does not show yet is released too: the release is built from the event alone.
        Attempt attempt = changedSince(copy).filter(a -> !(a instanceof NotProjectedYet))
                .orElseGet(() -> releaseNow(copy, reason));
        log(copy, attempt);
        return attempt;
    }

    private Attempt attempt(ConflictedCopy copy) {
        Optional<Attempt> changed = changedSince(copy);
        if (changed.isPresent()) {
            return changed.get();
        }
        Attempt merge = merge(copy);
        return merge instanceof Skipped s && copy.mergePending() ? releaseNow(copy, s.reason()) : merge;
    }

    /** Nothing to do for this event: its copy is not projected yet, or a later event changed it. */
    private Optional<Attempt> changedSince(ConflictedCopy copy) {
        List<Version> copyHistory = readModel.history(copy.namespaceId(), copy.fileId());
        if (copyHistory.stream().noneMatch(v -> v.seq() == copy.seq())) {
            return Optional.of(new NotProjectedYet());
        }
        Version copyNow = copyHistory.getFirst();
        if (copyNow.seq() != copy.seq() || !copyNow.op().equals("UPSERT")) {
            // Its later events are ordinary ones (merged, released, resolved or edited): it is no longer pending.
            return Optional.of(new Skipped("the copy changed since"));
        }
        return Optional.empty();
    }

    private Attempt merge(ConflictedCopy copy) {
        List<Version> originalHistory = readModel.history(copy.namespaceId(), copy.originalFileId());
        MergeVersions.Found versions;
        switch (MergeVersions.choose(originalHistory, copy)) {
            case MergeVersions.NoMerge no -> {
                return new Skipped(no.reason());
            }
            case MergeVersions.Found found -> versions = found;
        }
        Version ours = versions.ours();
        Version originalNow = originalHistory.getFirst();
        VersionVector oursVector = MergeVersions.vectorOf(ours.vector());
        if (!originalNow.op().equals("UPSERT") || !MergeVersions.vectorOf(originalNow.vector()).equals(oursVector)) {
            return new Skipped("the original changed since");
        }
        if (policy.forPath(originalNow.path()) != Resolution.MERGE) {
            return new Skipped("the policy for " + originalNow.path() + " is " + policy.forPath(originalNow.path()));
        }
        Version ancestor = versions.ancestor();
        if (Math.max(ancestor.size(), Math.max(ours.size(), copy.size())) > policy.textLimit()) {
            return new Skipped("larger than the text merge limit of " + policy.textLimit() + " bytes");
        }
        ThreeWayTextMerge.Result result = merge.merge(read(MergeVersions.chunksOf(ancestor.chunks())),
                read(MergeVersions.chunksOf(ours.chunks())), read(copy.chunks()));
        return switch (result) {
            case ThreeWayTextMerge.NotText n -> new Skipped("not text");
            case ThreeWayTextMerge.Overlapping o -> new Skipped("overlapping edits");
            case ThreeWayTextMerge.Merged merged -> submit(copy, originalNow, oursVector, merged.content());
        };
    }

    private Attempt submit(ConflictedCopy copy, Version original, VersionVector oursVector, byte[] content) {
        Optional<DeviceSession> session = device.sessionFor(copy.namespaceId());
        if (session.isEmpty()) {
            return new Skipped("the namespace has no owner");
        }
        String deviceId = session.get().deviceId().toString();
        List<ChunkRef> chunks = store(session.get().accountId(), content);
        VersionVector merged = oursVector.merge(copy.vector()).increment(deviceId);
        VersionVector deleted = copy.vector().increment(deviceId);
        // Time stamps come from the copy's event, so a second attempt builds the very same batch.
        FileChange upsert = new FileChange(copy.originalFileId(), SyncPath.parse(original.path()), FileOp.UPSERT,
                merged.entries(), chunks, content.length, OptionalLong.of(copy.at()));
        FileChange delete = new FileChange(copy.fileId(), SyncPath.parse(copy.path()), FileOp.DELETE,
                deleted.entries(), List.of(), 0, OptionalLong.empty());
        try {
            BatchIntake.Accepted accepted = intake.accept(session.get(), keyFor(copy),
                    new ChangeBatch(copy.namespaceId().toString(), List.of(upsert, delete)));
            return new Submitted(accepted.batchId(), accepted.created());
        } catch (ProblemException e) {
            // The owner lost write access, or an earlier attempt under this key submitted other content.
            return new Skipped("refused by the intake: " + e.getMessage());
        }
    }

    /**
     * Writes the copy again as its event has it, under the merge device's next counter, so that it
     * dominates the pending version and the reconciler applies it like any device's change.
     */
    private Attempt releaseNow(ConflictedCopy copy, String reason) {
        Optional<DeviceSession> session = device.sessionFor(copy.namespaceId());
        if (session.isEmpty()) {
            return new Skipped("the namespace has no owner");
        }
        VersionVector released = copy.vector().increment(session.get().deviceId().toString());
        FileChange upsert = new FileChange(copy.fileId(), SyncPath.parse(copy.path()), FileOp.UPSERT,
                released.entries(), copy.chunks(), copy.size(), OptionalLong.empty());
        try {
            BatchIntake.Accepted accepted = intake.accept(session.get(), keyFor(copy),
                    new ChangeBatch(copy.namespaceId().toString(), List.of(upsert)));
            return new Released(accepted.batchId(), accepted.created(), reason);
        } catch (ProblemException e) {
            // The key carries the merge already (the copy is being deleted), or the owner lost write access.
            return new Skipped(reason + "; release refused by the intake: " + e.getMessage());
        }
    }

    /** One merge per copy, whichever worker makes it and however often its event is read. */
    static IdempotencyKey keyFor(ConflictedCopy copy) {
        return new IdempotencyKey("merge:" + copy.fileId());
    }

    /** Stores the content's chunks as an upload by the owner would, and returns its manifest. */
    private List<ChunkRef> store(UUID accountId, byte[] content) {
        List<ChunkRef> refs = new ArrayList<>();
        try {
            chunker.chunk(new ByteArrayInputStream(content), chunk -> {
                ChunkId id = new ChunkId(chunk.id().value());
                ChunkCatalog.Upload upload = catalog.beginUpload(id);
                try {
                    if (!blobs.exists(id)) {
                        blobs.put(id, chunk.bytes());
                    }
                } catch (RuntimeException e) {
                    catalog.abandon(upload);
                    throw e;
                }
                catalog.recordUpload(accountId, id, chunk.length(), blobs);
                refs.add(new ChunkRef(id, chunk.length()));
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot chunk merged content", e); // a byte array never fails to read
        }
        return refs;
    }

    private byte[] read(List<ChunkRef> chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ChunkRef ref : chunks) {
            Optional<InputStream> in = blobs.open(ref.id());
            if (in.isEmpty()) {
                throw new UnreadableChunkException("chunk " + ref.id() + " is not in the blob store");
            }
            try (InputStream stream = in.get()) {
                long n = stream.transferTo(out);
                if (n != ref.size()) {
                    throw new UnreadableChunkException("chunk " + ref.id() + " has " + n + " bytes, not " + ref.size());
                }
            } catch (IOException e) {
                throw new UnreadableChunkException("cannot read chunk " + ref.id() + ": " + e);
            }
        }
        return out.toByteArray();
    }
}
