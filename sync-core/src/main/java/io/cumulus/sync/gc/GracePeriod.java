package io.cumulus.sync.gc;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the grace period an operator configures: how long a chunk nothing references must also have
 * gone unreferenced and un-uploaded before it may be deleted. It covers the time between a device
 * uploading chunks and committing the batch that uses them, and any delta still on its way, so it is
 * a day by default; tests shorten it to seconds. Written as a number and a unit ({@code 24h},
 * {@code 90m}, {@code 30s}, {@code 7d}) or in ISO-8601 ({@code PT24H}); never below one second.
 */
public final class GracePeriod {
    public static final Duration DEFAULT = Duration.ofHours(24);
    public static final Duration MINIMUM = Duration.ofSeconds(1);

    private static final Pattern NUMBER_AND_UNIT = Pattern.compile("(\\d{1,9})\\s*(s|m|h|d)");

    /** @throws IllegalArgumentException naming the value and the accepted forms */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the grace period is empty: " + FORMS);
        }
        String value = text.strip().toLowerCase(Locale.ROOT);
        Duration duration;
        Matcher m = NUMBER_AND_UNIT.matcher(value);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            duration = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> throw new IllegalStateException("unit " + m.group(2));
            };
        } else if (value.startsWith("p")) {
            try {
                duration = Duration.parse(value.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("the grace period '" + describe(text) + "' is not a duration: "
                        + FORMS, e);
            }
        } else {
            throw new IllegalArgumentException("the grace period '" + describe(text) + "' is not a duration: " + FORMS);
        }
        return require(duration);
    }

    /** @throws IllegalArgumentException when the period is shorter than {@link #MINIMUM} */
    public static Duration require(Duration duration) {
        if (duration.compareTo(MINIMUM) < 0) {
            throw new IllegalArgumentException("the grace period must be at least " + MINIMUM.toSeconds()
                    + " second, was " + duration);
        }
        return duration;
    }

    private static final String FORMS = "write a whole number followed by s, m, h or d (e.g. 24h, 30s),"
            + " or an ISO-8601 duration (e.g. PT24H)";

    private static String describe(String text) {
        // Configuration can come from the environment: never echo an unbounded value into a message.
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }

    private GracePeriod() {
    }
}
