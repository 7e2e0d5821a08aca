package io.cumulus.ingest.gateway;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.ingest.resilience.StoreUnavailableException;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@link RateLimits} whose buckets live in Redis, so that every instance of the API spends the same
 * tokens: Bucket4j's compare-and-swap proxy over one Lettuce connection. A bucket's key is
 * {@code <prefix><limit>:<burst>-<per>:<key>} (the rate is part of it, so instances given different
 * rates never misread each other's buckets), and it expires once it would be full again.
 *
 * <h2>When Redis cannot be reached</h2>
 * Calls go through the {@code redis} circuit breaker with a short timeout. A call that fails, or that
 * the open breaker refuses, is answered by this instance's {@link LocalRateLimits} instead: the limits
 * still hold per instance (so at most N times looser with N instances) rather than every request
 * failing with 503 or passing unchecked (docs/decisions/0027). The switch is logged once each way and
 * every such call is counted in {@code cumulus.limits.redis.fallbacks}. The connection is made on first
 * use and made again (through the breaker) after it was lost, so the API starts while Redis is down.
 */
public final class RedisRateLimits implements RateLimits, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisRateLimits.class);
    /** Kept a little past the time a bucket needs to fill up, so an idle bucket leaves Redis when it is full. */
    private static final Duration KEEP_AFTER_FULL = Duration.ofSeconds(5);
    /**
     * A first connection also starts Lettuce's event loops and says HELLO, which on a busy machine takes
     * seconds; a command may take only {@code timeout}.
     */
    private static final Duration MIN_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final RedisClient client;
    private final String keyPrefix;
    private final LimitSettings settings;
    private final CircuitBreaker breaker;
    private final RateLimits fallback;
    private final Counter fallbacks;
    private final Duration timeout;
    private final AtomicBoolean degraded = new AtomicBoolean();
    private volatile StatefulRedisConnection<String, byte[]> connection;
    private volatile ProxyManager<String> buckets;

    public RedisRateLimits(String url, String keyPrefix, LimitSettings settings, Duration timeout, CircuitBreaker breaker,
                           RateLimits fallback, MeterRegistry meters) {
        Duration connectTimeout = timeout.compareTo(MIN_CONNECT_TIMEOUT) > 0 ? timeout : MIN_CONNECT_TIMEOUT;
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(connectTimeout);
        this.client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                // While the connection is down, fail at once (and fall back) rather than queue until it is back.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build());
        this.keyPrefix = keyPrefix;
        this.settings = settings;
        this.timeout = timeout;
        this.breaker = breaker;
        this.fallback = fallback;
        this.fallbacks = Counter.builder("cumulus.limits.redis.fallbacks")
                .description("rate-limit calls answered by this instance's memory because Redis could not be reached")
                .register(meters);
        connectNow();
    }

    /**
     * Connects while the context starts, so the first requests do not wait for it. A Redis that is down
     * now does not stop the API from starting: the limits are this instance's until it answers.
     */
    private void connectNow() {
        if (remote(() -> proxies().getProxyConfiguration(keyPrefix + "warm-up")).isPresent()) {
            log.info("rate limits shared store=redis keyPrefix={}", keyPrefix);
        }
    }

    @Override
    public void take(Limit limit, String key) {
        Optional<ConsumptionProbe> probe = remote(() -> bucket(limit, key).tryConsumeAndReturnRemaining(1));
        if (probe.isEmpty()) {
            fallback.take(limit, key);
            return;
        }
        if (!probe.get().isConsumed()) {
            throw new TooManyRequestsException(limit, LocalRateLimits.retryAfterSeconds(probe.get().getNanosToWaitForRefill()));
        }
    }

    @Override
    public void giveBack(Limit limit, String key) {
        if (remote(() -> {
            bucket(limit, key).addTokens(1);
            return Boolean.TRUE;
        }).isEmpty()) {
            fallback.giveBack(limit, key);
        }
    }

    /** The Redis key of a bucket. */
    String redisKey(Limit limit, String key) {
        return keyPrefix + limit.settingName() + ':' + settings.rate(limit).keyPart() + ':' + key;
    }

    private BucketProxy bucket(Limit limit, String key) {
        LimitSettings.Rate rate = settings.rate(limit);
        return proxies().getProxy(redisKey(limit, key), () -> BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(rate.burst()).refillGreedy(rate.burst(), rate.per()).build())
                .build());
    }

    private ProxyManager<String> proxies() {
        ProxyManager<String> current = buckets;
        if (current != null && connection != null && connection.isOpen()) {
            return current;
        }
        synchronized (this) {
            if (buckets == null || connection == null || !connection.isOpen()) {
                if (connection != null) {
                    connection.closeAsync();
                }
                connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
                buckets = Bucket4jLettuce.casBasedBuilder(connection)
                        .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_AFTER_FULL))
                        .requestTimeout(timeout)
                        .build();
            }
            return buckets;
        }
    }

    /** The call's answer from Redis through the breaker; empty when Redis could not give one. */
    private <T> Optional<T> remote(Supplier<T> call) {
        try {
            T answer = breaker.executeSupplier(() -> {
                try {
                    return call.get();
                } catch (TooManyRequestsException e) {
                    throw e;
                } catch (RuntimeException e) {
                    throw new StoreUnavailableException("redis", "Redis did not answer: " + e, e);
                }
            });
            if (degraded.compareAndSet(true, false)) {
                log.info("rate limits shared again store=redis");
            }
            return Optional.of(answer);
        } catch (StoreUnavailableException | CallNotPermittedException e) {
            fallbacks.increment();
            if (degraded.compareAndSet(false, true)) {
                log.warn("rate limits per instance until Redis answers store=redis error={}", e.toString());
            }
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        StatefulRedisConnection<String, byte[]> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
