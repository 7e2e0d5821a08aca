package io.cumulus.ingest.audit;

import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An {@link AuditTrail} that only logs each entry. */
public final class LoggedAuditTrail implements AuditTrail {
    private static final Logger log = LoggerFactory.getLogger(LoggedAuditTrail.class);

    @Override
    public void record(UUID accountId, UUID actorDeviceId, String action, Map<String, String> details) {
        log.info("audit accountId={} deviceId={} action={} details={}", accountId, actorDeviceId, action, details);
    }
}
