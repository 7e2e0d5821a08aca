package io.cumulus.reconciler.decision;

import java.util.Optional;

import io.cumulus.sync.path.PathKey;
import io.cumulus.sync.vector.VersionVector;

/** What the reconciler reads of one namespace's current state while deciding a change. */
public interface NamespaceView {

    /** The server's latest version of a file, deleted or not; empty when the file was never seen. */
    Optional<FileVersion> file(String fileId);

    /** The live file whose path has this key, if any. */
    Optional<String> pathHolder(PathKey key);

    /**
     * A live file other than {@code otherThan} whose path lies under the folder with this key, at any
     * depth (its key starts with the folder's key and a slash), if any: the first by path key.
     */
    Optional<String> holderUnder(PathKey folder, String otherThan);

    /**
     * The newest retained version of a file whose vector the given one dominates or equals: the
     * version a change with that vector was based on, the common ancestor of it and the stored version.
     */
    Optional<FileVersion> ancestor(String fileId, VersionVector of);

    /** The name of the device that wrote the file's latest version, when known. */
    Optional<String> writerName(String fileId);
}
