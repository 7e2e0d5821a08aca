package io.cumulus.ingest.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.cumulus.ingest.web.InvalidRequestException;
import tools.jackson.databind.json.JsonMapper;

class AdmissionTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void aBatchAddsTheSizesOfItsChunksNewToTheOwnerEachOnce() {
        StorageQuotas.Admission admission = new StorageQuotas.Admission(UUID.randomUUID(), Map.of("a", 100L, "b", 50L));
        assertThat(admission.addedBytes()).isEqualTo(150L);
        assertThat(StorageQuotas.Admission.NOTHING.addedBytes()).isZero();
    }

    @Test
    void theAdminGivesAQuotaAsASizeABytesCountOrTheDefault() {
        assertThat(QuotaController.requestedQuota(JSON.readTree("{\"quota\":\"10GiB\"}"))).contains(10L << 30);
        assertThat(QuotaController.requestedQuota(JSON.readTree("{\"bytes\":12345}"))).contains(12345L);
        assertThat(QuotaController.requestedQuota(JSON.readTree("{\"quota\":\"default\"}"))).isEqualTo(Optional.empty());
        for (String bad : new String[] {"{}", "{\"quota\":\"1G\",\"bytes\":1}", "{\"bytes\":-1}", "{\"bytes\":1.5}",
                "{\"quota\":5}", "{\"quota\":\"lots\"}", "[]"}) {
            assertThatThrownBy(() -> QuotaController.requestedQuota(JSON.readTree(bad))).as(bad)
                    .isInstanceOf(InvalidRequestException.class);
        }
    }
}
