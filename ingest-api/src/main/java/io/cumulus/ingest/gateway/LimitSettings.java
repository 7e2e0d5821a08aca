package io.cumulus.ingest.gateway;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * How many requests each {@link Limit} lets through: {@code burst} at once, refilled over {@code per}.
 */
public final class LimitSettings {

    /** {@code burst} tokens, all refilled within {@code per}. */
    public record Rate(long burst, Duration per) {
    }

    private final Map<Limit, Rate> rates = new EnumMap<>(Limit.class);

    public LimitSettings(Map<Limit, Rate> rates) {
        for (Limit limit : Limit.values()) {
            if (!rates.containsKey(limit)) {
                throw new IllegalArgumentException("no rate for " + limit);
            }
        }
        this.rates.putAll(rates);
    }

    public Rate rate(Limit limit) {
        return rates.get(limit);
    }
}
