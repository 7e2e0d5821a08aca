package io.cumulus.reconciler.decision;

import java.util.Objects;
import java.util.Optional;

import io.cumulus.reconciler.decision.Decision.Applied;
import io.cumulus.reconciler.decision.Decision.Conflict;
import io.cumulus.reconciler.decision.Decision.Duplicate;
import io.cumulus.reconciler.decision.Decision.Stale;
import io.cumulus.sync.vector.Causality;
import io.cumulus.sync.vector.VersionVector;

/**
 * What a consumer needs to audit one conflicted decision: how it was resolved, the vector the change
 * came with, the stored one it met, and their merge base (the version the {@link Reconciler} compared
 * both with), read from the namespace as it was before the decision was carried out. A change
 * conflicted when its vector was concurrent with the stored one, or when it could not be written as
 * sent (a {@link Conflict}); every other decision has no audit.
 */
public record ConflictAudit(Resolution resolution, VersionVector incoming, Optional<VersionVector> stored,
        Optional<VersionVector> base, Optional<String> otherFileId) {

    /** How a conflict was resolved; the names of the {@code ConflictResolution} symbols of the conflicts topic. */
    public enum Resolution {
        KEPT_BOTH, MERGE_PENDING, LAST_WRITER_WINS, DELETE_REFUSED, PATH_CLASH, COMBINED, SUPERSEDED
    }

    public ConflictAudit {
        Objects.requireNonNull(resolution, "resolution");
        Objects.requireNonNull(incoming, "incoming");
        Objects.requireNonNull(stored, "stored");
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(otherFileId, "otherFileId");
    }

    /**
     * The audit of {@code decision} on {@code change}, given the namespace as the decision saw it (call
     * it before the decision's writes are recorded); empty when the change did not conflict.
     */
    public static Optional<ConflictAudit> of(ProposedChange change, NamespaceView before, Decision decision) {
        Optional<FileVersion> stored = before.file(change.fileId());
        boolean concurrent = stored.map(s -> change.vector().compare(s.vector()) == Causality.CONCURRENT).orElse(false);
        Resolution resolution;
        Optional<String> other = stored.map(FileVersion::fileId);
        switch (decision) {
            case Conflict conflict when conflict.kept().isEmpty() -> resolution = Resolution.DELETE_REFUSED;
            case Conflict conflict -> {
                FileWrite kept = conflict.kept().get();
                if (kept.next().fileId().equals(change.fileId())) {
                    resolution = Resolution.PATH_CLASH;
                    other = kept.conflictOf();
                } else {
                    resolution = kept.mergePending() ? Resolution.MERGE_PENDING : Resolution.KEPT_BOTH;
                }
            }
            case Applied applied when applied.displaced().isPresent() -> resolution = Resolution.LAST_WRITER_WINS;
            case Applied applied when concurrent -> resolution = Resolution.COMBINED;
            case Stale stale when concurrent -> resolution = Resolution.SUPERSEDED;
            case Applied applied -> {
                return Optional.empty();
            }
            case Stale stale -> {
                return Optional.empty();
            }
            case Duplicate duplicate -> {
                return Optional.empty();
            }
        }
        return Optional.of(new ConflictAudit(resolution, change.vector(), stored.map(FileVersion::vector),
                before.ancestor(change.fileId(), change.vector()).map(FileVersion::vector), other));
    }
}
