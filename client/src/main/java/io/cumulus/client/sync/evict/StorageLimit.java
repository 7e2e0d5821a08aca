package io.cumulus.client.sync.evict;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.cumulus.client.state.LocalState;

/**
 * How many bytes of originals a folder keeps on disk ({@code sync --optimize-storage=SIZE}). A
 * size is a number, optionally with a fraction, and a unit: none or {@code B} for bytes;
 * {@code K}, {@code M}, {@code G}, {@code T} and their {@code KiB}... spellings for powers of
 * 1024 (as {@code du} and {@code ls -h} count); {@code KB}, {@code MB}, {@code GB}, {@code TB}
 * for powers of 1000. Units are case-insensitive. {@code off} means no limit.
 */
public record StorageLimit(long bytes) {
    /** Where a folder's setting is kept in its local state. */
    static final String META_KEY = "optimizeStorage";

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(i?b?)");

    public StorageLimit {
        if (bytes < 0) {
            throw new IllegalArgumentException("a storage limit cannot be negative: " + bytes);
        }
    }

    /** A size as the option takes it; empty for {@code off}. Anything else is refused with a message that says why. */
    public static Optional<StorageLimit> parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("off")) {
            return Optional.empty();
        }
        Matcher m = SIZE.matcher(t);
        if (!m.matches() || (m.group(2).isEmpty() && m.group(3).equals("i"))
                || (m.group(2).isEmpty() && m.group(3).equals("ib"))) {
            throw new IllegalArgumentException("'" + text + "' is not a size: write it as 500M, 2G, 1.5GiB, 800MB or off");
        }
        int power = switch (m.group(2)) {
            case "k" -> 1;
            case "m" -> 2;
            case "g" -> 3;
            case "t" -> 4;
            default -> 0;
        };
        long base = m.group(3).equals("b") && power > 0 ? 1000 : 1024;
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(base).pow(power));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("'" + text + "' is more bytes than a disk holds");
        }
        return Optional.of(new StorageLimit(bytes.longValue()));
    }

    /** A folder's setting, as its state remembers it; empty when it has none (off). */
    public static Optional<StorageLimit> of(LocalState state) {
        return state.meta(META_KEY).map(v -> new StorageLimit(Long.parseLong(v)));
    }

    /** Remembers a folder's setting (empty: off) for every later sync of it. */
    public static void remember(LocalState state, Optional<StorageLimit> limit) {
        limit.ifPresentOrElse(l -> state.meta(META_KEY, Long.toString(l.bytes())), () -> state.forgetMeta(META_KEY));
    }

    /** As a person reads it: {@code 1.5 GiB (1610612736 bytes)}. */
    @Override
    public String toString() {
        return human(bytes) + " (" + bytes + " bytes)";
    }

    /** A byte count in the largest binary unit that keeps it at least 1: {@code 512 KiB}, {@code 1.5 GiB}. */
    public static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : (v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v)) + " " + units[u];
    }
}
