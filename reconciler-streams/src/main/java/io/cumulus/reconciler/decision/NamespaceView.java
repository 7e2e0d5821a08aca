package io.cumulus.reconciler.decision;

import java.util.Optional;

import io.cumulus.sync.path.PathKey;

/** What the reconciler reads of one namespace's current state while deciding a change. */
public interface NamespaceView {

    /** The server's latest version of a file, deleted or not; empty when the file was never seen. */
    Optional<FileVersion> file(String fileId);

    /** The live file whose path has this key, if any. */
    Optional<String> pathHolder(PathKey key);
}
