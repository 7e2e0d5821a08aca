package io.cumulus.ingest.links;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.cumulus.ingest.audit.AuditTrail;

/**
 * The API's audit trail replaced by one that keeps every entry in {@link #ENTRIES}, for an instance
 * started with {@link #PROPERTIES}: what a test reads to see which actions were recorded on whom.
 */
@Configuration(proxyBeanMethods = false)
public class RecordingAuditTrail {
    static final Map<String, Object> PROPERTIES = Map.of(
            "spring.main.sources", RecordingAuditTrail.class.getName(),
            "spring.main.allow-bean-definition-overriding", true);
    static final List<Entry> ENTRIES = new CopyOnWriteArrayList<>();

    record Entry(UUID accountId, UUID deviceId, String action, Map<String, String> details) {
    }

    @Bean
    AuditTrail ingestAuditTrail() {
        return (accountId, deviceId, action, details) -> ENTRIES.add(new Entry(accountId, deviceId, action, Map.copyOf(details)));
    }
}
