package io.cumulus.schemas.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class CompatibilityCheckTest {

    private static Schema record(String fields) {
        return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"E\",\"namespace\":\"t\",\"fields\":[" + fields + "]}");
    }

    @Test
    void currentSchemasAreCompatibleWithTheLastRelease() {
        List<Schema> released = CompatibilityCheck.parseAll(CompatibilityCheck.latestRelease(Path.of("released")));
        List<Schema> current = CompatibilityCheck.parseAll(Path.of("src/main/avro"));

        assertThat(CompatibilityCheck.check(released, current)).isEmpty();
        assertThat(released).extracting(Schema::getName)
                .contains("ChangeBatchSubmitted", "ChangeOutcome", "FileEvent", "FileState", "ChunkRefDelta");
    }

    @Test
    void addingAnOptionalFieldWithADefaultIsCompatibleBothWays() {
        Schema v1 = record("{\"name\":\"a\",\"type\":\"string\"}");
        Schema v2 = record("{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":[\"null\",\"long\"],\"default\":null}");

        assertThat(CompatibilityCheck.check(List.of(v1), List.of(v2))).isEmpty();
    }

    @Test
    void addingARequiredFieldBreaksBackwardCompatibility() {
        Schema v1 = record("{\"name\":\"a\",\"type\":\"string\"}");
        Schema v2 = record("{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"long\"}");

        assertThat(CompatibilityCheck.check(List.of(v1), List.of(v2)))
                .extracting(CompatibilityCheck.Problem::direction).containsExactly("backward");
    }

    @Test
    void removingAFieldWithoutDefaultBreaksForwardCompatibility() {
        Schema v1 = record("{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"long\"}");
        Schema v2 = record("{\"name\":\"a\",\"type\":\"string\"}");

        assertThat(CompatibilityCheck.check(List.of(v1), List.of(v2)))
                .extracting(CompatibilityCheck.Problem::direction).containsExactly("forward");
    }

    @Test
    void changingAFieldTypeIsCaught() {
        Schema v1 = record("{\"name\":\"a\",\"type\":\"string\"}");
        Schema v2 = record("{\"name\":\"a\",\"type\":\"int\"}");

        assertThat(CompatibilityCheck.check(List.of(v1), List.of(v2))).hasSize(2);
    }

    @Test
    void removingASchemaIsCaught() {
        Schema v1 = record("{\"name\":\"a\",\"type\":\"string\"}");

        assertThat(CompatibilityCheck.check(List.of(v1), List.of())).singleElement()
                .extracting(CompatibilityCheck.Problem::detail).isEqualTo("the schema was removed");
    }
}
