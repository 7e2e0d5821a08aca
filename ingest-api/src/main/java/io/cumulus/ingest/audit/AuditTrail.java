package io.cumulus.ingest.audit;

import java.util.Map;
import java.util.UUID;

/**
 * The audit log: what was done to an account, by whom, appended to that account's hash chain.
 * {@code action} is a kebab-case verb phrase ({@code sign-in}, {@code share-invited}, ...);
 * {@code details} are short strings (ids, names, roles), never secrets.
 */
public interface AuditTrail {

    /** Appends one entry to {@code accountId}'s chain; {@code actorDeviceId} may be null (a password sign-in, the admin). */
    void record(UUID accountId, UUID actorDeviceId, String action, Map<String, String> details);
}
