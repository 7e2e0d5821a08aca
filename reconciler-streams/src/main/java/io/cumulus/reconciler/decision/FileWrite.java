package io.cumulus.reconciler.decision;

import java.util.Objects;
import java.util.Optional;

/**
 * A new version the server records for a file, and so one file event: the version written, the
 * version of the same file it replaces (none for a new file), for a conflicted copy the file it
 * conflicted with, and whether that copy waits for the text merge (devices do not show it until the
 * merge worker has either merged it away or released it; decision 0007).
 */
public record FileWrite(FileVersion next, Optional<FileVersion> previous, Optional<String> conflictOf,
        boolean mergePending) {

    public FileWrite {
        Objects.requireNonNull(next, "next");
        Objects.requireNonNull(previous, "previous");
        Objects.requireNonNull(conflictOf, "conflictOf");
        previous.ifPresent(p -> {
            if (!p.fileId().equals(next.fileId())) {
                throw new IllegalArgumentException("a write replaces a version of the same file, not " + p.fileId());
            }
        });
        if (mergePending && conflictOf.isEmpty()) {
            throw new IllegalArgumentException("only a conflicted copy waits for a merge");
        }
    }

    /** A write that waits for no merge. */
    public FileWrite(FileVersion next, Optional<FileVersion> previous, Optional<String> conflictOf) {
        this(next, previous, conflictOf, false);
    }
}
