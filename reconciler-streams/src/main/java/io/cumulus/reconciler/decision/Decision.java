package io.cumulus.reconciler.decision;

import java.util.Objects;
import java.util.Optional;

import io.cumulus.sync.vector.VersionVector;

/**
 * The reconciler's verdict on one change. Every verdict tells the device the server's vector for the
 * file after the change; only {@link Applied} and a {@link Conflict} that keeps a copy write anything.
 */
public sealed interface Decision {

    /** The server's vector for the change's file once the decision is carried out. */
    VersionVector currentVector();

    /**
     * The change is written: as sent when its vector dominated the stored one (or the file is new),
     * or combined with a concurrent stored version when the two can both apply (then the written
     * vector joins both, and may differ from the one the device sent). {@code displaced} is a stored
     * version the change won over by log order, kept as a conflicted copy; it is written first.
     */
    record Applied(FileWrite write, Optional<FileWrite> displaced) implements Decision {
        public Applied {
            Objects.requireNonNull(write, "write");
            Objects.requireNonNull(displaced, "displaced");
        }

        public Applied(FileWrite write) {
            this(write, Optional.empty());
        }

        @Override
        public VersionVector currentVector() {
            return write.next().vector();
        }
    }

    /** The server already has this exact version: nothing to do. */
    record Duplicate(VersionVector currentVector) implements Decision {
        public Duplicate {
            Objects.requireNonNull(currentVector, "currentVector");
        }
    }

    /** The server has a newer version: nothing is written and the device must pull. */
    record Stale(VersionVector currentVector) implements Decision {
        public Stale {
            Objects.requireNonNull(currentVector, "currentVector");
        }
    }

    /**
     * The change could not be applied as sent: it was concurrent with the stored version, or its path
     * is taken by another file. {@code kept} is the write that keeps the change's content under a
     * conflicted-copy path; it is empty when there is no content to keep (a concurrent delete).
     */
    record Conflict(VersionVector currentVector, Optional<FileWrite> kept) implements Decision {
        public Conflict {
            Objects.requireNonNull(currentVector, "currentVector");
            Objects.requireNonNull(kept, "kept");
        }
    }
}
