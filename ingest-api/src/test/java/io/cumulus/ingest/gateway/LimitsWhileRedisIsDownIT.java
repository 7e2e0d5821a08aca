package io.cumulus.ingest.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Device;
import io.cumulus.ingest.ApiClient.Response;
import io.cumulus.ingest.RunningIngestApi;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * An API whose configured Redis cannot be reached (nothing listens at its address) starts, serves
 * requests, and still holds its limits, per instance, counting every call that fell back.
 */
class LimitsWhileRedisIsDownIT {
    private static final int DEVICE_BURST = 4;
    private static RunningIngestApi api;

    @BeforeAll
    static void start() {
        api = RunningIngestApi.start(Map.of(
                "cumulus.redis.url", "redis://127.0.0.1:1",
                "cumulus.limits.device-requests.burst", DEVICE_BURST,
                "cumulus.limits.device-requests.per", "1h",
                "cumulus.passwords.argon2.memory-kib", 256,
                "cumulus.passwords.argon2.iterations", 1));
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void requestsAreServedAndLimitedByThisInstanceWhileRedisIsUnreachable() {
        // given a device, registered while Redis is unreachable
        Device laptop = api.client().newAccountWithDevice("ida", "Laptop");

        // when it sends its burst and one more
        for (int i = 0; i < DEVICE_BURST; i++) {
            assertThat(api.client().get(laptop, "/v1/devices").status()).as("request %d", i + 1).isEqualTo(200);
        }
        Response refused = api.client().get(laptop, "/v1/devices");

        // then the burst was served, the next one refused as usual, and the fallbacks counted
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.problem()).isEqualTo("rate-limited");
        assertThat(refused.header("Retry-After")).isPresent();
        Counter fallbacks = api.context().getBean(MeterRegistry.class).find("cumulus.limits.redis.fallbacks").counter();
        assertThat(fallbacks).isNotNull();
        assertThat(fallbacks.count()).isGreaterThanOrEqualTo(2.0 * (DEVICE_BURST + 1));
    }
}
