package io.cumulus.ingest.resilience;

import java.io.UncheckedIOException;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;

/**
 * The circuit breakers of the stores the API calls, in one registry whose every breaker (also
 * one added later, by any store's adapter) has its state and call outcomes exported as metrics.
 * A breaker opens when half of its last 10 calls (at least 5) found the store unavailable, stays
 * open for {@code openFor}, then lets 3 calls probe the store and closes when they succeed. Only
 * {@link StoreUnavailableException} (and a broken stream, {@link UncheckedIOException}) count as
 * failures: a request refused for its content says nothing about the store.
 */
public final class StoreBreakers {
    private static final Logger log = LoggerFactory.getLogger(StoreBreakers.class);

    public static CircuitBreakerRegistry registry(Duration openFor) {
        CircuitBreakerRegistry registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(10)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(50)
                .waitDurationInOpenState(openFor)
                .permittedNumberOfCallsInHalfOpenState(3)
                .recordExceptions(StoreUnavailableException.class, UncheckedIOException.class)
                .build());
        registry.getEventPublisher().onEntryAdded(added -> logTransitions(added.getAddedEntry()));
        return registry;
    }

    private static void logTransitions(CircuitBreaker breaker) {
        breaker.getEventPublisher().onStateTransition(e -> log.warn("circuit breaker transition breaker={} transition={}",
                e.getCircuitBreakerName(), e.getStateTransition()));
    }

    private StoreBreakers() {
    }
}
