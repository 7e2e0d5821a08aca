package io.cumulus.notifier;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;

/**
 * Keeps each open session's namespaces equal to its account's memberships: an account that joins a
 * shared folder hears of its changes without reconnecting, and one that leaves or is removed stops
 * hearing of them within an {@code interval}, on every instance. Memberships change through whichever
 * API instance the owner reached; like {@link RevokedDeviceSweep}, each instance asks the one database
 * they share, one query per interval whatever the number of sessions.
 */
final class MembershipSweep implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MembershipSweep.class);

    private final NotificationFanout fanout;
    private final DeviceDirectory devices;
    private final ScheduledExecutorService timer;

    MembershipSweep(NotificationFanout fanout, DeviceDirectory devices, Duration interval) {
        this.fanout = fanout;
        this.devices = devices;
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("notifier-memberships")
                .factory());
        timer.scheduleWithFixedDelay(this::sweep, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void sweep() {
        Set<String> accounts = fanout.connectedAccounts();
        if (accounts.isEmpty()) {
            return;
        }
        try {
            Map<String, Set<String>> memberships = devices.namespacesOf(accounts);
            memberships.forEach(fanout::resubscribe);
        } catch (DataAccessException e) {
            // A database that cannot answer says nothing about memberships: keep the subscriptions, ask again next time.
            log.warn("membership check failed accounts={} error={}", accounts.size(), e.toString());
        } catch (RuntimeException e) {
            // The timer stops for good on an exception; one failed check must not end the checks.
            log.error("membership check failed unexpectedly", e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
