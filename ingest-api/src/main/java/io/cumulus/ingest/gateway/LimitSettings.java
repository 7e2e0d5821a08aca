package io.cumulus.ingest.gateway;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;

import org.springframework.boot.convert.DurationStyle;

/**
 * How many requests each {@link Limit} lets through: {@code burst} at once, refilled over {@code per}.
 * The {@linkplain #defaults() defaults} are sized so that a syncing client never meets the request
 * limits and a person who mistypes a password a few times never meets the login ones
 * (docs/limits.md says why each is what it is).
 */
public final class LimitSettings {

    /** {@code burst} tokens, all refilled within {@code per} (greedily: a token every {@code per / burst}). */
    public record Rate(long burst, Duration per) {
        public Rate {
            if (burst < 1) {
                throw new IllegalArgumentException("a burst must be at least 1, was " + burst);
            }
            if (per == null || per.compareTo(Duration.ofMillis(1)) < 0) {
                throw new IllegalArgumentException("a refill period must be at least 1ms, was " + per);
            }
        }

        /** The rate as it reads in a Redis key, so that buckets of different rates never share a key: {@code 600-PT10S}. */
        String keyPart() {
            return burst + "-" + per;
        }
    }

    private static final Map<Limit, Rate> DEFAULTS = Map.of(
            Limit.DEVICE_REQUESTS, new Rate(3_000, Duration.ofSeconds(10)),
            Limit.ACCOUNT_REQUESTS, new Rate(6_000, Duration.ofSeconds(10)),
            Limit.LOGIN_ACCOUNT, new Rate(10, Duration.ofMinutes(5)),
            Limit.LOGIN_ADDRESS, new Rate(30, Duration.ofMinutes(5)),
            Limit.LINK_REQUESTS, new Rate(120, Duration.ofMinutes(1)),
            Limit.LINK_PASSWORD, new Rate(10, Duration.ofMinutes(5)));

    private final Map<Limit, Rate> rates = new EnumMap<>(Limit.class);

    public LimitSettings(Map<Limit, Rate> rates) {
        for (Limit limit : Limit.values()) {
            if (!rates.containsKey(limit)) {
                throw new IllegalArgumentException("no rate for " + limit);
            }
        }
        this.rates.putAll(rates);
    }

    /**
     * The rates {@code property} gives as {@code cumulus.limits.<limit>.burst} (a whole number) and
     * {@code .per} (a duration: {@code 10s}, {@code 5m}, {@code PT10S}), each falling back to its default.
     */
    public static LimitSettings read(Function<String, String> property) {
        Map<Limit, Rate> rates = new EnumMap<>(Limit.class);
        for (Limit limit : Limit.values()) {
            String prefix = "cumulus.limits." + limit.settingName();
            Rate fallback = DEFAULTS.get(limit);
            String burst = property.apply(prefix + ".burst");
            String per = property.apply(prefix + ".per");
            try {
                rates.put(limit, new Rate(
                        burst == null || burst.isBlank() ? fallback.burst() : Long.parseLong(burst.trim()),
                        per == null || per.isBlank() ? fallback.per() : DurationStyle.detectAndParse(per.trim())));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(prefix + ".burst/.per: " + e.getMessage(), e);
            }
        }
        return new LimitSettings(rates);
    }

    /** The default rate of every limit. */
    public static LimitSettings defaults() {
        return new LimitSettings(DEFAULTS);
    }

    public static Rate defaultRate(Limit limit) {
        return DEFAULTS.get(limit);
    }

    public Rate rate(Limit limit) {
        return rates.get(limit);
    }

    /** The longest refill period of any limit: a bucket idle for longer is full, as a new one would be. */
    Duration longestPeriod() {
        return rates.values().stream().map(Rate::per).max(Duration::compareTo).orElseThrow();
    }
}
