package io.cumulus.sync.chunking;

import java.io.IOException;

/**
 * Receives the chunks of a stream in order, as soon as each is cut: a client uploads or
 * hashes them without ever holding the whole file. An exception stops the chunking and
 * propagates to the caller of {@link FastCdcChunker#chunk}.
 */
@FunctionalInterface
public interface ChunkSink {

    void accept(Chunk chunk) throws IOException;
}
