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
 * a request counts it again; 5m).
 */
@Configuration(proxyBeanMethods = false)
@Import(QuotaController.class)
public class QuotaConfiguration {

    @Bean
    StorageQuotas ingestStorageQuotas(IngestDatabase db, RetainedReferences retained,
                                      @Value("${cumulus.quota.default:5GiB}") String defaultQuota,
                                      @Value("${cumulus.quota.recount-after:5m}") Duration recountAfter) {
        long bytes;
        try {
            bytes = StorageSize.parse(defaultQuota);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("cumulus.quota.default: " + e.getMessage(), e);
        }
        return new StorageQuotas(db, new UsageLedger(db, retained, recountAfter), bytes);
    }
}
