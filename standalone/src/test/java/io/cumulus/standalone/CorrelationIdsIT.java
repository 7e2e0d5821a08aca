package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.schemas.Correlation;
import io.cumulus.standalone.CumulusClient.Device;
import tools.jackson.databind.JsonNode;

/**
 * A server started with {@code --log-format=json} (and its per-record lines on): the correlation id a
 * device sends with a batch is on the log lines of every hop the batch passes, from the API through
 * the relay and the reconciler to the workers; a header that is not a valid id is replaced.
 */
class CorrelationIdsIT {
    private static final Duration PIPELINE = Duration.ofSeconds(60);
    private static StandaloneProcess server;
    private static CumulusClient client;
    private static Device laptop;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        PostgresConnection pg = TestServers.freshDatabase();
        server = StandaloneProcess.start(TestServers.workDir("correlation-"), List.of("--postgres-url=" + pg.jdbcUrl(),
                "--postgres-user=" + pg.user(), "--postgres-password=" + pg.password(), "--log-format=json"),
                Map.of("LOGGING_LEVEL_IO_CUMULUS", "DEBUG"));
        client = new CumulusClient(server.baseUrl());
        laptop = client.newAccountWithDevice(server.adminToken(), "tracer", "Laptop");
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theIdSentWithABatchIsOnTheLogLinesOfEveryHopItPasses() throws Exception {
        // given a device whose chunk is uploaded
        byte[] content = "traced from the laptop\n".getBytes(StandardCharsets.UTF_8);
        String chunk = client.upload(laptop, content);
        String id = "report-" + UUID.randomUUID();

        // when it submits a batch with its own correlation id
        HttpResponse<String> accepted = post("/v1/changes", Map.of("Idempotency-Key", "k-traced", Correlation.HTTP_HEADER, id),
                CumulusClient.JSON.writeValueAsString(CumulusClient.oneFileBatch(laptop.namespace(), "traced-file",
                        "traced.txt", Map.of(laptop.id(), 1), chunk, content.length)));

        // then the answer names the id, the batch is applied and projected
        assertThat(accepted.statusCode()).isEqualTo(202);
        assertThat(accepted.headers().firstValue(Correlation.HTTP_HEADER)).hasValue(id);
        String batchId = CumulusClient.JSON.readTree(accepted.body()).get("batchId").asString();
        EditFlowsThroughThePipelineIT.awaitDone(client, laptop, batchId);

        // and every hop's log lines about it carry the id: the API, the relay, the reconciler and each worker
        Set<String> hops = Set.of("io.cumulus.ingest.changes.BatchIntake", "io.cumulus.relay.OutboxRelay",
                "io.cumulus.reconciler.ReconcileProcessor", "io.cumulus.projector.Projector",
                "io.cumulus.gc.refs.RefCountConsumer", "io.cumulus.notifier.NotificationConsumer",
                "io.cumulus.photos.PhotoWorker");
        await().atMost(PIPELINE).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(loggersOfLinesCarrying(id)).containsAll(hops));
        JsonNode reconciled = linesCarrying(id).stream()
                .filter(l -> l.get("loggerName").asString().equals("io.cumulus.reconciler.ReconcileProcessor"))
                .findFirst().orElseThrow();
        assertThat(reconciled.get("mdc").get(Correlation.BATCH_ID).asString()).isEqualTo(batchId);
        assertThat(reconciled.get("mdc").get(Correlation.NAMESPACE_ID).asString()).isEqualTo(laptop.namespace());
        JsonNode intake = linesCarrying(id).stream()
                .filter(l -> l.get("loggerName").asString().equals("io.cumulus.ingest.changes.BatchIntake"))
                .findFirst().orElseThrow();
        assertThat(intake.get("mdc").get(Correlation.DEVICE_ID).asString()).isEqualTo(laptop.id());
    }

    @Test
    void anAlbumEventCarriesTheIdOfTheRequestThatMadeIt() throws Exception {
        String id = "album-" + UUID.randomUUID();
        HttpResponse<String> created = post("/v1/albums", Map.of("Idempotency-Key", "k-album", Correlation.HTTP_HEADER, id),
                "{\"name\":\"Traced\"}");
        assertThat(created.statusCode() / 100).as(created.body()).isEqualTo(2);
        await().atMost(PIPELINE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertThat(
                loggersOfLinesCarrying(id)).contains("io.cumulus.photos.albums.AlbumProjector"));
    }

    @Test
    void aHeaderThatIsNotAValidIdIsReplacedAndNeitherEchoedNorLogged() throws Exception {
        // given a header with spaces, quotes and a forged JSON fragment, far longer than an id
        String hostile = "evil \"}, {\"level\":\"ERROR\"} " + "x".repeat(100);

        // when a request sends it
        HttpResponse<String> response = get("/v1/devices", Map.of(Correlation.HTTP_HEADER, hostile));

        // then the answer carries a fresh valid id instead, and the value is nowhere in the log
        assertThat(response.statusCode()).isEqualTo(200);
        String replaced = response.headers().firstValue(Correlation.HTTP_HEADER).orElseThrow();
        assertThat(Correlation.isValid(replaced)).isTrue();
        assertThat(replaced).doesNotContain("evil");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(loggersOfLinesCarrying(replaced))
                .contains("io.cumulus.ingest.web.CorrelationFilter"));
        assertThat(server.output()).doesNotContain("evil");
    }

    @Test
    void everyLineTheServerWritesIsOneJsonObject() throws IOException {
        // Only the JVM's own warnings, on standard error, are not the server's log lines.
        List<String> lines = server.output().lines()
                .filter(l -> !l.startsWith("WARNING: ") && !l.isBlank()).toList();
        assertThat(lines).isNotEmpty().allSatisfy(l -> assertThat(CumulusClient.JSON.readTree(l).isObject()).isTrue());
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("Cumulus is running at"));
    }

    private static List<JsonNode> linesCarrying(String id) throws IOException {
        return server.output().lines().filter(l -> l.startsWith("{") && l.contains(id))
                .map(CumulusClient.JSON::readTree)
                .filter(j -> j.path("mdc").path(Correlation.MDC_KEY).asString("").equals(id))
                .toList();
    }

    private static Set<String> loggersOfLinesCarrying(String id) throws IOException {
        return linesCarrying(id).stream().map(l -> l.get("loggerName").asString()).collect(Collectors.toSet());
    }

    private HttpResponse<String> post(String path, Map<String, String> headers, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + laptop.token()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + laptop.token()).GET();
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
