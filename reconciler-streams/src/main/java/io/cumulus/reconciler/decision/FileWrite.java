package io.cumulus.reconciler.decision;

import java.util.Objects;
import java.util.Optional;

/**
 * A new version the server records for a file, and so one file event: the version written, the
 * version of the same file it replaces (none for a new file) and, for a conflicted copy, the file it
 * conflicted with.
 */
public record FileWrite(FileVersion next, Optional<FileVersion> previous, Optional<String> conflictOf) {

    public FileWrite {
        Objects.requireNonNull(next, "next");
        Objects.requireNonNull(previous, "previous");
        Objects.requireNonNull(conflictOf, "conflictOf");
        previous.ifPresent(p -> {
            if (!p.fileId().equals(next.fileId())) {
                throw new IllegalArgumentException("a write replaces a version of the same file, not " + p.fileId());
            }
        });
    }
}
