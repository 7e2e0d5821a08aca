package io.cumulus.ingest.auth;

import java.util.UUID;

/**
 * Who is calling: the device whose bearer token authenticated this request, and its account.
 * A handler asks for one by declaring a parameter of this type.
 */
public record DeviceSession(UUID deviceId, UUID accountId, String deviceName) {
}
