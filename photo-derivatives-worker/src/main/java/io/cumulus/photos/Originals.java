package io.cumulus.photos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

import io.cumulus.schemas.ChunkRef;
import io.cumulus.sync.hash.Sha256;

/**
 * An original as the worker reads it: its first bytes (to recognise an image by its content) and
 * the whole file assembled from its chunks in a private working file, which the caller deletes.
 */
final class Originals {
    private final ChunkSource chunks;
    private final Path workDir;

    Originals(ChunkSource chunks, Path workDir) {
        this.chunks = chunks;
        this.workDir = workDir;
    }

    /** A chunk the store does not hold: the version is gone (collected after it expired), or never was. */
    static final class ChunkGoneException extends Exception {
        ChunkGoneException(String chunkId) {
            super("chunk " + chunkId + " is not in the chunk store");
        }
    }

    /** The key of a version's content: the SHA-256 of its chunk ids, in order. */
    static String contentKey(List<ChunkRef> manifest) {
        MessageDigest digest = Sha256.newDigest();
        for (ChunkRef ref : manifest) {
            digest.update(ref.getChunkId().getBytes(StandardCharsets.US_ASCII));
            digest.update((byte) '\n');
        }
        return Sha256.hex(digest);
    }

    /** Up to {@code n} bytes from the start of the original. */
    byte[] head(List<ChunkRef> manifest, int n) throws ChunkGoneException {
        String first = manifest.get(0).getChunkId();
        try (InputStream in = open(first)) {
            return in.readNBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read chunk " + first, e);
        }
    }

    /** The original in a new working file readable only by this process; the caller deletes it. */
    Path assemble(List<ChunkRef> manifest) throws ChunkGoneException {
        Path file;
        try {
            Files.createDirectories(workDir);
            file = Files.createTempFile(workDir, "original-", ".bin",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a working file in " + workDir, e);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            for (ChunkRef ref : manifest) {
                try (InputStream in = open(ref.getChunkId())) {
                    in.transferTo(out);
                }
            }
            return file;
        } catch (IOException | ChunkGoneException | RuntimeException e) {
            deleteQuietly(file);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot assemble an original in " + file, io);
            }
            if (e instanceof ChunkGoneException gone) {
                throw gone;
            }
            throw (RuntimeException) e;
        }
    }

    private InputStream open(String chunkId) throws ChunkGoneException {
        Optional<InputStream> in = chunks.open(chunkId);
        if (in.isEmpty()) {
            throw new ChunkGoneException(chunkId);
        }
        return in.get();
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A leftover working file is removed with the working directory at the next start.
        }
    }
}
