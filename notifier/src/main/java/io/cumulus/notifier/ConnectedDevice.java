package io.cumulus.notifier;

import java.util.Objects;
import java.util.Set;

/**
 * A device whose token was accepted at the handshake: its id, its account, and the namespaces the
 * account is a member of (the pushes it may receive; read at the handshake, then kept up to date by
 * {@link MembershipSweep}). {@code outcomes}: whether it
 * wants a frame per change of its batches (a device that polls its batches asks for none at the
 * handshake: a batch of 2,000 changes would be 2,000 frames it only reads as "something changed").
 */
public record ConnectedDevice(String deviceId, String accountId, Set<String> namespaces, boolean outcomes) {

    public ConnectedDevice {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(accountId, "accountId");
        namespaces = Set.copyOf(namespaces);
    }

    public ConnectedDevice(String deviceId, String accountId, Set<String> namespaces) {
        this(deviceId, accountId, namespaces, true);
    }

    /** The same device, sent no outcome frames. */
    public ConnectedDevice withoutOutcomes() {
        return new ConnectedDevice(deviceId, accountId, namespaces, false);
    }
}
