package io.cumulus.ingest.audit;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.ingest.IngestDatabase;

/**
 * The {@link AuditTrail} in PostgreSQL: each record locks the account's head row, appends the next
 * entry chained to the head's hash and moves the head, in one transaction; called inside a caller's
 * transaction it takes part in it, so the entry commits (or rolls back) with what it records. The
 * head lock serialises one account's appends, on every instance.
 *
 * <p>Strings are stored as they are hashed: a NUL (which {@code jsonb} refuses) becomes U+FFFD, a lone
 * surrogate becomes {@code ?} as UTF-8 encodes it, and a value past {@value #MAX_VALUE} characters is
 * cut, so that what is read back hashes to what was written.
 */
public final class PostgresAuditTrail implements AuditTrail {
    private static final Logger log = LoggerFactory.getLogger(PostgresAuditTrail.class);
    static final int MAX_VALUE = 1024;

    private final IngestDatabase db;
    private final AuditEntries entries;
    private final Clock clock;

    public PostgresAuditTrail(IngestDatabase db, Clock clock) {
        this.db = db;
        this.entries = new AuditEntries(db);
        this.clock = clock;
    }

    @Override
    public void record(UUID accountId, UUID actorDeviceId, String action, Map<String, String> details) {
        if (accountId == null || action == null || action.isBlank()) {
            throw new IllegalArgumentException("an audit entry needs an account and an action");
        }
        String cleanAction = clean(action);
        SortedMap<String, String> cleanDetails = new TreeMap<>();
        if (details != null) {
            details.forEach((k, v) -> {
                if (k != null && v != null) {
                    cleanDetails.put(clean(k), clean(v));
                }
            });
        }
        Optional<UUID> actor = Optional.ofNullable(actorDeviceId);
        AuditEntry appended = db.transactions().execute(tx -> {
            AuditEntries.Head head = entries.lockHead(accountId);
            // Taken under the lock, so one account's entries are in time order too.
            Instant at = clock.instant().truncatedTo(ChronoUnit.MICROS);
            long seq = head.lastSeq() + 1;
            byte[] hash = AuditHash.of(accountId, seq, at, cleanAction, actor, cleanDetails, head.lastHash());
            AuditEntry entry = new AuditEntry(accountId, seq, at, cleanAction, actor, cleanDetails, head.lastHash(), hash);
            entries.append(entry);
            return entry;
        });
        log.info("audit entry appended accountId={} seq={} action={} deviceId={}", accountId, appended.seq(), cleanAction,
                actorDeviceId);
    }

    /** The string as PostgreSQL will give it back. */
    static String clean(String s) {
        String cut = s.length() > MAX_VALUE ? s.substring(0, MAX_VALUE) : s;
        return new String(cut.replace('\u0000', '\uFFFD').getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }
}
