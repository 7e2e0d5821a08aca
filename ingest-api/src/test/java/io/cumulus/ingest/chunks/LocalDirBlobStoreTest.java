package io.cumulus.ingest.chunks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cumulus.sync.hash.Sha256;

class LocalDirBlobStoreTest {
    @TempDir
    Path root;

    private static ChunkId idOf(byte[] bytes) {
        return new ChunkId(Sha256.hex(bytes));
    }

    private long filesUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void aChunkIsStoredUnderItsHashInTwoLevelsOfFolders() throws Exception {
        // given some bytes
        byte[] bytes = "hello chunk".getBytes(StandardCharsets.UTF_8);
        ChunkId id = idOf(bytes);
        LocalDirBlobStore store = new LocalDirBlobStore(root);

        // when they are stored
        long size = store.put(id, bytes);

        // then they are at ab/cd/abcd… and read back identical
        assertThat(size).isEqualTo(bytes.length);
        Path expected = root.resolve(id.hex().substring(0, 2)).resolve(id.hex().substring(2, 4)).resolve(id.hex());
        assertThat(expected).hasBinaryContent(bytes);
        assertThat(store.exists(id)).isTrue();
        try (InputStream in = store.open(id).orElseThrow()) {
            assertThat(in.readAllBytes()).isEqualTo(bytes);
        }
    }

    @Test
    void bytesThatDoNotHashToTheIdAreNotStoredAtAll() throws Exception {
        // given bytes sent under another chunk's id
        LocalDirBlobStore store = new LocalDirBlobStore(root);
        ChunkId claimed = idOf("what the client claimed".getBytes(StandardCharsets.UTF_8));

        // when they are stored, then the store refuses and keeps no file, not even a temporary one
        assertThatThrownBy(() -> store.put(claimed, "something else".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(HashMismatchException.class);
        assertThat(store.exists(claimed)).isFalse();
        assertThat(filesUnder(root)).isZero();
    }

    @Test
    void aTooLongUploadIsCutOffAndLeavesNothing() throws Exception {
        LocalDirBlobStore store = new LocalDirBlobStore(root);
        byte[] bytes = new byte[10_000];
        assertThatThrownBy(() -> store.put(idOf(bytes), new ByteArrayInputStream(bytes), 9_999))
                .isInstanceOf(ChunkTooLargeException.class);
        assertThat(filesUnder(root)).isZero();
    }

    @Test
    void anUploadThatBreaksOffLeavesNoChunkUnderItsName() throws Exception {
        // given a stream that fails half way, like a client that disconnects
        LocalDirBlobStore store = new LocalDirBlobStore(root);
        byte[] bytes = new byte[200_000];
        ChunkId id = idOf(bytes);
        InputStream breaksOff = new InputStream() {
            private int read;

            @Override
            public int read() throws IOException {
                if (read++ > 100_000) {
                    throw new IOException("connection reset");
                }
                return 0;
            }
        };

        // when it is stored, then it fails and nothing is left
        assertThatThrownBy(() -> store.put(id, breaksOff, 1_000_000)).isInstanceOf(java.io.UncheckedIOException.class);
        assertThat(store.exists(id)).isFalse();
        assertThat(filesUnder(root)).isZero();
    }

    @Test
    void storingTheSameChunkTwiceIsHarmlessAndDeleteRemovesIt() {
        LocalDirBlobStore store = new LocalDirBlobStore(root);
        byte[] bytes = "twice".getBytes(StandardCharsets.UTF_8);
        ChunkId id = idOf(bytes);
        store.put(id, bytes);
        store.put(id, bytes);
        assertThat(store.exists(id)).isTrue();
        assertThat(store.delete(id)).isTrue();
        assertThat(store.delete(id)).isFalse();
        assertThat(store.open(id)).isEmpty();
    }

    @Test
    void temporaryFilesAbandonedByACrashAreRemovedAtStartOnceTheyAreOld() throws Exception {
        // given an old and a fresh temporary file, as a crash would leave them
        Path incoming = Files.createDirectories(root.resolve(".incoming"));
        Path old = Files.writeString(incoming.resolve("old.part"), "partial");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        Path fresh = Files.writeString(incoming.resolve("fresh.part"), "in progress");

        // when a store opens the directory
        new LocalDirBlobStore(root);

        // then only the old one is gone
        assertThat(old).doesNotExist();
        assertThat(fresh).exists();
    }

    @Test
    void theListingShowsExactlyTheStoredChunksWithTheirSizesAndIgnoresEverythingElse() throws Exception {
        // given two stored chunks, and beside them an upload in progress, a stray file, a chunk id in the
        // wrong folders and a folder named like a chunk
        LocalDirBlobStore store = new LocalDirBlobStore(root);
        byte[] small = "small".getBytes(StandardCharsets.UTF_8);
        byte[] larger = new byte[70_000];
        store.put(idOf(small), small);
        store.put(idOf(larger), larger);
        Files.writeString(root.resolve(".incoming").resolve("abcd1234-1.part"), "in progress");
        Path folder = store.pathOf(idOf(small)).getParent();
        Files.writeString(folder.resolve("notes.txt"), "not a chunk");
        ChunkId elsewhere = idOf("misplaced".getBytes(StandardCharsets.UTF_8));
        Files.writeString(folder.resolve(elsewhere.hex()), "misplaced");
        ChunkId dir = idOf("a folder".getBytes(StandardCharsets.UTF_8));
        Files.createDirectories(store.pathOf(dir));

        // when the store is listed
        List<StoredBlob> listed;
        try (Stream<StoredBlob> listing = store.list()) {
            listed = listing.toList();
        }

        // then exactly the two chunks are there, with their sizes and recent modification times
        assertThat(listed).extracting(StoredBlob::id, StoredBlob::size)
                .containsExactlyInAnyOrder(tuple(idOf(small), (long) small.length),
                        tuple(idOf(larger), (long) larger.length));
        assertThat(listed).allSatisfy(blob -> assertThat(blob.lastModified())
                .isBetween(Instant.now().minus(Duration.ofMinutes(1)), Instant.now()));
    }

    @Test
    void anEmptyStoreListsNothing() {
        try (Stream<StoredBlob> listing = new LocalDirBlobStore(root).list()) {
            assertThat(listing).isEmpty();
        }
    }
}
