package io.cumulus.ingest.links;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.cumulus.ingest.gateway.Limit;
import io.cumulus.ingest.gateway.LimitSettings;
import io.cumulus.ingest.gateway.LocalRateLimits;
import io.cumulus.ingest.gateway.RateLimits;

/**
 * The API's rate limits with {@link Limit#LINK_REQUESTS} at {@value #LINK_REQUESTS} per hour, for an
 * instance started with {@link #PROPERTIES}: it replaces the {@code ingestRateLimits} bean, so the test
 * needs no configuration the gateway may name differently.
 */
@Configuration(proxyBeanMethods = false)
public class SmallLinkLimits {
    static final int LINK_REQUESTS = 3;
    static final Map<String, Object> PROPERTIES = Map.of(
            "spring.main.sources", SmallLinkLimits.class.getName(),
            "spring.main.allow-bean-definition-overriding", true);

    @Bean
    RateLimits ingestRateLimits() {
        Map<Limit, LimitSettings.Rate> rates = new EnumMap<>(Limit.class);
        for (Limit limit : Limit.values()) {
            rates.put(limit, new LimitSettings.Rate(1000, Duration.ofSeconds(1)));
        }
        rates.put(Limit.LINK_REQUESTS, new LimitSettings.Rate(LINK_REQUESTS, Duration.ofHours(1)));
        return new LocalRateLimits(new LimitSettings(rates));
    }
}
