package io.cumulus.ingest.links;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.ingest.chunks.BlobStore;
import io.cumulus.ingest.chunks.ChunkId;

/**
 * Streams a file's current version through a link, chunk after chunk from the blob store, asking
 * {@code stillOpen} (the link's row in PostgreSQL) again before every chunk but the first and after
 * every {@value #CHECK_EVERY_BYTES} bytes within one: a link revoked or expired while a download runs
 * stops it there. The caller has declared the whole length and asked for the connection to close after
 * the answer, so a download stopped short reaches the client as a connection closed before the end,
 * never as a complete file.
 */
final class LinkDownload {
    private static final Logger log = LoggerFactory.getLogger(LinkDownload.class);
    static final int CHECK_EVERY_BYTES = 1024 * 1024;
    private static final int BUFFER_BYTES = 64 * 1024;

    private final BlobStore blobs;

    LinkDownload(BlobStore blobs) {
        this.blobs = blobs;
    }

    /** Writes the file to {@code out}; the number of bytes written, fewer than its size when it was stopped. */
    long stream(Link link, SharedFile file, OutputStream out, BooleanSupplier stillOpen) throws IOException {
        long written = 0;
        long sinceCheck = 0;
        boolean first = true;
        byte[] buffer = new byte[BUFFER_BYTES];
        for (SharedFile.Chunk chunk : file.chunks()) {
            if (!first && !stillOpen.getAsBoolean()) {
                return stopped(link, file, written);
            }
            first = false;
            sinceCheck = 0;
            Optional<InputStream> stored = ChunkId.isValid(chunk.id()) ? blobs.open(new ChunkId(chunk.id())) : Optional.empty();
            if (stored.isEmpty()) {
                log.error("link download chunk missing from the chunk store linkId={} fileId={} chunk={}", link.id(),
                        file.fileId(), chunk.id());
                return written;
            }
            try (InputStream in = stored.get()) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    out.write(buffer, 0, n);
                    written += n;
                    sinceCheck += n;
                    if (sinceCheck >= CHECK_EVERY_BYTES) {
                        sinceCheck = 0;
                        out.flush();
                        if (!stillOpen.getAsBoolean()) {
                            return stopped(link, file, written);
                        }
                    }
                }
            }
        }
        return written;
    }

    private static long stopped(Link link, SharedFile file, long written) {
        log.info("link download stopped: link revoked or expired linkId={} fileId={} bytes={} of={}", link.id(), file.fileId(),
                written, file.size());
        return written;
    }
}
