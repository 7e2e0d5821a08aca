package io.cumulus.reconciler.decision;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.cumulus.schemas.FileOp;
import io.cumulus.sync.hash.Sha256;
import io.cumulus.sync.path.PathKey;
import io.cumulus.sync.vector.Causality;
import io.cumulus.sync.vector.VersionVector;

/** Test data for decisions: stored files, proposed changes and an in-memory namespace. */
final class TestFiles {

    static Chunk chunk(String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        return new Chunk(Sha256.hex(bytes), bytes.length);
    }

    static VersionVector vector(Object... deviceCounterPairs) {
        return VersionVector.of(deviceCounterPairs);
    }

    static StoredFile aFile(String fileId) {
        return new StoredFile(fileId);
    }

    static Change anUpsert(String fileId) {
        return new Change(fileId, FileOp.UPSERT);
    }

    static Change aDelete(String fileId) {
        return new Change(fileId, FileOp.DELETE);
    }

    static Namespace aNamespace() {
        return new Namespace();
    }

    static final class StoredFile {
        private final String fileId;
        private String path = "file.txt";
        private boolean deleted;
        private VersionVector vector = VersionVector.empty();
        private List<Chunk> chunks = List.of();

        private StoredFile(String fileId) {
            this.fileId = fileId;
        }

        StoredFile at(String path) {
            this.path = path;
            return this;
        }

        StoredFile withVector(VersionVector vector) {
            this.vector = vector;
            return this;
        }

        StoredFile withChunks(Chunk... chunks) {
            this.chunks = List.of(chunks);
            return this;
        }

        StoredFile deleted() {
            this.deleted = true;
            this.chunks = List.of();
            return this;
        }

        FileVersion build() {
            return new FileVersion(fileId, path, deleted, vector, chunks,
                    chunks.stream().mapToLong(Chunk::size).sum());
        }
    }

    static final class Change {
        private final String fileId;
        private final FileOp op;
        private int index;
        private String path = "file.txt";
        private VersionVector vector = VersionVector.empty();
        private List<Chunk> chunks = List.of();

        private Change(String fileId, FileOp op) {
            this.fileId = fileId;
            this.op = op;
        }

        Change at(String path) {
            this.path = path;
            return this;
        }

        Change withVector(VersionVector vector) {
            this.vector = vector;
            return this;
        }

        Change withChunks(Chunk... chunks) {
            this.chunks = List.of(chunks);
            return this;
        }

        Change atIndex(int index) {
            this.index = index;
            return this;
        }

        ProposedChange build() {
            return new ProposedChange(index, fileId, path, op, vector, chunks,
                    chunks.stream().mapToLong(Chunk::size).sum());
        }
    }

    /** A namespace held in maps; {@link #with} stores a version the way the reconciler's stores would. */
    static final class Namespace implements NamespaceView {
        private final Map<String, FileVersion> files = new HashMap<>();
        private final Map<PathKey, String> pathHolders = new HashMap<>();
        private final Map<String, List<FileVersion>> histories = new HashMap<>();
        private final Map<String, String> writers = new HashMap<>();

        Namespace with(StoredFile file) {
            return with(file.build());
        }

        Namespace with(FileVersion version) {
            histories.computeIfAbsent(version.fileId(), id -> new ArrayList<>()).add(version);
            FileVersion old = files.put(version.fileId(), version);
            if (old != null && !old.deleted()) {
                pathHolders.remove(old.pathKey(), old.fileId());
            }
            if (!version.deleted()) {
                pathHolders.put(version.pathKey(), version.fileId());
            }
            return this;
        }

        /** The paths of the live files. */
        List<String> livePaths() {
            return files.values().stream().filter(v -> !v.deleted()).map(FileVersion::path).toList();
        }

        @Override
        public Optional<FileVersion> file(String fileId) {
            return Optional.ofNullable(files.get(fileId));
        }

        /** Names the device that wrote the file's latest version. */
        Namespace writtenBy(String fileId, String deviceName) {
            writers.put(fileId, deviceName);
            return this;
        }

        @Override
        public Optional<String> pathHolder(PathKey key) {
            return Optional.ofNullable(pathHolders.get(key));
        }

        @Override
        public Optional<String> holderUnder(PathKey folder, String otherThan) {
            String prefix = folder.value() + "/";
            return pathHolders.entrySet().stream()
                    .filter(e -> e.getKey().value().startsWith(prefix) && !e.getValue().equals(otherThan))
                    .min(Map.Entry.comparingByKey(Comparator.comparing(PathKey::value)))
                    .map(Map.Entry::getValue);
        }

        @Override
        public Optional<FileVersion> ancestor(String fileId, VersionVector of) {
            return histories.getOrDefault(fileId, List.of()).stream()
                    .filter(v -> of.compare(v.vector()) == Causality.DOMINATES || of.compare(v.vector()) == Causality.EQUAL)
                    .reduce((older, newer) -> newer);
        }

        @Override
        public Optional<String> writerName(String fileId) {
            return Optional.ofNullable(writers.get(fileId));
        }
    }

    private TestFiles() {
    }
}
