package io.cumulus.ingest.changes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.cumulus.ingest.web.InvalidRequestException;

class IdempotencyKeyTest {

    @Test
    void aKeyIsOneToTwoHundredPrintableAsciiCharacters() {
        assertThat(new IdempotencyKey("k").value()).isEqualTo("k");
        assertThat(new IdempotencyKey("batch 2026-01-01/#42 ~!").value()).isNotEmpty();
        assertThat(new IdempotencyKey("x".repeat(200)).value()).hasSize(200);
        for (String bad : new String[] {"", "x".repeat(201), "tab\there", "é", "nl\n", "\u007F"}) {
            assertThatThrownBy(() -> new IdempotencyKey(bad)).as(bad)
                    .isInstanceOfSatisfying(InvalidRequestException.class,
                            e -> assertThat(e.slug()).isEqualTo("invalid-idempotency-key"));
        }
    }
}
