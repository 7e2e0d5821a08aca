package io.cumulus.sync.chunking;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;

import io.cumulus.sync.manifest.ChunkId;
import org.junit.jupiter.api.Test;

/**
 * Pins the storage format of chunking: if one of these fails, every stored file would be
 * re-chunked differently by new clients. Do not update the expected values; revert the change.
 */
class GearTableTest {

    @Test
    void theGearTableIsTheFixedSplitMix64Sequence() {
        assertThat(GearTable.value(0)).isEqualTo(0xB468411C5164C505L);
        assertThat(GearTable.value(1)).isEqualTo(0x4AA885435F057755L);
        assertThat(GearTable.value(2)).isEqualTo(0x06B43CF6A548BB49L);
        assertThat(GearTable.value(127)).isEqualTo(0xDEF3F072B3EE73F7L);
        assertThat(GearTable.value(255)).isEqualTo(0x8B042012D50E1E98L);
    }

    @Test
    void theGearTableHas256DistinctValues() {
        HashSet<Long> values = new HashSet<>();
        for (int i = 0; i < 256; i++) {
            values.add(GearTable.value(i));
        }
        assertThat(values).hasSize(256);
    }

    @Test
    void aKnownInputIsAlwaysCutAtTheSamePlaces() throws Exception {
        // given
        byte[] data = TestInputs.randomBytes(42, 64 * 1024);
        FastCdcChunker chunker = new FastCdcChunker(new ChunkingParameters(1024, 4096, 16384));

        // when
        List<Chunk> chunks = TestInputs.chunksOf(chunker, data);

        // then
        assertThat(chunks).extracting(Chunk::length).containsExactly(
                4645, 5135, 4882, 7512, 4128, 5015, 4315, 4944, 2620, 5046, 3098, 3580, 2691, 4421, 3504);
        assertThat(chunks.getFirst().id())
                .isEqualTo(ChunkId.of("a8c5c0f6424b66ef2dc10880bded73454951a788b33c596784eceee3f3cfba7e"));
        assertThat(chunks.getLast().id())
                .isEqualTo(ChunkId.of("dcedf6aaaa24f46ea24de2e17c7ec02f0aff4da0eb3d1280bf8add81c36c9d62"));
    }

    @Test
    void theDefaultParametersAreTheStorageFormat() {
        assertThat(ChunkingParameters.defaults()).isEqualTo(new ChunkingParameters(256 * 1024, 1024 * 1024, 4 * 1024 * 1024));
    }
}
