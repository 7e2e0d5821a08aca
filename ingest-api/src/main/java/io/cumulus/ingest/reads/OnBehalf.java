package io.cumulus.ingest.reads;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import io.cumulus.ingest.auth.DeviceSession;
import io.cumulus.ingest.changes.VectorActor;
import tools.jackson.databind.JsonNode;

/**
 * Changes the server submits for a device (a restore, an undelete, a conflict resolution) count in
 * version vectors under an entry of their own, not under the device's: the device may hold an edit
 * of the same file that it has not sent yet, numbered with its own next counter, and the two must
 * compare as concurrent (so both are kept) rather than as equal (so one would pass for a duplicate).
 */
final class OnBehalf {

    /** The vector entry of changes the server makes on {@code device}'s behalf. */
    static VectorActor actor(DeviceSession device) {
        return VectorActor.onBehalfOf(device.deviceId());
    }

    /**
     * The vectors merged, with the server's entry for {@code device} one above the highest of them:
     * the new version has seen each of them, so it dominates them all.
     */
    static SortedMap<String, Long> nextVector(DeviceSession device, JsonNode... vectors) {
        TreeMap<String, Long> merged = new TreeMap<>();
        for (JsonNode vector : vectors) {
            for (Map.Entry<String, JsonNode> e : vector.properties()) {
                merged.merge(e.getKey(), e.getValue().asLong(), Math::max);
            }
        }
        // Never wraps: a wrapped counter would make the new version look older than the one it replaces.
        merged.merge(actor(device).key(), 1L, Math::addExact);
        return merged;
    }

    private OnBehalf() {
    }
}
