package io.cumulus.client.state;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.cumulus.sync.manifest.ChunkRef;
import io.cumulus.sync.manifest.Manifest;
import io.cumulus.sync.vector.VersionVector;

class StoredJsonTest {
    private static final String A = "a".repeat(64);
    private static final String B = "0123456789abcdef".repeat(4);

    @Test
    void readsBackEveryVectorLocalStateWrites() {
        for (VersionVector v : new VersionVector[] {VersionVector.empty(), VersionVector.of("dev-1", 1L),
                VersionVector.of("6f0c3a5e-1d2b-4c3d-9e8f-0a1b2c3d4e5f", 7L, "b", (1L << 53) - 1)}) {
            String json = LocalState.json(v);

            assertThat(StoredJson.vector(json)).as(json).isEqualTo(v);
            assertThat(LocalState.vectorOf(json)).isEqualTo(v);
        }
    }

    @Test
    void readsBackEveryManifestLocalStateWrites() {
        for (Manifest m : new Manifest[] {Manifest.empty(), Manifest.of(ChunkRef.of(A, 1)),
                Manifest.of(ChunkRef.of(A, 4L * 1024 * 1024), ChunkRef.of(B, 12_345))}) {
            String json = LocalState.json(m);

            assertThat(StoredJson.manifest(json)).as(json).isEqualTo(m);
            assertThat(LocalState.manifestOf(json)).isEqualTo(m);
        }
    }

    @Test
    void leavesOtherShapesToTheGeneralParser() {
        assertThat(StoredJson.vector("{ \"a\": 1 }")).isNull();
        assertThat(StoredJson.vector("{\"a\\u0062\":1}")).isNull();
        assertThat(StoredJson.vector("{\"a\":1,}")).isNull();
        assertThat(StoredJson.vector("{\"a\":-1}")).isNull();
        assertThat(StoredJson.manifest("[{\"size\":1,\"id\":\"" + A + "\"}]")).isNull();
        assertThat(StoredJson.manifest("[{\"id\":\"" + A + "\",\"size\":1}")).isNull();
        assertThat(StoredJson.manifest("[{\"id\":\"" + A + "\",\"size\":1}]x")).isNull();

        assertThat(LocalState.vectorOf("{ \"a\": 1 }")).isEqualTo(VersionVector.of("a", 1L));
        assertThat(LocalState.manifestOf("[{\"size\":1,\"id\":\"" + A + "\"}]")).isEqualTo(Manifest.of(ChunkRef.of(A, 1)));
    }
}
