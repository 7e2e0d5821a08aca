package io.cumulus.ingest.changes;

import java.util.Collection;
import java.util.List;

import io.cumulus.ingest.web.InvalidRequestException;

/**
 * A batch referencing chunks the server does not hold for this account: the client must upload
 * them (listed in {@code missingChunks}) and submit again.
 */
public final class ChunkMissingException extends InvalidRequestException {

    public ChunkMissingException(Collection<String> missing) {
        super("chunk-missing", "Chunk missing",
                missing.size() + " referenced chunk(s) are not uploaded; upload them and submit again");
        with("missingChunks", List.copyOf(missing));
    }
}
