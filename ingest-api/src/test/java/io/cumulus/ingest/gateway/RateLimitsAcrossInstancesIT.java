package io.cumulus.ingest.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Device;
import io.cumulus.ingest.ApiClient.Response;
import io.cumulus.ingest.RunningIngestApi;

/**
 * Two instances of the API over one database share their rate limits through Redis (the machine's,
 * at {@code CUMULUS_TEST_REDIS_URL} or 127.0.0.1:6379), with small limits and a key prefix of their own:
 * a device's requests, an account's requests, and password attempts per account and per client
 * address are counted once whichever instance takes them. Client addresses other than 127.0.0.1 are
 * other loopback addresses the test's HTTP clients bind to.
 */
class RateLimitsAcrossInstancesIT {
    private static final String REDIS = System.getenv().getOrDefault("CUMULUS_TEST_REDIS_URL", "redis://127.0.0.1:6379");
    private static final int DEVICE_BURST = 6;
    private static final int ACCOUNT_BURST = 10;
    private static final int LOGIN_ACCOUNT_BURST = 3;
    private static final int LOGIN_ADDRESS_BURST = 6;

    private static RunningIngestApi first;
    private static RunningIngestApi second;

    @BeforeAll
    static void start() {
        URI redis = URI.create(REDIS);
        if (!reachable(redis.getHost(), redis.getPort() < 0 ? 6379 : redis.getPort())) {
            String reason = "no Redis at " + REDIS;
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(reason);
            }
            Assumptions.abort(reason);
        }
        Map<String, Object> properties = new HashMap<>();
        properties.put("cumulus.redis.url", REDIS);
        properties.put("cumulus.redis.key-prefix", "cumulus:test:" + UUID.randomUUID() + ":");
        // generous on a busy test machine: a call that timed out would be counted by the instance alone
        properties.put("cumulus.redis.timeout", "5s");
        properties.put("cumulus.limits.device-requests.burst", DEVICE_BURST);
        properties.put("cumulus.limits.device-requests.per", "1h");
        properties.put("cumulus.limits.account-requests.burst", ACCOUNT_BURST);
        properties.put("cumulus.limits.account-requests.per", "1h");
        properties.put("cumulus.limits.login-account.burst", LOGIN_ACCOUNT_BURST);
        properties.put("cumulus.limits.login-account.per", "1h");
        properties.put("cumulus.limits.login-address.burst", LOGIN_ADDRESS_BURST);
        properties.put("cumulus.limits.login-address.per", "1h");
        properties.put("cumulus.passwords.argon2.memory-kib", 256);
        properties.put("cumulus.passwords.argon2.iterations", 1);
        first = RunningIngestApi.start(properties);
        second = first.alongside(properties);
    }

    @AfterAll
    static void stop() {
        if (second != null) {
            second.close();
        }
        if (first != null) {
            first.close();
        }
    }

    @Test
    void aDevicesRequestsSplitAcrossBothInstancesAreLimitedAsOneBucket() {
        // given a device of a new account, and a device of another account
        Device laptop = first.client().newAccountWithDevice("dora", "Laptop");
        Device other = second.client().newAccountWithDevice("otto", "Laptop");

        // when the device sends its burst, alternating between the instances
        for (int i = 0; i < DEVICE_BURST; i++) {
            ApiClient api = (i % 2 == 0 ? first : second).client();
            assertThat(api.get(laptop, "/v1/devices").status()).as("request %d", i + 1).isEqualTo(200);
        }

        // then its next request is refused on either instance, as a problem with Retry-After
        for (RunningIngestApi api : List.of(first, second)) {
            Response refused = api.client().get(laptop, "/v1/devices");
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.problem()).isEqualTo("rate-limited");
            long retryAfter = Long.parseLong(refused.header("Retry-After").orElseThrow());
            assertThat(retryAfter).isBetween(1L, Duration.ofHours(1).toSeconds());
            assertThat(refused.json().get("retryAfterSeconds").asLong()).isEqualTo(retryAfter);
        }

        // and the other account's device is not affected
        assertThat(first.client().get(other, "/v1/devices").status()).isEqualTo(200);
        assertThat(second.client().get(other, "/v1/devices").status()).isEqualTo(200);
    }

    @Test
    void theDevicesOfOneAccountShareTheAccountsBucketAcrossInstances() {
        // given two devices of one account; the first spends its whole device burst, split over the instances
        Device laptop = first.client().newAccountWithDevice("ada", "Laptop");
        Device phone = second.client().registerDevice(laptop.username(), "Phone");
        for (int i = 0; i < DEVICE_BURST; i++) {
            assertThat((i % 2 == 0 ? first : second).client().get(laptop, "/v1/devices").status()).isEqualTo(200);
        }

        // when the second device sends what is left of the account's burst
        for (int i = 0; i < ACCOUNT_BURST - DEVICE_BURST; i++) {
            assertThat((i % 2 == 0 ? second : first).client().get(phone, "/v1/devices").status()).isEqualTo(200);
        }

        // then its next request is refused although its own device bucket is not empty
        Response refused = first.client().get(phone, "/v1/devices");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.json().get("detail").asString()).contains("account requests");
        assertThat(refused.header("Retry-After")).isPresent();
    }

    @Test
    void wrongPasswordsForOneAccountAreCountedAcrossInstancesAndThenEvenTheRightOneIsRefused() {
        // given an account, and its wrong password tried until its burst is spent, on both instances
        String username = ApiClient.uniqueName("carl");
        assertThat(first.client().createAccount(username).status()).isEqualTo(201);
        Addressed client = new Addressed("127.0.0.2");
        for (int i = 0; i < LOGIN_ACCOUNT_BURST; i++) {
            Response wrong = client.login(i % 2 == 0 ? first : second, username, "wrong password " + i);
            assertThat(wrong.status()).as("attempt %d", i + 1).isEqualTo(401);
        }

        // when the right password is given, to either instance, by login or by registering a device,
        // and even in other letter case or from another address
        List<Response> attempts = List.of(
                client.login(first, username, ApiClient.passwordOf(username)),
                client.login(second, username.toUpperCase(java.util.Locale.ROOT), ApiClient.passwordOf(username)),
                new Addressed("127.0.0.6").register(second, username, ApiClient.passwordOf(username)));

        // then each is refused with 429 and Retry-After, without a device being registered
        for (Response r : attempts) {
            assertThat(r.status()).isEqualTo(429);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.problem()).isEqualTo("rate-limited");
            assertThat(r.json().get("detail").asString()).contains("login account");
            assertThat(r.header("Retry-After")).isPresent();
        }
        assertThat(first.count("select count(*) from ingest.devices d join ingest.accounts a on a.id = d.account_id"
                + " where a.username = ?", username)).isZero();
    }

    @Test
    void attemptsFromOneAddressAreCountedAcrossInstancesWhateverTheAccount() {
        // given an account, and wrong passwords for other usernames sent from one address to both instances
        String username = ApiClient.uniqueName("erin");
        assertThat(first.client().createAccount(username).status()).isEqualTo(201);
        Addressed guesser = new Addressed("127.0.0.3");
        for (int i = 0; i < LOGIN_ADDRESS_BURST; i++) {
            Response wrong = guesser.login(i % 2 == 0 ? first : second, ApiClient.uniqueName("nobody"), "guess " + i);
            assertThat(wrong.status()).as("attempt %d", i + 1).isEqualTo(401);
        }

        // when the account's right password comes from that address, and from another one
        Response fromGuesser = guesser.login(second, username, ApiClient.passwordOf(username));
        Response fromElsewhere = new Addressed("127.0.0.4").login(first, username, ApiClient.passwordOf(username));

        // then the address is refused, and the account is not locked for everyone else
        assertThat(fromGuesser.status()).isEqualTo(429);
        assertThat(fromGuesser.json().get("detail").asString()).contains("login address");
        assertThat(fromGuesser.header("Retry-After")).isPresent();
        assertThat(fromElsewhere.status()).isEqualTo(200);
    }

    @Test
    void rightPasswordsGiveTheirTokensBackSoOnlyFailuresCount() {
        // given an account
        String username = ApiClient.uniqueName("fay");
        assertThat(first.client().createAccount(username).status()).isEqualTo(201);
        Addressed client = new Addressed("127.0.0.5");

        // when it signs in far more often than either login burst, from one address, on both instances
        for (int i = 0; i < 2 * LOGIN_ADDRESS_BURST; i++) {
            Response ok = client.login(i % 2 == 0 ? first : second, username, ApiClient.passwordOf(username));

            // then every sign-in succeeds
            assertThat(ok.status()).as("sign-in %d", i + 1).isEqualTo(200);
        }
    }

    /** A client whose connections come from {@code address}, a loopback address other than 127.0.0.1. */
    private static final class Addressed {
        private final HttpClient http;

        Addressed(String address) {
            try {
                this.http = HttpClient.newBuilder().localAddress(InetAddress.getByName(address))
                        .connectTimeout(Duration.ofSeconds(5)).build();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Response login(RunningIngestApi api, String username, String password) {
            return post(api, "/v1/login", Map.of("username", username, "password", password));
        }

        Response register(RunningIngestApi api, String username, String password) {
            return post(api, "/v1/devices", Map.of("username", username, "password", password, "deviceName", "Stolen"));
        }

        private Response post(RunningIngestApi api, String path, Map<String, String> body) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(ApiClient.JSON.writeValueAsBytes(body))).build();
            try {
                HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                return new Response(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""),
                        r.headers().map());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static boolean reachable(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new java.net.InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
