package io.cumulus.sync.gc;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a duration as an operator writes one: a whole number and a unit ({@code 200ms}, {@code 30s},
 * {@code 90m}, {@code 24h}, {@code 7d}) or ISO-8601 ({@code PT24H}), with a minimum; errors name the
 * setting, the value (cut short: settings come from the environment too) and the accepted forms.
 */
final class DurationText {
    private static final Pattern NUMBER_AND_UNIT = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h|d)");

    /**
     * @param what the setting, in words ("the grace period")
     * @param example how one writes it, for the error message ("24h, 30s")
     * @param minimum the shortest accepted, and how to say it ("1 second")
     * @throws IllegalArgumentException naming the value and the accepted forms, or the minimum
     */
    static Duration parse(String text, String what, String example, Duration minimum, String minimumInWords) {
        String forms = "write a whole number followed by ms, s, m, h or d (e.g. " + example + "),"
                + " or an ISO-8601 duration (e.g. PT24H)";
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(what + " is empty: " + forms);
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
                throw new IllegalArgumentException(what + " '" + describe(text) + "' is not a duration: " + forms, e);
            }
        } else {
            throw new IllegalArgumentException(what + " '" + describe(text) + "' is not a duration: " + forms);
        }
        return atLeast(duration, text, what, minimum, minimumInWords);
    }

    static Duration atLeast(Duration duration, String what, Duration minimum, String minimumInWords) {
        return atLeast(duration, duration.toString(), what, minimum, minimumInWords);
    }

    private static Duration atLeast(Duration duration, String written, String what, Duration minimum,
                                    String minimumInWords) {
        if (duration.compareTo(minimum) < 0) {
            throw new IllegalArgumentException(what + " must be at least " + minimumInWords + ", was '"
                    + describe(written) + "'");
        }
        return duration;
    }

    private static String describe(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }

    private DurationText() {
    }
}
