package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.UncheckedIOException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.PostgresProvisioner;
import io.cumulus.embedded.ProvisionedPostgres;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.standalone.CumulusClient.Device;
import io.cumulus.standalone.CumulusClient.Response;
import tools.jackson.databind.JsonNode;

/**
 * PostgreSQL stops under a running Cumulus in the middle of a stream of submits: requests are
 * answered 503 with {@code Retry-After} (never left hanging), the {@code postgres} breaker opens,
 * and once the server is back the breaker closes by itself and every acknowledged batch is applied
 * exactly once. The database is a private embedded PostgreSQL, since the machine's is shared, and
 * Cumulus runs in a process of its own.
 */
class PostgresOutageIT {
    private static final int SUBMITS = 60;
    /** The client's own patience: an answer must come well before it, 503 or not. */
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(10);

    private static ProvisionedPostgres postgres;
    private static StandaloneProcess server;

    @BeforeAll
    static void start() {
        postgres = PostgresProvisioner.embedded(TestServers.workDir("pg-outage-").resolve("postgres"),
                line -> System.out.println("[pg-outage] " + line));
        PostgresConnection pg = postgres.connection();
        server = StandaloneProcess.start(TestServers.workDir("standalone-outage-"), List.of("--postgres-url=" + pg.jdbcUrl(),
                "--postgres-user=" + pg.user(), "--postgres-password=" + pg.password()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void whilePostgresIsDownRequestsGet503AndTheBreakerOpensAndAfterwardsEveryAcknowledgedBatchIsAppliedOnce() throws Exception {
        // given a device with a chunk, submitting a stream of batches, each retried under its key until acknowledged
        CumulusClient client = new CumulusClient(server.baseUrl(), CLIENT_TIMEOUT);
        String adminToken = server.adminToken();
        Device laptop = client.newAccountWithDevice(adminToken, "outage", "Laptop");
        byte[] content = "written through an outage\n".getBytes(StandardCharsets.UTF_8);
        String chunk = client.upload(laptop, content);
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        List<Response> refused = new CopyOnWriteArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        AtomicBoolean done = new AtomicBoolean();
        Thread submitter = new Thread(() -> {
            try {
                for (int i = 0; i < SUBMITS; i++) {
                    Map<String, Object> body = CumulusClient.oneFileBatch(laptop.namespace(), "file-" + i,
                            "outage/" + i + ".txt", Map.of(laptop.id(), 1), chunk, content.length);
                    acknowledged.add(submitUntilAcknowledged(client, laptop, "key-" + i, body, refused));
                }
            } catch (Throwable t) {
                failures.add(t);
            } finally {
                done.set(true);
            }
        }, "submitter");
        submitter.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= SUBMITS / 3 || done.get());

        // when PostgreSQL stops
        postgres.stopServer();
        try {
            // then submits are refused with 503 and Retry-After, naming the store
            await().atMost(Duration.ofSeconds(60)).until(() -> refused.size() >= 3);
            assertThat(refused).allSatisfy(r -> {
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.retryAfter()).hasValue("1");
                assertThat(r.body()).contains("/problems/store-unavailable").contains("\"store\":\"postgres\"");
            });
            // and so is a read, answered before the client's own timeout
            Response read = client.get(laptop, "/v1/namespaces/" + laptop.namespace() + "/changes?after=0");
            assertThat(read.status()).isEqualTo(503);
            assertThat(read.retryAfter()).isPresent();
            // and the postgres breaker opens, and refuses calls without waiting on the database
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> BreakerMetrics.of(client, adminToken).state("postgres"), s -> s.equals(java.util.Optional.of("open")));
            await().atMost(Duration.ofSeconds(30)).until(() -> BreakerMetrics.of(client, adminToken).notPermitted("postgres") > 0);
            assertThat(done).isFalse();
        } finally {
            postgres.startServer();
        }

        // and when PostgreSQL is back, the breaker closes by itself and the stream completes
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> BreakerMetrics.of(client, adminToken).state("postgres"), s -> s.equals(java.util.Optional.of("closed")));
        submitter.join(TimeUnit.MINUTES.toMillis(3));
        assertThat(failures).isEmpty();
        assertThat(acknowledged).hasSize(SUBMITS);
        BreakerMetrics after = BreakerMetrics.of(client, adminToken);
        assertThat(after.calls("postgres", "failed")).isPositive();

        // then every acknowledged batch is applied, and the feed holds each exactly once and nothing else
        for (String batchId : acknowledged) {
            JsonNode batch = EditFlowsThroughThePipelineIT.awaitDone(client, laptop, batchId);
            assertThat(batch.get("changes").get(0).get("kind").asString()).isEqualTo("APPLIED");
        }
        JsonNode feed = client.get(laptop, "/v1/namespaces/" + laptop.namespace() + "/changes?after=0&limit=1000").json();
        assertThat(feed.get("changes")).extracting(c -> c.get("batchId").asString())
                .hasSize(SUBMITS).containsExactlyInAnyOrderElementsOf(acknowledged);
    }

    /**
     * What a real client does: the same key again after a 503, until a 202. A connection failure
     * or the client's own timeout is a failure here: the server stays up and must answer.
     */
    private static String submitUntilAcknowledged(CumulusClient client, Device device, String key, Map<String, Object> body,
                                                  List<Response> refused) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            Response r;
            try {
                r = client.submit(device, key, body);
            } catch (UncheckedIOException e) {
                if (e.getCause() instanceof HttpTimeoutException) {
                    throw new AssertionError("a submit got no answer within the client's timeout of " + CLIENT_TIMEOUT, e);
                }
                throw e;
            }
            if (r.status() == 202) {
                return r.json().get("batchId").asString();
            }
            if (r.status() != 503) {
                throw new AssertionError("a submit was answered neither 202 nor 503: " + r);
            }
            refused.add(r);
            Thread.sleep(200); // the client's back-off before it retries, not a wait for a condition
        }
        throw new AssertionError("batch " + key + " was never acknowledged");
    }
}
