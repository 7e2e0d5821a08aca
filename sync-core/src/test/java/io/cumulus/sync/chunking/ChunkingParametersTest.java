package io.cumulus.sync.chunking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChunkingParametersTest {

    @ParameterizedTest(name = "min={0} average={1} max={2} is rejected")
    @CsvSource({
            "0, 256, 1024",          // min below one byte
            "256, 256, 1024",        // min not below the average
            "64, 1024, 1024",        // average not below the max
            "64, 300, 1024",         // average not a power of two
            "1, 4, 16",              // average too small for normalized chunking
            "1048576, 2097152, 8388608", // max above what a manifest may reference
    })
    void inconsistentSizesAreRejected(int min, int average, int max) {
        assertThatThrownBy(() -> new ChunkingParameters(min, average, max)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "min={0} average={1} max={2} is accepted")
    @CsvSource({"1, 8, 9", "64, 256, 1024", "262144, 1048576, 4194304"})
    void consistentSizesAreAccepted(int min, int average, int max) {
        assertThat(new ChunkingParameters(min, average, max).averageSize()).isEqualTo(average);
    }
}
