package io.cumulus.reconciler.decision;

import static io.cumulus.reconciler.decision.TestFiles.aFile;
import static io.cumulus.reconciler.decision.TestFiles.chunk;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class ChunkRefChangeTest {

    private static ChunkRefChange plus(String content) {
        return new ChunkRefChange(chunk(content).id(), 1);
    }

    private static ChunkRefChange minus(String content) {
        return new ChunkRefChange(chunk(content).id(), -1);
    }

    private static FileVersion version(String... contents) {
        return aFile("f1").withChunks(java.util.Arrays.stream(contents).map(TestFiles::chunk).toArray(Chunk[]::new))
                .build();
    }

    @Test
    void aNewFileReferencesEachDistinctChunkOnceInManifestOrder() {
        // when a file's first version repeats a chunk, then each chunk gains one reference
        assertThat(ChunkRefChange.between(List.of(), List.of(version("b", "a", "b"))))
                .containsExactly(plus("b"), plus("a"));
    }

    @Test
    void anEditKeepsTheOldVersionsChunksWhileTheOldVersionIsRetained() {
        // given a version a, b, c; when c, d, a is added to the history, then only d is gained
        FileVersion old = version("a", "b", "c");
        assertThat(ChunkRefChange.between(List.of(old), List.of(old, version("c", "d", "a"))))
                .containsExactly(plus("d"));
    }

    @Test
    void expiringAVersionReleasesOnlyTheChunksNoRetainedVersionUses() {
        // given two retained versions; when the older expires, then only its own chunks lose their reference
        FileVersion old = version("a", "b", "c");
        FileVersion current = version("c", "d", "a");
        assertThat(ChunkRefChange.between(List.of(old, current), List.of(current))).containsExactly(minus("b"));
    }

    @Test
    void aDeletionReferencesNothingAndAnExpiredTrashEntryReleasesEverything() {
        // given a file's history ending in a deletion
        FileVersion v1 = version("a", "b", "a");
        FileVersion deletion = aFile("f1").deleted().build();

        // then the deletion gains nothing, and the history's expiry releases each distinct chunk once
        assertThat(ChunkRefChange.between(List.of(v1), List.of(v1, deletion))).isEmpty();
        assertThat(ChunkRefChange.between(List.of(v1, deletion), List.of())).containsExactly(minus("a"), minus("b"));
    }
}
