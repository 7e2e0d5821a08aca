package io.cumulus.sync.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import io.cumulus.sync.hash.Sha256;
import org.junit.jupiter.api.Test;

class ManifestTest {

    private static final ChunkId A = ChunkId.of(Sha256.hex("a".getBytes()));
    private static final ChunkId B = ChunkId.of(Sha256.hex("b".getBytes()));
    private static final ChunkId C = ChunkId.of(Sha256.hex("c".getBytes()));

    @Test
    void theSizeIsTheSumOfTheChunkSizes() {
        Manifest manifest = Manifest.of(new ChunkRef(A, 100), new ChunkRef(B, 4L * 1024 * 1024), new ChunkRef(A, 100));

        assertThat(manifest.size()).isEqualTo(200 + 4L * 1024 * 1024);
        assertThat(manifest.isEmpty()).isFalse();
    }

    @Test
    void distinctChunkIdsKeepTheOrderOfFirstAppearance() {
        Manifest manifest = Manifest.of(new ChunkRef(B, 1), new ChunkRef(A, 2), new ChunkRef(B, 1),
                new ChunkRef(C, 3), new ChunkRef(A, 2));

        assertThat(manifest.distinctChunkIds()).containsExactly(B, A, C);
    }

    @Test
    void anEmptyManifestIsAnEmptyFile() {
        assertThat(Manifest.empty().isEmpty()).isTrue();
        assertThat(Manifest.empty().size()).isZero();
        assertThat(Manifest.empty().distinctChunkIds()).isEmpty();
        assertThat(new Manifest(List.of())).isEqualTo(Manifest.empty());
    }

    @Test
    void aManifestCannotBeChangedThroughTheListItWasMadeFrom() {
        // given
        List<ChunkRef> source = new ArrayList<>(List.of(new ChunkRef(A, 1)));
        Manifest manifest = new Manifest(source);

        // when
        source.add(new ChunkRef(B, 1));

        // then
        assertThat(manifest.chunks()).containsExactly(new ChunkRef(A, 1));
        assertThatThrownBy(() -> manifest.chunks().add(new ChunkRef(C, 1)))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void manifestsWithTheSameChunksAreEqual() {
        assertThat(Manifest.of(new ChunkRef(A, 1), new ChunkRef(B, 2)))
                .isEqualTo(Manifest.of(ChunkRef.of(A.value(), 1), ChunkRef.of(B.value(), 2)))
                .isNotEqualTo(Manifest.of(new ChunkRef(B, 2), new ChunkRef(A, 1)));
    }
}
