package io.cumulus.sync.id;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileIdTest {

    @Test
    void clientUuidsAndTheReconcilersCopyIdsAreFileIds() {
        assertThat(FileId.isValid(UUID.randomUUID().toString())).isTrue();
        assertThat(FileId.isValid("conflict-" + UUID.randomUUID() + "-999")).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "~", "-", "_", "...", "a.b", "A-Z_a~z.0-9"})
    void unreservedCharactersMakeAFileId(String id) {
        assertThat(new FileId(id).value()).isEqualTo(id);
    }

    @Test
    void aFileIdHasAtMost128Characters() {
        assertThat(FileId.isValid("x".repeat(128))).isTrue();
        assertThat(FileId.isValid("x".repeat(129))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "a/b", "a b", "a%2Fb", "a?b", "a#b", "caf\u00e9", "tab\t", "a+b", "a:b", "\uD83D\uDE00"})
    void anythingAUrlWouldEncodeOrResolveIsNotAFileId(String id) {
        assertThat(FileId.isValid(id)).isFalse();
        assertThatThrownBy(() -> new FileId(id)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("A-Z a-z 0-9");
    }

    @Test
    void nullIsNotAFileId() {
        assertThat(FileId.isValid(null)).isFalse();
    }
}
