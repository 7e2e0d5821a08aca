package io.cumulus.notifier;

import java.util.Objects;
import java.util.Set;

/**
 * A device whose token was accepted at the handshake: its id, its account, and the namespaces the
 * account was a member of at that moment (the pushes it may receive).
 */
public record ConnectedDevice(String deviceId, String accountId, Set<String> namespaces) {

    public ConnectedDevice {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(accountId, "accountId");
        namespaces = Set.copyOf(namespaces);
    }
}
