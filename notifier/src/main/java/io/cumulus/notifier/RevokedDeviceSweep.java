package io.cumulus.notifier;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.web.socket.CloseStatus;

/**
 * Closes the open sessions of devices revoked since they connected. A device is revoked by whichever
 * API instance its owner reached, and its sessions may be open on any notifier instance: each
 * instance asks the database, every {@code interval}, which of its connected devices are revoked, so
 * revocation reaches every instance through the one store they all share, without a channel of its
 * own to lose messages or reconnect. One query per interval, whatever the number of sessions.
 */
final class RevokedDeviceSweep implements AutoCloseable {
    /** Close code 1008: the device's credentials no longer admit it; a reconnect is refused with 401. */
    static final CloseStatus REVOKED = CloseStatus.POLICY_VIOLATION.withReason("device revoked");
    private static final Logger log = LoggerFactory.getLogger(RevokedDeviceSweep.class);

    private final NotificationFanout fanout;
    private final DeviceDirectory devices;
    private final ScheduledExecutorService timer;

    RevokedDeviceSweep(NotificationFanout fanout, DeviceDirectory devices, Duration interval) {
        this.fanout = fanout;
        this.devices = devices;
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("notifier-revocations")
                .factory());
        timer.scheduleWithFixedDelay(this::sweep, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void sweep() {
        Set<String> connected = fanout.connectedDevices();
        if (connected.isEmpty()) {
            return;
        }
        Set<String> revoked;
        try {
            revoked = devices.revokedAmong(connected);
        } catch (DataAccessException e) {
            // A database that cannot answer says nothing about revocation: keep the sessions, ask again next time.
            log.warn("revocation check failed devices={} error={}", connected.size(), e.toString());
            return;
        } catch (RuntimeException e) {
            // The timer stops for good on an exception; one failed check must not end the checks.
            log.error("revocation check failed unexpectedly", e);
            return;
        }
        for (String device : revoked) {
            log.info("revoked device disconnected device={}", device);
            fanout.disconnect(device, REVOKED);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
