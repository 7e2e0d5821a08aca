package io.cumulus.ingest.gateway;

import java.time.Duration;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The gateway's beans. Properties: {@code cumulus.limits.<limit>.burst} and {@code .per} for each
 * {@link Limit} ({@code device-requests}, {@code account-requests}, {@code login-account},
 * {@code login-address}, {@code link-requests}, {@code link-password}; defaults in {@link LimitSettings});
 * {@code cumulus.redis.url} (unset: limits in this process's memory), {@code cumulus.redis.key-prefix}
 * ({@code cumulus:limits:}) and {@code cumulus.redis.timeout} (1s: a call to Redis that takes longer falls back).
 */
@Configuration(proxyBeanMethods = false)
public class GatewayConfiguration {

    @Bean
    LimitSettings ingestLimitSettings(Environment environment) {
        return LimitSettings.read(environment::getProperty);
    }

    /** In Redis when {@code cumulus.redis.url} is set, shared by every instance; in this process otherwise. */
    @Bean
    RateLimits ingestRateLimits(LimitSettings settings, CircuitBreakerRegistry ingestBreakers,
                                ObjectProvider<MeterRegistry> meters,
                                @Value("${cumulus.redis.url:}") String redisUrl,
                                @Value("${cumulus.redis.key-prefix:cumulus:limits:}") String keyPrefix,
                                @Value("${cumulus.redis.timeout:1s}") Duration timeout) {
        LocalRateLimits local = new LocalRateLimits(settings);
        if (redisUrl.isBlank()) {
            return local;
        }
        return new RedisRateLimits(redisUrl.trim(), keyPrefix, settings, timeout, ingestBreakers.circuitBreaker("redis"),
                local, meters.getIfAvailable(SimpleMeterRegistry::new));
    }

    @Bean
    LoginThrottle ingestLoginThrottle(RateLimits limits) {
        return new LoginThrottle(limits);
    }

    @Bean
    RequestLimits ingestRequestLimits(RateLimits limits) {
        return new RequestLimits(limits);
    }
}
