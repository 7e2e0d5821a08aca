package io.cumulus.ingest.quota;

import java.time.Duration;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import io.cumulus.ingest.IngestDatabase;
import io.cumulus.ingest.gc.RetainedReferences;

/**
 * Storage quotas and their endpoints. Properties: {@code cumulus.quota.default} (the quota of an
 * account without its own, a size such as {@code 5GiB} or {@code 500MiB}; 5GiB) and
 * {@code cumulus.quota.recount-after} (how old the usage counted from the read model may get before
 * a request has it counted again, in the background; 5m).
 */
@Configuration(proxyBeanMethods = false)
@Import(QuotaController.class)
public class QuotaConfiguration {

    /** The ledger of usage counts and charges. */
    @Bean
    UsageLedger ingestUsageLedger(IngestDatabase db, RetainedReferences retained,
                                  @Value("${cumulus.quota.recount-after:5m}") Duration recountAfter) {
        return new UsageLedger(db, retained, recountAfter);
    }

    /** Counts usage from the read model in the background; stopped with the context. */
    @Bean
    UsageRecounts ingestUsageRecounts(UsageLedger ledger) {
        return new UsageRecounts(ledger);
    }

    @Bean
    StorageQuotas ingestStorageQuotas(IngestDatabase db, UsageLedger ledger, UsageRecounts recounts,
                                      @Value("${cumulus.quota.default:5GiB}") String defaultQuota) {
        long bytes;
        try {
            bytes = StorageSize.parse(defaultQuota);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("cumulus.quota.default: " + e.getMessage(), e);
        }
        return new StorageQuotas(db, ledger, recounts, bytes);
    }
}
