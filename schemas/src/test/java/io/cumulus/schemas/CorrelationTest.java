package io.cumulus.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class CorrelationTest {

    @Test
    void anIdIsShortPrintableAndFreeOfSpacesQuotesAndControlCharacters() {
        assertThat(Correlation.isValid("sync-2026-12-05T10:00:00Z.a_b")).isTrue();
        assertThat(Correlation.isValid("0f8fad5b-d9cb-469f-a165-70867728950e")).isTrue();
        assertThat(Correlation.isValid("x".repeat(Correlation.MAX_LENGTH))).isTrue();
        assertThat(Correlation.isValid("x".repeat(Correlation.MAX_LENGTH + 1))).isFalse();
        assertThat(Correlation.isValid("")).isFalse();
        assertThat(Correlation.isValid(null)).isFalse();
        assertThat(Correlation.isValid("two words")).isFalse();
        assertThat(Correlation.isValid("a\"b")).isFalse();
        assertThat(Correlation.isValid("a\nb")).isFalse();
        assertThat(Correlation.isValid("a\u001bb")).isFalse();
        assertThat(Correlation.isValid("é")).isFalse();
    }

    @Test
    void anInvalidRequestedIdIsReplacedByANewOne() {
        assertThat(Correlation.acceptOrGenerate("mine-1")).isEqualTo("mine-1");
        String replaced = Correlation.acceptOrGenerate("evil\r\nSet-Cookie: x");
        assertThat(replaced).doesNotContain("evil");
        assertThat(Correlation.isValid(replaced)).isTrue();
        assertThat(Correlation.acceptOrGenerate(null)).isNotEqualTo(Correlation.acceptOrGenerate(null));
    }

    @Test
    void aRecordsValidIdIsReadFromItsLastHeaderAndAnInvalidOneIsIgnored() {
        RecordHeaders headers = new RecordHeaders();
        assertThat(Correlation.of(headers)).isEmpty();
        headers.add(Correlation.HEADER, "first".getBytes(StandardCharsets.UTF_8));
        headers.add(Correlation.HEADER, "second".getBytes(StandardCharsets.UTF_8));
        assertThat(Correlation.of(headers)).hasValue("second");
        assertThat(Correlation.carried(headers).toArray()).hasSize(1);
        headers.add(Correlation.HEADER, "not valid".getBytes(StandardCharsets.UTF_8));
        assertThat(Correlation.of(headers)).isEmpty();
        assertThat(Correlation.carried(headers).toArray()).isEmpty();
    }

    @Test
    void aScopeGivesEveryKeyBackTheValueItHadBefore() {
        MDC.put(Correlation.MDC_KEY, "request-1");
        try {
            try (Correlation.Scope scope = Correlation.scope("record-2").put(Correlation.BATCH_ID, "b-3")) {
                assertThat(MDC.get(Correlation.MDC_KEY)).isEqualTo("record-2");
                assertThat(MDC.get(Correlation.BATCH_ID)).isEqualTo("b-3");
                assertThat(Correlation.current()).hasValue("record-2");
            }
            assertThat(MDC.get(Correlation.MDC_KEY)).isEqualTo("request-1");
            assertThat(MDC.get(Correlation.BATCH_ID)).isNull();
            try (Correlation.Scope scope = Correlation.scope("not valid")) {
                assertThat(MDC.get(Correlation.MDC_KEY)).as("an invalid id changes nothing").isEqualTo("request-1");
            }
        } finally {
            MDC.clear();
        }
    }
}
