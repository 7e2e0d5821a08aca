package io.cumulus.bench.sync;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The benchmark's folder, generated from a seed so that every run and every tool gets the same bytes:
 * {@code small/} many files of 1–64 KiB in nested folders, {@code large/} files of 1–32 MiB, {@code big/big.bin}
 * (64 MiB), and {@code dup/a/} and {@code dup/b/}, the same 64 MiB of files stored twice.
 */
final class Dataset {
    static final String SMALL = "small";
    static final String BIG_FILE = "big/big.bin";
    private static final int MiB = 1024 * 1024;

    /** How many files and how many bytes; {@link #scaled} multiplies the counts and the 64 MiB sizes. */
    record Shape(int smallFiles, int largeFiles, long bigFileBytes, long duplicatedBytes) {
        static Shape scaled(double scale) {
            return new Shape((int) Math.round(2_000 * scale), (int) Math.max(scale > 0 ? 1 : 0, Math.round(20 * scale)),
                    Math.round(64L * MiB * scale), Math.round(64L * MiB * scale));
        }

        Shape withCounts(Integer small, Integer large) {
            return new Shape(small != null ? small : smallFiles, large != null ? large : largeFiles, bigFileBytes, duplicatedBytes);
        }

        @Override
        public String toString() {
            return String.format("%,d files of 1-64 KiB, %,d of 1-32 MiB, one of %.1f MiB, %.1f MiB of files stored twice",
                    smallFiles, largeFiles, bigFileBytes / (double) MiB, duplicatedBytes / (double) MiB);
        }
    }

    private final Path root;
    private final SortedMap<String, Long> files;

    private Dataset(Path root, SortedMap<String, Long> files) {
        this.root = root;
        this.files = files;
    }

    /** Writes the dataset under {@code root} (created), from {@code seed}. */
    static Dataset write(Path root, Shape shape, long seed) throws IOException {
        Random random = new Random(seed);
        for (int i = 0; i < shape.smallFiles(); i++) {
            int size = 1024 + random.nextInt(63 * 1024 + 1);
            write(root.resolve(SMALL + "/" + (i % 10) + "/" + (i / 10 % 8) + "/file-" + i + ".bin"), size, random);
        }
        for (int i = 0; i < shape.largeFiles(); i++) {
            write(root.resolve("large/file-" + i + ".bin"), MiB + random.nextInt(31 * MiB + 1), random);
        }
        if (shape.bigFileBytes() > 0) {
            write(root.resolve(BIG_FILE), shape.bigFileBytes(), random);
        }
        long left = shape.duplicatedBytes();
        for (int part = 0; left > 0; part++) {
            long size = Math.min(left, MiB + random.nextInt(7 * MiB + 1));
            Path first = root.resolve("dup/a/part-" + part + ".bin");
            write(first, size, random);
            Path second = root.resolve("dup/b/part-" + part + ".bin");
            Files.createDirectories(second.getParent());
            Files.copy(first, second);
            left -= size;
        }
        return new Dataset(root, listing(root));
    }

    private static void write(Path file, long size, Random random) throws IOException {
        Files.createDirectories(file.getParent());
        byte[] block = new byte[(int) Math.min(size, MiB)];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < size; written += block.length) {
                random.nextBytes(block);
                out.write(block, 0, (int) Math.min(block.length, size - written));
            }
        }
    }

    /** Relative path to size of every file. */
    SortedMap<String, Long> files() {
        return files;
    }

    long bytes() {
        return files.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Moves the dataset's top-level folders into {@code folder}, each with one rename. */
    void moveInto(Path folder) throws IOException {
        try (var entries = Files.list(root)) {
            for (Path entry : entries.toList()) {
                Files.move(entry, folder.resolve(entry.getFileName()), StandardCopyOption.ATOMIC_MOVE);
            }
        }
    }

    /**
     * Relative path to size of every regular file under {@code root}, leaving out names that start with a dot (each
     * tool's state and temporary files); empty when {@code root} does not exist.
     */
    static SortedMap<String, Long> listing(Path root) throws IOException {
        SortedMap<String, Long> out = new TreeMap<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return !dir.equals(root) && dir.getFileName().toString().startsWith(".") ? FileVisitResult.SKIP_SUBTREE
                        : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && !file.getFileName().toString().startsWith(".")) {
                    out.put(root.relativize(file).toString(), attrs.size());
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE; // renamed or removed while we look
            }
        });
        return out;
    }

    /** Copies a folder tree (used to stage the copy step outside the synced folder). */
    static void copyTree(Path from, Path to) throws IOException {
        for (String relative : listing(from).keySet()) {
            Path target = to.resolve(relative);
            Files.createDirectories(target.getParent());
            Files.copy(from.resolve(relative), target);
        }
    }
}
