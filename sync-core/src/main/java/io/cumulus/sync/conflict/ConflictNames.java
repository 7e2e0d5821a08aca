package io.cumulus.sync.conflict;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

import io.cumulus.sync.path.SyncPath;

/**
 * Names for kept conflicting versions: {@code name (Device's conflicted copy YYYY-MM-DD).ext},
 * in the same folder as the original. The date comes from the event (never a clock read), in UTC
 * so a replay names the copy the same way on any server.
 *
 * <h2>Length</h2>
 * Every name made here is a valid {@link SyncPath} segment of at most
 * {@link SyncPath#MAX_SEGMENT_BYTES} UTF-8 bytes, and the whole path stays within
 * {@link SyncPath#MAX_PATH_BYTES}: a name that does not fit would be refused by every file system
 * the copy is synced to, and by the next batch that names it. When it does not fit, the original's
 * stem is shortened (between characters, see {@link Utf8Prefix}); the extension and the device's
 * name are kept, the latter up to {@link #MAX_DEVICE_NAME_BYTES}. An extension longer than
 * {@link #MAX_EXTENSION_BYTES} is not one: the whole name is then the stem.
 *
 * <h2>Uniqueness</h2>
 * For one path, device and date, every {@code n} gives a different name: the form (which parts are
 * kept) is chosen for the widest {@code n}, so it is the same for all of them, and the text between
 * the last space and the closing parenthesis is the date for {@code n = 1} and {@code n} otherwise.
 * Only when a folder path leaves less room than the shortest such form (a folder path of about 4 KB)
 * is the name the shortened stem followed by {@code ~n}.
 */
public final class ConflictNames {
    /** An "extension" longer than this is part of the name (a sentence after a dot, not a file type). */
    public static final int MAX_EXTENSION_BYTES = 50;
    /** Device names take at most this much of a copy's name (they may be 100 characters of 3 bytes each). */
    public static final int MAX_DEVICE_NAME_BYTES = 64;

    /** The room the number of the n-th alternative can take: a space and the ten digits of an int. */
    private static final int WIDEST_NUMBER_BYTES = 1 + String.valueOf(Integer.MAX_VALUE).length();

    /**
     * The conflicted-copy path for {@code path}, made on {@code deviceName} at {@code eventTime}.
     * The extension is the part after the last dot of the last segment, unless that dot starts the
     * name ({@code .bashrc} has no extension).
     */
    public static String conflictedCopy(String path, String deviceName, Instant eventTime) {
        return conflictedCopy(path, deviceName, eventTime, 1);
    }

    /**
     * The n-th alternative when the conflicted-copy name itself is taken (n ≥ 2):
     * {@code name (Device's conflicted copy YYYY-MM-DD 2).ext}; n below 2 gives the plain one.
     */
    public static String conflictedCopy(String path, String deviceName, Instant eventTime, int n) {
        int slash = path.lastIndexOf('/');
        String folder = path.substring(0, slash + 1);
        String name = path.substring(slash + 1);
        int dot = name.lastIndexOf('.');
        boolean hasExtension = dot > 0 && Utf8Prefix.utf8Length(name.substring(dot)) <= MAX_EXTENSION_BYTES;
        String stem = hasExtension ? name.substring(0, dot) : name;
        String ext = hasExtension ? name.substring(dot) : "";
        String date = LocalDate.ofInstant(eventTime, ZoneOffset.UTC).toString();
        String number = n < 2 ? "" : " " + n;
        int room = Math.min(SyncPath.MAX_SEGMENT_BYTES, SyncPath.MAX_PATH_BYTES - Utf8Prefix.utf8Length(folder));

        String device = Utf8Prefix.of(displayable(deviceName), MAX_DEVICE_NAME_BYTES);
        String withDevice = " (" + device + "'s conflicted copy " + date;
        if (fits(room, withDevice, ext)) {
            return folder + shortened(stem, room, withDevice + number + ")" + ext);
        }
        String withoutDevice = " (conflicted copy " + date;
        if (fits(room, withoutDevice, "")) {
            return folder + shortened(name, room, withoutDevice + number + ")");
        }
        String tail = "~" + Math.max(n, 1);
        if (Utf8Prefix.utf8Length(tail) > room) {
            throw new IllegalArgumentException("no conflicted-copy name fits in the folder of " + path);
        }
        return folder + shortened(name, room, tail);
    }

    /** Whether a form fits the room with any n and an empty stem. */
    private static boolean fits(int room, String suffixWithoutNumber, String ext) {
        return Utf8Prefix.utf8Length(suffixWithoutNumber) + WIDEST_NUMBER_BYTES + 1 + Utf8Prefix.utf8Length(ext) <= room;
    }

    private static String shortened(String stem, int room, String suffix) {
        return Utf8Prefix.of(stem, room - Utf8Prefix.utf8Length(suffix)) + suffix;
    }

    /**
     * The device's name as it may appear inside a file name: a '/' would start a folder, and a
     * control character or an unpaired surrogate would make the path invalid.
     */
    private static String displayable(String deviceName) {
        StringBuilder out = new StringBuilder(deviceName.length());
        for (int i = 0; i < deviceName.length(); i++) {
            char c = deviceName.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < deviceName.length() && Character.isLowSurrogate(deviceName.charAt(i + 1))) {
                out.append(c).append(deviceName.charAt(++i));
            } else if (c == '/' || Character.isISOControl(c) || Character.isSurrogate(c)) {
                out.append(c == '/' ? '-' : '\uFFFD');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private ConflictNames() {
    }
}
