package io.cumulus.ingest.shares;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import io.cumulus.ingest.IngestDatabase;
import io.cumulus.ingest.audit.AuditTrail;

/** The shares API and what it needs; no properties of its own. */
@Configuration(proxyBeanMethods = false)
@Import(ShareController.class)
public class ShareConfiguration {

    @Bean
    Shares ingestShares(IngestDatabase db, AuditTrail audit) {
        return new Shares(db, new ShareStore(db), new ShareChunks(db), audit);
    }
}
