package io.cumulus.standalone;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the circuit breakers' figures out of a {@code /actuator/prometheus} scrape. */
final class BreakerMetrics {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)} (\\S+)$", Pattern.MULTILINE);

    private final String scrape;

    BreakerMetrics(String scrape) {
        this.scrape = scrape;
    }

    /** The scrape of a running Cumulus, read with the admin token. */
    static BreakerMetrics of(CumulusClient client, String adminToken) {
        CumulusClient.Response r = client.send("GET", "/actuator/prometheus", adminToken, null, java.util.Map.of());
        if (r.status() != 200) {
            throw new IllegalStateException("the metrics endpoint answered " + r);
        }
        return new BreakerMetrics(r.body());
    }

    /** The breaker's state ({@code closed}, {@code open}, {@code half_open}, …), if the breaker is exported. */
    Optional<String> state(String breaker) {
        Matcher m = SAMPLE.matcher(scrape);
        while (m.find()) {
            if (m.group(1).equals("resilience4j_circuitbreaker_state") && m.group(2).contains("name=\"" + breaker + "\"")
                    && Double.parseDouble(m.group(3)) == 1.0) {
                Matcher state = Pattern.compile("state=\"([a-z_]+)\"").matcher(m.group(2));
                return state.find() ? Optional.of(state.group(1)) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** How many of the breaker's calls ended with this outcome ({@code successful}, {@code failed}, {@code ignored}). */
    long calls(String breaker, String kind) {
        Matcher m = SAMPLE.matcher(scrape);
        while (m.find()) {
            if (m.group(1).equals("resilience4j_circuitbreaker_calls_seconds_count")
                    && m.group(2).contains("name=\"" + breaker + "\"") && m.group(2).contains("kind=\"" + kind + "\"")) {
                return (long) Double.parseDouble(m.group(3));
            }
        }
        throw new AssertionError("no " + kind + " calls of breaker " + breaker + " in the scrape:\n" + scrape);
    }

    /** How many calls the open breaker refused without calling the store. */
    long notPermitted(String breaker) {
        Matcher m = SAMPLE.matcher(scrape);
        while (m.find()) {
            if (m.group(1).equals("resilience4j_circuitbreaker_not_permitted_calls_total")
                    && m.group(2).contains("name=\"" + breaker + "\"")) {
                return (long) Double.parseDouble(m.group(3));
            }
        }
        return 0;
    }

    /** The value of a sample by its name and (when it has any) a fragment of its labels; 0 when absent. */
    double value(String name, String labelFragment) {
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "(\\{([^}]*)})? (\\S+)$", Pattern.MULTILINE).matcher(scrape);
        while (m.find()) {
            if (labelFragment.isEmpty() || (m.group(2) != null && m.group(2).contains(labelFragment))) {
                return Double.parseDouble(m.group(3));
            }
        }
        return 0;
    }

    @Override
    public String toString() {
        return scrape;
    }
}
