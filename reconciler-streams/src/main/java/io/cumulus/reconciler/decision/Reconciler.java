package io.cumulus.reconciler.decision;

import java.util.List;
import java.util.Optional;

import io.cumulus.reconciler.decision.Decision.Applied;
import io.cumulus.reconciler.decision.Decision.Conflict;
import io.cumulus.reconciler.decision.Decision.Duplicate;
import io.cumulus.reconciler.decision.Decision.Stale;
import io.cumulus.sync.conflict.ConflictNames;
import io.cumulus.sync.path.PathKey;
import io.cumulus.sync.vector.VersionVector;

/**
 * Decides what one proposed change does to a namespace, by comparing its version vector with the
 * stored one and checking that its path is free. The baseline policy never drops content: a
 * concurrent edit is kept as a new file under a conflicted-copy name, an edit landing on a path
 * another live file holds is kept under a conflicted-copy name instead, and a delete concurrent with
 * a stored version leaves that version alone. Pure: the namespace is read through a
 * {@link NamespaceView} and nothing is written here.
 */
public final class Reconciler {

    /** The verdict on {@code change}, given the namespace as it is after the batch's earlier changes. */
    public Decision decide(BatchContext batch, ProposedChange change, NamespaceView namespace) {
        Optional<FileVersion> stored = namespace.file(change.fileId());
        if (stored.isEmpty()) {
            return switch (change.op()) {
                case UPSERT -> place(batch, change, Optional.empty(), namespace);
                case DELETE -> new Stale(VersionVector.empty());
            };
        }
        FileVersion current = stored.get();
        return switch (change.vector().compare(current.vector())) {
            case EQUAL -> new Duplicate(current.vector());
            case DOMINATED -> new Stale(current.vector());
            case DOMINATES -> switch (change.op()) {
                case UPSERT -> place(batch, change, stored, namespace);
                case DELETE -> new Applied(new FileWrite(deletionOf(current, change), stored, Optional.empty()));
            };
            case CONCURRENT -> switch (change.op()) {
                case UPSERT -> keepConcurrentCopy(batch, change, current, namespace);
                // A delete never wins over a version it has not seen: the stored one stays, the device pulls it.
                case DELETE -> new Conflict(current.vector(), Optional.empty());
            };
        };
    }

    /** An upsert that may be written: at its own path, or under a conflicted-copy name when another file holds that path. */
    private Decision place(BatchContext batch, ProposedChange change, Optional<FileVersion> previous,
            NamespaceView namespace) {
        Optional<String> otherHolder = namespace.pathHolder(PathKey.of(change.path()))
                .filter(holder -> !holder.equals(change.fileId()));
        if (otherHolder.isEmpty()) {
            return new Applied(new FileWrite(change.asVersionAt(change.path()), previous, Optional.empty()));
        }
        String copyPath = freeConflictedCopyPath(batch, change.path(), change.fileId(), namespace);
        FileWrite kept = new FileWrite(change.asVersionAt(copyPath), previous, otherHolder);
        return new Conflict(change.vector(), Optional.of(kept));
    }

    /** A concurrent upsert: the stored version stays, the change's content becomes a new file beside it. */
    private Decision keepConcurrentCopy(BatchContext batch, ProposedChange change, FileVersion current,
            NamespaceView namespace) {
        String copyId = conflictCopyId(batch, change);
        String copyPath = freeConflictedCopyPath(batch, change.path(), copyId, namespace);
        FileVersion copy = new FileVersion(copyId, copyPath, false, change.vector(), change.chunks(), change.size());
        FileWrite kept = new FileWrite(copy, namespace.file(copyId), Optional.of(current.fileId()));
        return new Conflict(current.vector(), Optional.of(kept));
    }

    /** The file id of the copy kept for a concurrent change: the same on every replay of the batch. */
    public static String conflictCopyId(BatchContext batch, ProposedChange change) {
        return "conflict-" + batch.batchId() + "-" + change.index();
    }

    private static FileVersion deletionOf(FileVersion current, ProposedChange change) {
        return new FileVersion(current.fileId(), current.path(), true, change.vector(), List.of(), 0);
    }

    /**
     * The first conflicted-copy name for {@code path} that no other live file holds: the plain one,
     * then its 2nd, 3rd, ... variants. It ends because a namespace holds finitely many files.
     */
    private static String freeConflictedCopyPath(BatchContext batch, String path, String forFileId,
            NamespaceView namespace) {
        for (int n = 1; ; n++) {
            String candidate = ConflictNames.conflictedCopy(path, batch.deviceName(), batch.acceptedAt(), n);
            Optional<String> holder = namespace.pathHolder(PathKey.of(candidate));
            if (holder.isEmpty() || holder.get().equals(forFileId)) {
                return candidate;
            }
        }
    }
}
