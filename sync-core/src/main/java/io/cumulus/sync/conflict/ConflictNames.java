package io.cumulus.sync.conflict;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Names for kept conflicting versions: {@code name (Device's conflicted copy YYYY-MM-DD).ext},
 * in the same folder as the original. The date comes from the event (never a clock read), in UTC
 * so a replay names the copy the same way on any server.
 */
public final class ConflictNames {

    /**
     * The conflicted-copy path for {@code path}, made on {@code deviceName} at {@code eventTime}.
     * The extension is the part after the last dot of the last segment, unless that dot starts the
     * name ({@code .bashrc} has no extension).
     */
    public static String conflictedCopy(String path, String deviceName, Instant eventTime) {
        int slash = path.lastIndexOf('/');
        String folder = path.substring(0, slash + 1);
        String name = path.substring(slash + 1);
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        LocalDate date = LocalDate.ofInstant(eventTime, ZoneOffset.UTC);
        return folder + base + " (" + deviceName + "'s conflicted copy " + date + ")" + ext;
    }

    /**
     * The n-th alternative when the conflicted-copy name itself is taken (n ≥ 2):
     * {@code name (Device's conflicted copy YYYY-MM-DD 2).ext}.
     */
    public static String conflictedCopy(String path, String deviceName, Instant eventTime, int n) {
        String first = conflictedCopy(path, deviceName, eventTime);
        if (n < 2) {
            return first;
        }
        int close = first.lastIndexOf(')');
        return first.substring(0, close) + " " + n + first.substring(close);
    }

    private ConflictNames() {
    }
}
