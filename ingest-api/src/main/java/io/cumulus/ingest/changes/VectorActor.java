package io.cumulus.ingest.changes;

import java.util.Optional;
import java.util.UUID;

/**
 * Whose edits a version-vector entry counts: a device, under its id, or the server acting on a
 * device's behalf (a restore, an undelete, a conflict resolution), under {@code server:<deviceId>}.
 * The second is an entry of its own so that an edit the device has not sent yet stays concurrent with
 * what the server did for it. No other key is a vector entry: the ids are the server's, lowercase.
 */
public record VectorActor(UUID deviceId, boolean onBehalf) {
    static final String ON_BEHALF_PREFIX = "server:";

    /** The syntax, for error messages. */
    static final String SYNTAX = "a device id (a lowercase UUID) or server:<device id>";

    public static VectorActor device(UUID deviceId) {
        return new VectorActor(deviceId, false);
    }

    public static VectorActor onBehalfOf(UUID deviceId) {
        return new VectorActor(deviceId, true);
    }

    /** The actor a vector key names, when it is one of the two forms. */
    public static Optional<VectorActor> parse(String key) {
        boolean onBehalf = key.startsWith(ON_BEHALF_PREFIX);
        String id = onBehalf ? key.substring(ON_BEHALF_PREFIX.length()) : key;
        if (id.length() != 36) {
            return Optional.empty();
        }
        try {
            UUID uuid = UUID.fromString(id);
            // UUID.fromString also takes uppercase and unpadded forms; one device must have one key.
            return uuid.toString().equals(id) ? Optional.of(new VectorActor(uuid, onBehalf)) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The key of this actor's entry in a vector. */
    public String key() {
        return onBehalf ? ON_BEHALF_PREFIX + deviceId : deviceId.toString();
    }

    @Override
    public String toString() {
        return key();
    }
}
