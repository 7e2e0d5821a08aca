package io.cumulus.sync.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cumulus.sync.hash.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChunkIdTest {

    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void aLowercaseSha256HexIsAChunkId() {
        assertThat(ChunkId.of(Sha256.hex(new byte[0])).value()).isEqualTo(EMPTY_SHA256);
        assertThat(ChunkId.of(EMPTY_SHA256).toString()).isEqualTo(EMPTY_SHA256);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",   // 63 digits
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8550", // 65 digits
            "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",  // uppercase
            "g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",  // not hex
            "../../etc/passwd/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    })
    void anythingElseIsRejected(String raw) {
        assertThatThrownBy(() -> ChunkId.of(raw)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nullIsRejected() {
        assertThatThrownBy(() -> ChunkId.of(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aChunkRefHoldsOneByteUpToFourMebibytes() {
        ChunkId id = ChunkId.of(EMPTY_SHA256);

        assertThat(new ChunkRef(id, 1).size()).isEqualTo(1);
        assertThat(new ChunkRef(id, 4L * 1024 * 1024).size()).isEqualTo(4L * 1024 * 1024);
        assertThatThrownBy(() -> new ChunkRef(id, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChunkRef(id, -5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChunkRef(id, 4L * 1024 * 1024 + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChunkRef(null, 1)).isInstanceOf(NullPointerException.class);
    }
}
