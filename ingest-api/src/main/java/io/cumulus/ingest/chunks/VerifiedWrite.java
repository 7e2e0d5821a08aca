package io.cumulus.ingest.chunks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

import io.cumulus.sync.hash.Sha256;

/** Copies an upload into a staging file while checking its size and that it hashes to its chunk id. */
final class VerifiedWrite {
    private static final int BUFFER_BYTES = 64 * 1024;

    /**
     * Writes {@code content} to {@code temp} (which exists), then forces it to disk when {@code durable}.
     *
     * @return the number of bytes written
     * @throws ChunkTooLargeException past {@code maxBytes}
     * @throws HashMismatchException when the bytes hash to another id
     */
    static long to(Path temp, ChunkId id, InputStream content, long maxBytes, boolean durable) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        long size = 0;
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            byte[] buffer = new byte[BUFFER_BYTES];
            int n;
            while ((n = content.read(buffer)) != -1) {
                size += n;
                if (size > maxBytes) {
                    throw new ChunkTooLargeException(maxBytes);
                }
                digest.update(buffer, 0, n);
                ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
            }
            String actual = Sha256.hex(digest);
            if (!actual.equals(id.hex())) {
                throw new HashMismatchException(id, actual);
            }
            if (durable) {
                out.force(true);
            }
        }
        return size;
    }

    private VerifiedWrite() {
    }
}
