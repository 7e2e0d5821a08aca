package io.cumulus.ingest.links;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.cumulus.ingest.web.InvalidRequestException;

/**
 * When a new link stops opening: {@code expiresIn} ({@code 45s}, {@code 30m}, {@code 12h}, {@code 7d})
 * from now, or {@code expiresAt} (an ISO-8601 instant), or never when neither is given. It must lie in
 * the future and at most {@link #MAX} ahead.
 */
final class LinkExpiry {
    static final Duration MAX = Duration.ofDays(3650);
    private static final Pattern RELATIVE = Pattern.compile("([1-9][0-9]{0,6})([smhd])");

    private LinkExpiry() {
    }

    static Optional<Instant> of(String expiresIn, String expiresAt, Instant now) {
        if (expiresIn != null && expiresAt != null) {
            throw invalid("give expiresIn or expiresAt, not both");
        }
        Instant at;
        if (expiresIn != null) {
            Matcher m = RELATIVE.matcher(expiresIn);
            if (!m.matches()) {
                throw invalid("expiresIn is a number and a unit: 45s, 30m, 12h or 7d");
            }
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            if (d.compareTo(MAX) > 0) {
                throw invalid("a link expires at most " + MAX.toDays() + " days ahead");
            }
            at = now.plus(d);
        } else if (expiresAt != null) {
            try {
                at = Instant.parse(expiresAt);
            } catch (DateTimeParseException e) {
                throw invalid("expiresAt is an ISO-8601 instant such as 2026-12-31T23:00:00Z");
            }
            if (!at.isAfter(now)) {
                throw invalid("expiresAt must be in the future");
            }
            if (at.isAfter(now.plus(MAX))) {
                throw invalid("a link expires at most " + MAX.toDays() + " days ahead");
            }
        } else {
            return Optional.empty();
        }
        return Optional.of(at);
    }

    private static InvalidRequestException invalid(String detail) {
        return new InvalidRequestException("invalid-link-expiry", "Invalid link expiry", detail);
    }
}
