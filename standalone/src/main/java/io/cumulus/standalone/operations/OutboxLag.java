package io.cumulus.standalone.operations;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.relay.OutboxRelay;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * How far the outbox is ahead of Kafka, measured by a process that runs the relay, every
 * {@link #EVERY}:
 * <ul>
 *   <li>{@code cumulus_outbox_unpublished_rows} and {@code cumulus_outbox_oldest_unpublished_age_seconds}:
 *   the outbox rows above the highest id this relay has published, and the age of the oldest of them;
 *   known once the active relay has published since it started (NaN before, and on a relay that
 *   stands by);
 *   <li>{@code cumulus_outbox_slot_lag_bytes}: the WAL the relay's replication slot has not confirmed,
 *   always known while the slot exists; it grows with any write to the database while the relay is away.
 * </ul>
 */
public final class OutboxLag implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OutboxLag.class);
    static final Duration EVERY = Duration.ofSeconds(5);

    private final OutboxRelay relay;
    private final DataSource db;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cumulus-outbox-lag");
        t.setDaemon(true);
        return t;
    });
    private volatile double rows = Double.NaN;
    private volatile double oldestSeconds = Double.NaN;
    private volatile double slotBytes = Double.NaN;
    private volatile boolean failing;

    public OutboxLag(OutboxRelay relay, DataSource db, MeterRegistry registry) {
        this.relay = relay;
        this.db = db;
        Gauge.builder("cumulus.outbox.unpublished.rows", this, l -> l.rows)
                .description("Outbox rows (accepted batches) not yet published to Kafka").register(registry);
        Gauge.builder("cumulus.outbox.oldest.unpublished.age", this, l -> l.oldestSeconds).baseUnit("seconds")
                .description("Age of the oldest outbox row not yet published to Kafka (0 when none waits)").register(registry);
        Gauge.builder("cumulus.outbox.slot.lag", this, l -> l.slotBytes).baseUnit("bytes")
                .description("WAL the outbox relay's replication slot has not confirmed").register(registry);
    }

    public OutboxLag start() {
        scheduler.scheduleWithFixedDelay(this::refresh, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    void refresh() {
        try (Connection c = db.getConnection()) {
            OptionalLong published = relay.isActive() ? relay.highestPublishedId() : OptionalLong.empty();
            if (published.isPresent()) {
                try (PreparedStatement s = c.prepareStatement("SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)"
                        + " FROM ingest.outbox WHERE id > ?")) {
                    s.setLong(1, published.getAsLong());
                    try (ResultSet r = s.executeQuery()) {
                        r.next();
                        rows = r.getLong(1);
                        oldestSeconds = Math.max(0, r.getDouble(2));
                    }
                }
            } else {
                rows = Double.NaN;
                oldestSeconds = Double.NaN;
            }
            try (PreparedStatement s = c.prepareStatement("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)"
                    + " FROM pg_replication_slots WHERE slot_name = ?")) {
                s.setString(1, relay.slotName());
                try (ResultSet r = s.executeQuery()) {
                    slotBytes = r.next() ? Math.max(0, r.getDouble(1)) : Double.NaN;
                }
            }
            failing = false;
        } catch (Exception e) {
            // The last figures stay; said once, not every few seconds.
            if (!failing) {
                log.warn("outbox lag not measured, trying again error={}", e.toString());
                failing = true;
            }
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
