package io.cumulus.ingest.chunks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;


/**
 * A {@link BlobStore} in a local directory: chunk {@code abcd…} is the file {@code ab/cd/abcd…}.
 * An upload is written to a temporary file in {@code .incoming/} while its SHA-256 is computed,
 * fsynced, then renamed atomically into place and its directory fsynced, so after a crash a chunk
 * is either complete under its name or absent. Temporary files left by a crash are removed at
 * start once they are an hour old (a younger one may belong to another process's upload).
 */
public final class LocalDirBlobStore implements BlobStore {
    private static final Duration ABANDONED_AFTER = Duration.ofHours(1);

    private final Path root;
    private final Path incoming;

    public LocalDirBlobStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.incoming = this.root.resolve(".incoming");
        try {
            Files.createDirectories(incoming);
            removeAbandonedUploads();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the blob directory " + this.root, e);
        }
    }

    @Override
    public long put(ChunkId id, InputStream content, long maxBytes) {
        Path temp = null;
        try {
            temp = Files.createTempFile(incoming, id.hex().substring(0, 8) + "-", ".part");
            long size = VerifiedWrite.to(temp, id, content, maxBytes, true);
            if (size == 0) {
                return 0; // no chunk is empty: nothing is stored, and the caller refuses the upload
            }
            Path target = pathOf(id);
            if (Files.exists(target)) {
                return size;
            }
            boolean newDirectories = !Files.isDirectory(target.getParent());
            Files.createDirectories(target.getParent());
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            temp = null;
            fsyncDirectory(target.getParent());
            if (newDirectories) {
                fsyncDirectory(target.getParent().getParent());
                fsyncDirectory(root);
            }
            return size;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store chunk " + id, e);
        } finally {
            deleteQuietly(temp);
        }
    }

    @Override
    public Optional<InputStream> open(ChunkId id) {
        try {
            return Optional.of(Files.newInputStream(pathOf(id)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open chunk " + id, e);
        }
    }

    @Override
    public boolean exists(ChunkId id) {
        return Files.isRegularFile(pathOf(id));
    }

    @Override
    public boolean delete(ChunkId id) {
        try {
            boolean deleted = Files.deleteIfExists(pathOf(id));
            if (deleted) {
                fsyncDirectory(pathOf(id).getParent());
            }
            return deleted;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete chunk " + id, e);
        }
    }

    /**
     * Walks the two levels of fan-out folders; a file counts only when it is named by a chunk id and
     * sits in the folders of that id, where {@link #open} looks for it ({@code .incoming} and stray
     * files are not chunks).
     */
    @Override
    public Stream<StoredBlob> list() {
        try {
            return Files.walk(root, 3)
                    .filter(path -> root.relativize(path).getNameCount() == 3)
                    .flatMap(path -> listed(path).stream());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the blob directory " + root, e);
        }
    }

    private Optional<StoredBlob> listed(Path path) {
        String name = path.getFileName().toString();
        if (!ChunkId.isValid(name) || !path.equals(pathOf(new ChunkId(name)))) {
            return Optional.empty();
        }
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                return Optional.empty();
            }
            return Optional.of(new StoredBlob(new ChunkId(name), attributes.size(), attributes.lastModifiedTime().toInstant()));
        } catch (NoSuchFileException e) {
            return Optional.empty(); // deleted since the walk saw it: a listing may or may not show such a chunk
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the attributes of " + path, e);
        }
    }

    /** Where chunk {@code id} lives: {@code root/ab/cd/abcd…}. */
    Path pathOf(ChunkId id) {
        String hex = id.hex();
        return root.resolve(hex.substring(0, 2)).resolve(hex.substring(2, 4)).resolve(hex);
    }

    /** A rename is durable only once the directory holding the new entry is flushed. */
    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private void removeAbandonedUploads() throws IOException {
        Instant cutoff = Instant.now().minus(ABANDONED_AFTER);
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(incoming, "*.part")) {
            for (Path part : parts) {
                if (Files.getLastModifiedTime(part).toInstant().isBefore(cutoff)) {
                    Files.deleteIfExists(part);
                }
            }
        }
    }

    private static void deleteQuietly(Path temp) {
        if (temp == null) {
            return;
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            // The upload already failed or was answered; a leftover .part file is removed at the next start.
        }
    }
}
