package io.cumulus.ingest.quota;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A byte count as people write it: {@code 5GiB}, {@code 500MiB}, {@code 1.5G}, {@code 800MB},
 * {@code 1048576}. K, M, G, T with or without {@code iB} count in 1024s; KB, MB, GB, TB in 1000s
 * (as the client's {@code --optimize-storage} reads them).
 */
public final class StorageSize {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(?:([kmgt])(ib|i|b)?|(b))?");

    private StorageSize() {
    }

    /**
     * The number of bytes {@code text} says.
     *
     * @throws IllegalArgumentException with a message that says how to write it, when it is not a size
     */
    public static long parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        Matcher m = SIZE.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size: write it as 5GiB, 500MiB, 800MB or a number of bytes");
        }
        int power = m.group(2) == null ? 0 : switch (m.group(2)) {
            case "k" -> 1;
            case "m" -> 2;
            case "g" -> 3;
            default -> 4;
        };
        long base = "b".equals(m.group(3)) ? 1000 : 1024;
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(base).pow(power));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("'" + text + "' is more bytes than a disk holds");
        }
        if (bytes.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number of bytes");
        }
        return bytes.longValueExact();
    }

    /** A byte count in the largest binary unit that keeps it at least 1: {@code 512 KiB}, {@code 4.9 GiB}. */
    public static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = bytes;
        int u = 0;
        while (Math.abs(v) >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        if (u == 0) {
            return bytes + " B";
        }
        return (v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v)) + " " + units[u];
    }
}
