package io.cumulus.ingest.audit;

import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.cumulus.ingest.IngestDatabase;
import io.cumulus.ingest.auth.AdminToken;

/** The audit log's beans: the trail every feature records to, its verifier and its endpoints. */
@Configuration(proxyBeanMethods = false)
public class AuditApiConfiguration {

    /** The audit log every feature appends to (see {@link AuditTrail}). */
    @Bean
    AuditTrail ingestAuditTrail(IngestDatabase db) {
        return new PostgresAuditTrail(db, Clock.systemUTC());
    }

    @Bean
    AuditVerifier ingestAuditVerifier(IngestDatabase db) {
        return new AuditVerifier(db);
    }

    @Bean
    AuditController ingestAuditController(IngestDatabase db, AuditVerifier verifier, AdminToken adminToken) {
        return new AuditController(new AuditEntries(db), verifier, adminToken);
    }
}
