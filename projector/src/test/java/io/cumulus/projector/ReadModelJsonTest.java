package io.cumulus.projector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.cumulus.schemas.ChunkRef;
import io.cumulus.schemas.VersionEntry;

class ReadModelJsonTest {

    @Test
    void aVectorIsAnObjectWithSortedDeviceKeys() {
        // given entries out of order
        List<VersionEntry> entries = List.of(new VersionEntry("phone", 2L), new VersionEntry("laptop", 7L));

        // when / then
        assertThat(ReadModelJson.vector(entries)).isEqualTo("{\"laptop\": 7, \"phone\": 2}");
    }

    @Test
    void anEmptyVectorIsAnEmptyObject() {
        assertThat(ReadModelJson.vector(List.of())).isEqualTo("{}");
    }

    @Test
    void aManifestIsAnArrayOfIdAndSizeInChunkOrder() {
        // given two chunks
        List<ChunkRef> chunks = List.of(new ChunkRef("bb", 5L), new ChunkRef("aa", 10L));

        // when / then the order of the manifest is kept
        assertThat(ReadModelJson.chunks(chunks))
                .isEqualTo("[{\"id\": \"bb\", \"size\": 5}, {\"id\": \"aa\", \"size\": 10}]");
        assertThat(ReadModelJson.chunks(List.of())).isEqualTo("[]");
    }

    @Test
    void quotesAndControlCharactersInKeysAreEscaped() {
        assertThat(ReadModelJson.vector(List.of(new VersionEntry("a\"b\\c\u0001", 1L))))
                .isEqualTo("{\"a\\\"b\\\\c\\u0001\": 1}");
    }
}
