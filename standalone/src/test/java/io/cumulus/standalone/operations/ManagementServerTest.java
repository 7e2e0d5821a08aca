package io.cumulus.standalone.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ManagementServerTest {
    private static final String TOKEN = "a-long-enough-admin-token-for-tests";

    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicReference<Optional<String>> stopped = new AtomicReference<>(Optional.empty());
    private final AtomicReference<Optional<String>> kafka = new AtomicReference<>(Optional.empty());
    private ProcessMetrics metrics;
    private Readiness readiness;
    private ManagementServer server;

    @BeforeEach
    void start() {
        metrics = new ProcessMetrics();
        metrics.registry().counter("cumulus.test.events").increment();
        readiness = new Readiness().store("kafka", kafka::get).service("reconciler", List.of("kafka"));
        server = ManagementServer.start("127.0.0.1", 0, metrics, new Health(stopped::get, readiness), TOKEN);
    }

    @AfterEach
    void stop() {
        server.close();
        readiness.close();
        metrics.close();
    }

    @Test
    void theMetricsNeedTheAdminToken() throws Exception {
        assertThat(get("/actuator/prometheus", null).statusCode()).isEqualTo(401);
        assertThat(get("/actuator/prometheus", "not-the-token").statusCode()).isEqualTo(401);
        HttpResponse<String> scraped = get("/actuator/prometheus", TOKEN);
        assertThat(scraped.statusCode()).isEqualTo(200);
        assertThat(scraped.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(scraped.body()).contains("cumulus_test_events_total 1.0");
    }

    @Test
    void livenessSaysWhichServiceStopped() throws Exception {
        assertThat(get("/health/live", null).body()).isEqualTo("{\"status\":\"UP\"}");

        stopped.set(Optional.of("stage=projector error=boom"));
        HttpResponse<String> live = get("/health/live", null);

        assertThat(live.statusCode()).isEqualTo(503);
        assertThat(live.body()).isEqualTo("{\"status\":\"DOWN\",\"why\":\"stage=projector error=boom\"}");
    }

    @Test
    void readinessIs503WithTheStoreThatIsDownButNotWhy() throws Exception {
        assertThat(get("/health/ready", null).statusCode()).isEqualTo(200);

        kafka.set(Optional.of("the cluster has no broker running"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(get("/health/ready", null).statusCode()).isEqualTo(503));
        HttpResponse<String> ready = get("/health/ready", null);

        assertThat(ready.body()).contains("\"service\":\"reconciler\",\"status\":\"DOWN\"")
                .contains("{\"store\":\"kafka\",\"status\":\"DOWN\"}").doesNotContain("broker");
        assertThat(get("/health/ready", TOKEN).body())
                .contains("{\"store\":\"kafka\",\"status\":\"DOWN\",\"why\":\"the cluster has no broker running\"}");
        assertThat(get("/health/ready", "not-the-token").statusCode()).isEqualTo(401);
    }

    @Test
    void livenessAnswersAtOnceWhileReadinessRequestsWaitOnAStoreThatDoesNotAnswer() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Readiness hanging = new Readiness().store("cassandra", () -> {
            release.await();
            return Optional.empty();
        }).service("projector", List.of("cassandra"))) {
            server.close();
            server = ManagementServer.start("127.0.0.1", 0, metrics, new Health(stopped::get, hanging), TOKEN);
            List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                waiting.add(http.sendAsync(HttpRequest.newBuilder(uri("/health/ready")).GET().build(),
                        HttpResponse.BodyHandlers.ofString()));
            }

            long start = System.nanoTime();
            HttpResponse<String> live = get("/health/live", null);

            assertThat(live.statusCode()).isEqualTo(200);
            assertThat((System.nanoTime() - start) / 1e6).isLessThan(1000);
            for (var ready : waiting) {
                assertThat(ready.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(503);
            }
        } finally {
            release.countDown();
        }
    }

    @Test
    void theRequestTimeLimitsAreSetUnlessTheOperatorSetThem() {
        Properties operator = new Properties();
        operator.setProperty(ManagementServer.MAX_REQUEST_TIME, "3");

        ManagementServer.timeLimits(operator);

        assertThat(operator.getProperty(ManagementServer.MAX_REQUEST_TIME)).isEqualTo("3");
        assertThat(operator.getProperty(ManagementServer.MAX_RESPONSE_TIME))
                .isEqualTo(String.valueOf(ManagementServer.MAX_RESPONSE_SECONDS));
        assertThat(System.getProperty(ManagementServer.MAX_REQUEST_TIME)).isNotNull();
    }

    @Test
    void anythingElseIsAProblem() throws Exception {
        HttpResponse<String> unknown = get("/metrics", TOKEN);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        HttpResponse<String> posted = http.send(HttpRequest.newBuilder(uri("/health/ready"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).isEqualTo(405);
        assertThat(posted.headers().firstValue("Allow")).hasValue("GET");
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }
}
