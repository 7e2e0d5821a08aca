package io.cumulus.reconciler.decision;

import static io.cumulus.reconciler.decision.TestFiles.aFile;
import static io.cumulus.reconciler.decision.TestFiles.chunk;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class FileWriteTest {

    private static ChunkRefChange plus(String content) {
        return new ChunkRefChange(chunk(content).id(), 1);
    }

    private static ChunkRefChange minus(String content) {
        return new ChunkRefChange(chunk(content).id(), -1);
    }

    @Test
    void aNewFileReferencesEachDistinctChunkOnceInManifestOrder() {
        // given a new file whose manifest repeats a chunk
        FileWrite write = new FileWrite(aFile("f1").withChunks(chunk("b"), chunk("a"), chunk("b")).build(),
                Optional.empty(), Optional.empty());

        // when its reference changes are computed, then each chunk gains one reference
        assertThat(write.chunkRefChanges()).containsExactly(plus("b"), plus("a"));
    }

    @Test
    void anEditChangesOnlyTheReferencesThatDiffer() {
        // given a version with chunks a, b, c replaced by one with c, d, a
        FileWrite write = new FileWrite(aFile("f1").withChunks(chunk("c"), chunk("d"), chunk("a")).build(),
                Optional.of(aFile("f1").withChunks(chunk("a"), chunk("b"), chunk("c")).build()), Optional.empty());

        // then d is gained and b is lost, nothing else
        assertThat(write.chunkRefChanges()).containsExactly(plus("d"), minus("b"));
    }

    @Test
    void aDeleteReleasesEveryChunkOfTheVersionItReplaces() {
        // given a deletion of a file with chunks a, b, a
        FileWrite write = new FileWrite(aFile("f1").deleted().build(),
                Optional.of(aFile("f1").withChunks(chunk("a"), chunk("b"), chunk("a")).build()), Optional.empty());

        // then each distinct chunk loses one reference
        assertThat(write.chunkRefChanges()).containsExactly(minus("a"), minus("b"));
    }

    @Test
    void recreatingADeletedFileReferencesItsChunksAgain() {
        // given a deleted version replaced by a live one
        FileWrite write = new FileWrite(aFile("f1").withChunks(chunk("a")).build(),
                Optional.of(aFile("f1").deleted().build()), Optional.empty());

        // then its chunks gain a reference
        assertThat(write.chunkRefChanges()).containsExactly(plus("a"));
    }
}
