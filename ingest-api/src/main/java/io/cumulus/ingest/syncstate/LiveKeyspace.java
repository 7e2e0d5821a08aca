package io.cumulus.ingest.syncstate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;

import io.cumulus.ingest.IngestDatabase;

/**
 * The keyspace that holds the live generation of the Cassandra sync state's feed, files and heads:
 * the projector's row {@code sync_state.active_keyspace} in PostgreSQL, which a rebuild's switch
 * updates, re-read at most every {@link #MAX_AGE} (the rebuild drops a retired keyspace only well
 * after that). The configured keyspace while no rebuild ever switched. When PostgreSQL cannot answer,
 * the last keyspace read is kept: the sync state does not depend on PostgreSQL for its reads.
 */
final class LiveKeyspace implements Supplier<String> {
    private static final Logger log = LoggerFactory.getLogger(LiveKeyspace.class);
    static final Duration MAX_AGE = Duration.ofSeconds(1);

    private final IngestDatabase db;
    private final String configured;
    private final Clock clock;
    private volatile String keyspace;
    private volatile Instant readAt = Instant.EPOCH;

    LiveKeyspace(IngestDatabase db, String configured, Clock clock) {
        this.db = db;
        this.configured = configured;
        this.clock = clock;
        this.keyspace = configured;
    }

    @Override
    public String get() {
        Instant now = clock.instant();
        if (Duration.between(readAt, now).compareTo(MAX_AGE) >= 0) {
            readAt = now;
            try {
                String live = read().orElse(configured);
                if (!live.equals(keyspace)) {
                    log.info("sync state generation switched keyspace={} from={}", live, keyspace);
                    keyspace = live;
                }
            } catch (DataAccessException e) {
                if (!e.getMessage().contains("does not exist")) {
                    log.warn("live sync state keyspace not re-read keeping={} error={}", keyspace, e.toString());
                }
            }
        }
        return keyspace;
    }

    private Optional<String> read() {
        return db.jdbc().sql("SELECT keyspace FROM sync_state.active_keyspace").query(String.class).optional();
    }
}
