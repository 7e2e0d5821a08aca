package io.cumulus.ingest.reads;

import io.cumulus.ingest.auth.DeviceSession;

/**
 * Changes the server submits for a device (a restore, an undelete, a conflict resolution) count in
 * version vectors under an entry of their own, not under the device's: the device may hold an edit
 * of the same file that it has not sent yet, numbered with its own next counter, and the two must
 * compare as concurrent (so both are kept) rather than as equal (so one would pass for a duplicate).
 */
final class OnBehalf {

    /** The vector entry of changes the server makes on {@code device}'s behalf. */
    static String actor(DeviceSession device) {
        return "server:" + device.deviceId();
    }

    private OnBehalf() {
    }
}
