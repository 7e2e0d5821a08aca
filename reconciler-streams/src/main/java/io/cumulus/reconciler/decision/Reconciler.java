package io.cumulus.reconciler.decision;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.cumulus.reconciler.decision.Decision.Applied;
import io.cumulus.reconciler.decision.Decision.Conflict;
import io.cumulus.reconciler.decision.Decision.Duplicate;
import io.cumulus.reconciler.decision.Decision.Stale;
import io.cumulus.schemas.FileOp;
import io.cumulus.sync.conflict.ConflictPolicy;
import io.cumulus.sync.vector.VersionVector;

/**
 * Decides what one proposed change does to a namespace, by comparing its version vector with the
 * stored one, the two with their common ancestor, and checking that its path is free. No outcome
 * drops content:
 * <ul>
 * <li>a change that has seen the stored version replaces it;</li>
 * <li>a delete concurrent with a live version is refused: the edit survives (unless that version only
 *     wrote again, unchanged, the version the delete had seen);</li>
 * <li>an edit concurrent with a delete brings the file back with the edit; a change that only writes
 *     its version again unchanged does not (it is stale: nothing of it would be lost);</li>
 * <li>two concurrent changes that touch different things (one renames, the other edits) both apply;
 *     of two concurrent renames the later in log order wins;</li>
 * <li>two concurrent edits of the content: for files the {@link ConflictPolicy} resolves by last
 *     writer, the later in log order takes the file and the stored version is kept as a conflicted
 *     copy; otherwise the stored version stays and the change is kept as a conflicted copy (a text
 *     merge, when the policy asks for one, happens later, outside reconciliation, and the copy is
 *     marked as waiting for it while the merge worker runs);</li>
 * <li>a change landing on a path another live file holds, or clashing with one as file against
 *     folder, is kept under a conflicted-copy name ({@link PathClashes}).</li>
 * </ul>
 * A result that combines two concurrent versions carries the join of their vectors, so it dominates
 * both and every device takes it. Pure: the namespace is read through a {@link NamespaceView} and
 * nothing is written here.
 */
public final class Reconciler {
    /** The copy-name author when the writer of a displaced version is unknown. */
    static final String UNKNOWN_WRITER = "Another device";

    private final ConflictPolicy policy;
    private final boolean textMerge;

    public Reconciler() {
        this(ConflictPolicy.defaults(), true);
    }

    /**
     * @param textMerge whether the merge worker runs ({@code cumulus.merge.enabled}): only then is the
     *                  copy of a concurrent edit of a {@code merge} file marked as waiting for it
     */
    public Reconciler(ConflictPolicy policy, boolean textMerge) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.textMerge = textMerge;
    }

    /** The verdict on {@code change}, given the namespace as it is after the batch's earlier changes. */
    public Decision decide(BatchContext batch, ProposedChange change, NamespaceView namespace) {
        Optional<FileVersion> stored = namespace.file(change.fileId());
        if (stored.isEmpty()) {
            return switch (change.op()) {
                case UPSERT -> place(batch, change.asVersionAt(change.path()), stored, namespace);
                case DELETE -> new Stale(VersionVector.empty());
            };
        }
        FileVersion current = stored.get();
        return switch (change.vector().compare(current.vector())) {
            case EQUAL -> new Duplicate(current.vector());
            case DOMINATED -> new Stale(current.vector());
            case DOMINATES -> switch (change.op()) {
                case UPSERT -> place(batch, change.asVersionAt(change.path()), stored, namespace);
                case DELETE -> new Applied(new FileWrite(deletionOf(current, change.vector()), stored, Optional.empty()));
            };
            case CONCURRENT -> concurrent(batch, change, current, namespace);
        };
    }

    private Decision concurrent(BatchContext batch, ProposedChange change, FileVersion current, NamespaceView namespace) {
        VersionVector joined = current.vector().merge(change.vector());
        Optional<FileVersion> stored = Optional.of(current);
        Optional<FileVersion> base = namespace.ancestor(change.fileId(), change.vector());
        if (change.op() == FileOp.DELETE) {
            if (current.deleted()) {
                // Deleted on both sides: one deletion that both devices have seen.
                return new Applied(new FileWrite(deletionOf(current, joined), stored, Optional.empty()));
            }
            if (base.filter(a -> sameVersion(a, current)).isPresent()) {
                // The stored version only wrote again what the deleting device had seen (a conflicted copy the
                // merge worker released): there is nothing the delete has not seen, so it applies.
                return new Applied(new FileWrite(deletionOf(current, joined), stored, Optional.empty()));
            }
            // A delete never wins over a version it has not seen: the stored one stays, the device pulls it.
            return new Conflict(current.vector(), Optional.empty());
        }
        if (current.deleted()) {
            if (base.filter(a -> writesNothingNew(a, change)).isPresent()) {
                // Written again as it was (a conflicted copy the merge worker releases, a touch) while deleted
                // elsewhere: there is no edit to bring back, the deletion stands and the device pulls it.
                return new Stale(current.vector());
            }
            // Edited here, deleted elsewhere: the edit survives and the file comes back.
            return place(batch, withVector(change.asVersionAt(change.path()), joined), stored, namespace);
        }
        boolean sameContent = change.chunks().equals(current.chunks());
        boolean bothEdited = base.map(a -> !a.chunks().equals(change.chunks()) && !a.chunks().equals(current.chunks()))
                .orElse(true);
        if (sameContent || !bothEdited) {
            // The two touch different things, or reached the same content: both apply. Of two moves
            // the later in log order wins, so a file is never duplicated by concurrent renames.
            boolean changeEdited = base.map(a -> !a.chunks().equals(change.chunks())).orElse(false);
            String path = laterPath(base, change, current);
            FileVersion merged = changeEdited
                    ? new FileVersion(change.fileId(), path, false, joined, change.chunks(), change.size())
                    : new FileVersion(current.fileId(), path, false, joined, current.chunks(), current.size());
            return place(batch, merged, stored, namespace);
        }
        return switch (policy.forPath(current.path())) {
            case LAST_WRITER_WINS -> lastWriterWins(batch, change, current, joined, laterPath(base, change, current),
                    namespace);
            case MERGE -> keepConcurrentCopy(batch, change, current, namespace, textMerge);
            case KEEP_BOTH -> keepConcurrentCopy(batch, change, current, namespace, false);
        };
    }

    /** Whether the change writes its ancestor again unchanged: same content at the same path. */
    private static boolean writesNothingNew(FileVersion ancestor, ProposedChange change) {
        return !ancestor.deleted() && ancestor.chunks().equals(change.chunks()) && ancestor.path().equals(change.path());
    }

    /** Whether a live version holds its ancestor's content at its ancestor's path. */
    private static boolean sameVersion(FileVersion ancestor, FileVersion current) {
        return !ancestor.deleted() && !current.deleted() && ancestor.chunks().equals(current.chunks())
                && ancestor.path().equals(current.path());
    }

    /** The path of two concurrent versions: the change's when it moved the file (the later move wins), else the stored one's. */
    private static String laterPath(Optional<FileVersion> base, ProposedChange change, FileVersion current) {
        boolean changeMoved = base.map(a -> !a.path().equals(change.path())).orElse(true);
        return changeMoved ? change.path() : current.path();
    }

    /**
     * An upsert that may be written: at its own path, or, when that path clashes with another live
     * file (see {@link PathClashes}), at the nearest free path, the same file id.
     */
    private Decision place(BatchContext batch, FileVersion next, Optional<FileVersion> previous,
            NamespaceView namespace) {
        PathClashes clashes = new PathClashes(namespace, next.fileId());
        Optional<String> otherHolder = clashes.blocker(next.path());
        if (otherHolder.isEmpty()) {
            return new Applied(new FileWrite(next, previous, Optional.empty()));
        }
        String copyPath = clashes.freePath(next.path(), batch.deviceName(), batch.acceptedAt());
        FileWrite kept = new FileWrite(next.movedTo(copyPath), previous, otherHolder);
        return new Conflict(next.vector(), Optional.of(kept));
    }

    /**
     * A concurrent upsert: the stored version stays, the change's content becomes a new file beside it,
     * marked {@code mergePending} when the merge worker is to try merging it back.
     */
    private Decision keepConcurrentCopy(BatchContext batch, ProposedChange change, FileVersion current,
            NamespaceView namespace, boolean mergePending) {
        String copyId = conflictCopyId(batch, change);
        String copyPath = new PathClashes(namespace, copyId).freeCopyPath(change.path(), batch.deviceName(),
                batch.acceptedAt());
        FileVersion copy = new FileVersion(copyId, copyPath, false, change.vector(), change.chunks(), change.size());
        FileWrite kept = new FileWrite(copy, namespace.file(copyId), Optional.of(current.fileId()), mergePending);
        return new Conflict(current.vector(), Optional.of(kept));
    }

    /**
     * A concurrent edit of a file resolved by last writer: the change takes the file (at its own path
     * when it moved it), and the stored version becomes a copy named after the device that wrote it.
     * When the change moved the file onto a path that clashes with another file (the same name, or a
     * file against a folder), both are kept as usual instead.
     */
    private Decision lastWriterWins(BatchContext batch, ProposedChange change, FileVersion current,
            VersionVector joined, String path, NamespaceView namespace) {
        if (new PathClashes(namespace, change.fileId()).blocker(path).isPresent()) {
            return keepConcurrentCopy(batch, change, current, namespace, false);
        }
        String copyId = conflictCopyId(batch, change);
        String writer = namespace.writerName(current.fileId()).orElse(UNKNOWN_WRITER);
        String copyPath = new PathClashes(namespace, copyId).freeCopyPath(current.path(), writer, batch.acceptedAt());
        FileVersion copy = new FileVersion(copyId, copyPath, false, current.vector(), current.chunks(), current.size());
        FileWrite displaced = new FileWrite(copy, namespace.file(copyId), Optional.of(current.fileId()));
        FileVersion winner = new FileVersion(change.fileId(), path, false, joined, change.chunks(), change.size());
        return new Applied(new FileWrite(winner, Optional.of(current), Optional.empty()), Optional.of(displaced));
    }

    /** The file id of the copy kept for a concurrent change: the same on every replay of the batch. */
    public static String conflictCopyId(BatchContext batch, ProposedChange change) {
        return "conflict-" + batch.batchId() + "-" + change.index();
    }

    private static FileVersion deletionOf(FileVersion current, VersionVector vector) {
        return new FileVersion(current.fileId(), current.path(), true, vector, List.of(), 0);
    }

    private static FileVersion withVector(FileVersion v, VersionVector vector) {
        return new FileVersion(v.fileId(), v.path(), v.deleted(), vector, v.chunks(), v.size());
    }
}
