package io.cumulus.reconciler;

import java.util.Map;
import java.util.Optional;

import io.cumulus.reconciler.decision.Decision;
import io.cumulus.reconciler.decision.Decision.Applied;
import io.cumulus.reconciler.decision.Decision.Conflict;
import io.cumulus.reconciler.decision.FileWrite;
import io.cumulus.reconciler.decision.ProposedChange;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;

/**
 * Conflicts by kind, as {@code cumulus_conflicts_total{kind=...}}: what the reconciler did with a
 * change that could not simply apply. The kind is read off the decision:
 * <ul>
 *   <li>{@code path-clash}: the path is taken by another file (or differs only in case or Unicode
 *   normalisation); the change is kept under a free name;
 *   <li>{@code keep-both}: a concurrent edit kept as a conflicted copy;
 *   <li>{@code merge}: a concurrent text edit kept as a copy the merge worker will try to merge;
 *   <li>{@code last-writer-wins}: a concurrent edit took the file, the other version became the copy;
 *   <li>{@code delete-vs-edit}: a delete of a version the device had not seen; the file stays.
 * </ul>
 * Counted when decided, in the Streams task: a transaction retried after a failure counts its conflicts again.
 */
final class ConflictCounts {
    private static final Map<String, Counter> KINDS = Map.of(
            "path-clash", counter("path-clash"), "keep-both", counter("keep-both"), "merge", counter("merge"),
            "last-writer-wins", counter("last-writer-wins"), "delete-vs-edit", counter("delete-vs-edit"));

    private ConflictCounts() {
    }

    /** Registers the counts's meters at zero, so a scrape shows them before the first event. */
    static void register() {
        // loading this class registered them
    }

    static void count(ProposedChange change, Decision decision) {
        kind(change, decision).ifPresent(kind -> KINDS.get(kind).increment());
    }

    /** The conflict's kind, empty when the decision is no conflict. */
    static Optional<String> kind(ProposedChange change, Decision decision) {
        return switch (decision) {
            case Applied applied -> applied.displaced().map(d -> "last-writer-wins");
            case Conflict conflict -> Optional.of(conflict.kept().map(kept -> keptKind(change, kept)).orElse("delete-vs-edit"));
            case Decision.Duplicate duplicate -> Optional.empty();
            case Decision.Stale stale -> Optional.empty();
        };
    }

    private static String keptKind(ProposedChange change, FileWrite kept) {
        if (kept.next().fileId().equals(change.fileId())) {
            return "path-clash"; // the same file, moved to a free name
        }
        return kept.mergePending() ? "merge" : "keep-both";
    }

    private static Counter counter(String kind) {
        return Counter.builder("cumulus.conflicts").tag("kind", kind)
                .description("Changes that could not simply apply, by what the reconciler did with them")
                .register(Metrics.globalRegistry);
    }
}
