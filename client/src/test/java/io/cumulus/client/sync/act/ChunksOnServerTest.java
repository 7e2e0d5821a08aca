package io.cumulus.client.sync.act;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.cumulus.client.state.LocalState.SyncedFile;
import io.cumulus.sync.manifest.ChunkId;
import io.cumulus.sync.manifest.ChunkRef;
import io.cumulus.sync.manifest.Manifest;
import io.cumulus.sync.vector.VersionVector;

class ChunksOnServerTest {
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);
    private static final String C = "c".repeat(64);

    @Test
    void theChunksOfSyncedFilesAreOnTheServerAndNoOthers() {
        ChunksOnServer onServer = ChunksOnServer.referencedBy(List.of(synced("x.txt", A, B), synced("y.txt", B)));

        assertThat(onServer.test(ChunkId.of(A))).isTrue();
        assertThat(onServer.test(ChunkId.of(B))).isTrue();
        assertThat(onServer.test(ChunkId.of(C))).isFalse();
    }

    @Test
    void noneKnowsNothing() {
        assertThat(ChunksOnServer.none().test(ChunkId.of(A))).isFalse();
    }

    private static SyncedFile synced(String path, String... chunks) {
        List<ChunkRef> refs = java.util.Arrays.stream(chunks).map(id -> ChunkRef.of(id, 10)).toList();
        return new SyncedFile(path, "id-" + path, VersionVector.empty(), new Manifest(refs), 10L * chunks.length, 0, null, 1);
    }
}
