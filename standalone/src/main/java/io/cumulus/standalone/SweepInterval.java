package io.cumulus.standalone;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the pause between two sweeps of the chunk collector that an operator configures, written
 * like the grace period ({@code 1m}, {@code 30s}, {@code PT1M}) and also in milliseconds
 * ({@code 200ms}), since tests sweep several times a second. Never below 100 milliseconds: a
 * shorter pause would keep the database busy with sweeps that find nothing new.
 */
final class SweepInterval {
    static final Duration DEFAULT = Duration.ofMinutes(1);
    static final Duration MINIMUM = Duration.ofMillis(100);

    private static final Pattern NUMBER_AND_UNIT = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h|d)");
    private static final String FORMS = "write a whole number followed by ms, s, m, h or d (e.g. 1m, 200ms),"
            + " or an ISO-8601 duration (e.g. PT1M)";

    /** @throws IllegalArgumentException naming the value and the accepted forms */
    static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the sweep interval is empty: " + FORMS);
        }
        String value = text.strip().toLowerCase(Locale.ROOT);
        Duration duration;
        Matcher m = NUMBER_AND_UNIT.matcher(value);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            duration = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
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
                throw new IllegalArgumentException("the sweep interval '" + describe(text) + "' is not a duration: "
                        + FORMS, e);
            }
        } else {
            throw new IllegalArgumentException("the sweep interval '" + describe(text) + "' is not a duration: " + FORMS);
        }
        if (duration.compareTo(MINIMUM) < 0) {
            throw new IllegalArgumentException("the sweep interval must be at least " + MINIMUM.toMillis()
                    + "ms, was '" + describe(text) + "'");
        }
        return duration;
    }

    private static String describe(String text) {
        // Settings can come from the environment: never echo an unbounded value into a message.
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }

    private SweepInterval() {
    }
}
