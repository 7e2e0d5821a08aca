package io.cumulus.notifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.cumulus.schemas.ChangeOutcome;
import io.cumulus.schemas.OutcomeKind;
import tools.jackson.core.JacksonException;

class PushMessagesTest {

    @Test
    void anOutcomeWithoutSeqOrConflictCarriesNulls() {
        // given a stale verdict: no event, no copy
        ChangeOutcome stale = ChangeOutcome.newBuilder().setBatchId("b").setChangeIndex(0).setNamespaceId("ns")
                .setDeviceId("d").setFileId("f").setPath("p \"q\".txt").setKind(OutcomeKind.STALE)
                .setCurrentVector(List.of()).setDecidedAt(0L).build();

        // when / then
        assertThat(PushMessages.outcome(stale)).isEqualTo("{\"type\":\"outcome\",\"batchId\":\"b\",\"changeIndex\":0,"
                + "\"namespace\":\"ns\",\"fileId\":\"f\",\"path\":\"p \\\"q\\\".txt\",\"kind\":\"STALE\",\"seq\":null,"
                + "\"conflictPath\":null}");
    }

    @Test
    void onlyAPingFrameIsAPing() {
        assertThat(PushMessages.isPing("{\"type\":\"ping\"}")).isTrue();
        assertThat(PushMessages.isPing("{\"type\":\"hello\"}")).isFalse();
        assertThat(PushMessages.isPing("{\"kind\":\"ping\"}")).isFalse();
        assertThat(PushMessages.isPing("[1]")).isFalse();
        assertThatThrownBy(() -> PushMessages.isPing("ping")).isInstanceOf(JacksonException.class);
    }
}
