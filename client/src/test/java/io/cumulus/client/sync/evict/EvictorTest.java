package io.cumulus.client.sync.evict;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cumulus.client.scan.FolderScanner;
import io.cumulus.client.state.LocalState;
import io.cumulus.client.state.LocalState.SyncedFile;
import io.cumulus.client.sync.act.FolderAccess;
import io.cumulus.sync.hash.Sha256;
import io.cumulus.sync.manifest.ChunkRef;
import io.cumulus.sync.manifest.Manifest;
import io.cumulus.sync.vector.VersionVector;

/** The evictor on a real folder and a real local state (no server: it never needs one). */
class EvictorTest {
    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

    @TempDir
    Path root;
    private LocalState state;
    private final List<String> log = new ArrayList<>();

    private Evictor evictor() {
        if (state == null) {
            state = LocalState.open(root);
        }
        return new Evictor(new FolderAccess(root), state, log::add, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void close() {
        if (state != null) {
            state.close();
        }
    }

    /** A file of {@code content} a thousand times, written and recorded as synced, last written {@code ageSeconds} before now. */
    private SyncedFile synced(String path, String content, long ageSeconds) throws IOException {
        evictor();
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        byte[] bytes = content.repeat(1000).getBytes(StandardCharsets.UTF_8); // 1000 times: larger than a placeholder
        Files.write(file, bytes);
        Files.setLastModifiedTime(file, FileTime.from(NOW.minusSeconds(ageSeconds)));
        FolderScanner.LocalFile stat = FolderScanner.stat(root, path);
        SyncedFile f = new SyncedFile(path, "id-" + path, VersionVector.of(Map.of("d", 1L)),
                new Manifest(List.of(ChunkRef.of(Sha256.hex(bytes), bytes.length))), stat.size(), stat.mtimeNanos(), stat.inode(), 1);
        state.put(f);
        return f;
    }

    private String read(String path) throws IOException {
        return Files.readString(root.resolve(path));
    }

    @Test
    void theOldestOriginalsAreReplacedByPlaceholdersUntilTheFolderFits() throws IOException {
        // given three synced files of 10 KB, the first the oldest
        synced("a.txt", "aaaaaaaaaa", 300);
        synced("docs/b.txt", "bbbbbbbbbb", 200);
        synced("c.txt", "cccccccccc", 100);

        // when the folder must fit 15 KB
        Evictor.Done done = evictor().evict(new StorageLimit(15_000), Set.of());

        // then the two oldest are evicted: a placeholder each, the original gone, the record kept
        assertThat(done.evicted()).containsExactly("a.txt", "docs/b.txt");
        assertThat(done.fits()).isTrue();
        assertThat(root.resolve("a.txt")).doesNotExist();
        assertThat(root.resolve("docs/b.txt")).doesNotExist();
        assertThat(read("c.txt")).isEqualTo("cccccccccc".repeat(1000));
        assertThat(read("docs/.b.txt.cumulus-cloud")).contains("\"fileId\" : \"id-docs/b.txt\"");
        assertThat(state.evicted()).containsOnlyKeys("a.txt", "docs/b.txt");
        assertThat(state.files()).containsKeys("a.txt", "docs/b.txt", "c.txt");
    }

    @Test
    void aFileEditedSinceItWasSyncedIsNeverEvicted() throws IOException {
        // given the oldest file edited here, not yet sent
        synced("draft.txt", "first draft", 300);
        Files.writeString(root.resolve("draft.txt"), "second draft, longer");

        // when nothing may stay
        Evictor.Done done = evictor().evict(new StorageLimit(0), Set.of());

        // then it stays as it is
        assertThat(done.evicted()).isEmpty();
        assertThat(read("draft.txt")).isEqualTo("second draft, longer");
        assertThat(root.resolve(".draft.txt.cumulus-cloud")).doesNotExist();
    }

    @Test
    void nothingIsEvictedWhileABatchWaitsForTheServersAnswer() throws IOException {
        synced("a.txt", "aaaaaaaaaa", 300);
        state.enqueue("key-1", "ns", "{}", NOW);

        assertThat(evictor().evict(new StorageLimit(0), Set.of()).evicted()).isEmpty();
        assertThat(read("a.txt")).isEqualTo("aaaaaaaaaa".repeat(1000));
    }

    @Test
    void anEditedPlaceholderIsRewrittenFromTheState() throws IOException {
        // given an evicted file whose placeholder was edited to garbage
        synced("a.txt", "aaaaaaaaaa", 300);
        evictor().evict(new StorageLimit(0), Set.of());
        String written = read(".a.txt.cumulus-cloud");
        Files.writeString(root.resolve(".a.txt.cumulus-cloud"), "garbage {");

        // when placeholders are reconciled
        evictor().reconcile();

        // then it says again what the state says, and the file is still evicted
        assertThat(read(".a.txt.cumulus-cloud")).isEqualTo(written);
        assertThat(state.evicted()).containsOnlyKeys("a.txt");
    }

    @Test
    void aRenamedPlaceholderGoesBackToItsNameRatherThanLosingTheFile() throws IOException {
        synced("a.txt", "aaaaaaaaaa", 300);
        evictor().evict(new StorageLimit(0), Set.of());
        Files.createDirectories(root.resolve("elsewhere"));
        Files.move(root.resolve(".a.txt.cumulus-cloud"), root.resolve("elsewhere/.b.txt.cumulus-cloud"));

        evictor().reconcile();

        assertThat(root.resolve(".a.txt.cumulus-cloud")).exists();
        assertThat(root.resolve("elsewhere/.b.txt.cumulus-cloud")).doesNotExist();
        assertThat(state.evicted()).containsOnlyKeys("a.txt");
    }

    @Test
    void aRealFileMadeAtAnEvictedNameWinsAndItsPlaceholderGoes() throws IOException {
        synced("a.txt", "aaaaaaaaaa", 300);
        evictor().evict(new StorageLimit(0), Set.of());
        Files.writeString(root.resolve("a.txt"), "a new file by the user");

        evictor().reconcile();

        assertThat(read("a.txt")).isEqualTo("a new file by the user");
        assertThat(root.resolve(".a.txt.cumulus-cloud")).doesNotExist();
        assertThat(state.evicted()).isEmpty();
        assertThat(state.files()).containsKey("a.txt"); // its record is as synced: the push sends the new content as an edit
    }

    @Test
    void aCrashBetweenPlaceholderAndDeletionLeavesBothAndTheOriginalWins() throws IOException {
        // given a placeholder written and the eviction recorded, but the original not yet deleted
        SyncedFile a = synced("a.txt", "aaaaaaaaaa", 300);
        new FolderAccess(root).writePlaceholder("a.txt", Placeholder.of(a, NOW).encode());
        state.evicted(a.fileId(), NOW);

        // when placeholders are reconciled
        evictor().reconcile();

        // then the original stays, unchanged, and the placeholder is gone
        assertThat(read("a.txt")).isEqualTo("aaaaaaaaaa".repeat(1000));
        assertThat(root.resolve(".a.txt.cumulus-cloud")).doesNotExist();
        assertThat(state.evicted()).isEmpty();
    }

    @Test
    void aPlaceholderLeftBeforeTheEvictionWasRecordedIsRemoved() throws IOException {
        SyncedFile a = synced("a.txt", "aaaaaaaaaa", 300);
        new FolderAccess(root).writePlaceholder("a.txt", Placeholder.of(a, NOW).encode());

        evictor().reconcile();

        assertThat(root.resolve(".a.txt.cumulus-cloud")).doesNotExist();
        assertThat(read("a.txt")).isEqualTo("aaaaaaaaaa".repeat(1000));
    }

    @Test
    void aGarbagePlaceholderNoEvictedFileOwnsIsLeftAloneAndReported() throws IOException {
        evictor();
        Files.writeString(root.resolve(".mystery.cumulus-cloud"), "{\"cumulusPlaceholder\":1,\"path\":\"../../etc/passwd\"}");

        evictor().reconcile();

        assertThat(read(".mystery.cumulus-cloud")).contains("passwd");
        assertThat(Evictor.unreadable(FolderScanner.scan(root), state.evicted())).containsExactly(".mystery.cumulus-cloud");
        assertThat(Files.exists(root.getParent().resolve("etc"))).isFalse();
    }

    @Test
    void aFileFetchedAMomentAgoStaysEvenWhenTheFolderIsOverItsLimit() throws IOException {
        // given two files, the older one handed out by fetch a moment ago
        SyncedFile old = synced("old.txt", "oooooooooo", 300);
        synced("new.txt", "nnnnnnnnnn", 100);
        evictor();
        state.used(old.fileId(), NOW.minusSeconds(5));

        // when nothing may stay
        Evictor.Done done = evictor().evict(new StorageLimit(0), Set.of());

        // then the one not used lately goes, and the fetched one stays though the folder does not fit
        assertThat(done.evicted()).containsExactly("new.txt");
        assertThat(done.fits()).isFalse();
        assertThat(root.resolve("old.txt")).exists();
    }

    @Test
    void aFileFetchedLongAgoIsEvictedByItsLastUse() throws IOException {
        // given a file written long ago but opened two hours ago, and one written after that
        SyncedFile opened = synced("opened.txt", "oooooooooo", 10_000);
        synced("written.txt", "wwwwwwwwww", 3_600);
        evictor();
        state.used(opened.fileId(), NOW.minusSeconds(7_200));

        // when one must go
        Evictor.Done done = evictor().evict(new StorageLimit(10_000), Set.of());

        // then the one used longest ago goes
        assertThat(done.evicted()).containsExactly("opened.txt");
    }
}
