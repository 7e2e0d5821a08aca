package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.InProcessKafka;
import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.standalone.CumulusClient.Device;
import io.cumulus.standalone.CumulusClient.Response;
import tools.jackson.databind.JsonNode;

/**
 * Cumulus split as docker-compose.yml splits it: one process runs the API (in the test JVM), another
 * every other service ({@code --services} without api, a JVM of its own, so its scrape holds only
 * what its services export), on their own Kafka broker and database. After a small
 * workload with a conflict and a clean merge, every series the Grafana dashboard and the alert rules
 * query is exported by one of them; the process without the API serves its metrics (admin token) and
 * its health on its management port, the API process on its own port.
 */
class EveryProcessIsWatchedIT {
    private static final Duration SETTLED = Duration.ofSeconds(60);
    private static final String NOTES = "# Notes\nline one\nline two\nline three\nline four\n";

    private static InProcessKafka kafka;
    private static StandaloneProcess pipeline;
    private static StandaloneServer api;
    private static String adminToken;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        kafka = InProcessKafka.start(TestServers.workDir("ops-kafka-"), 0);
        PostgresConnection pg = TestServers.freshDatabase();
        Path dataDir = RunningCumulus.workDir("ops-");
        List<String> shared = List.of("--data-dir=" + dataDir, "--kafka-bootstrap=" + kafka.bootstrapServers(),
                "--postgres-url=" + pg.jdbcUrl(), "--postgres-user=" + pg.user(), "--postgres-password=" + pg.password(),
                "--partitions=2");
        List<String> pipelineArgs = new ArrayList<>(shared);
        pipelineArgs.addAll(List.of("--services=relay,reconciler,projector,gc,photos", "--instance-id=ops-pipeline"));
        pipeline = StandaloneProcess.startWithoutApi(dataDir, pipelineArgs);
        List<String> apiArgs = new ArrayList<>(shared);
        apiArgs.addAll(List.of("--services=api", "--port=0", "--instance-id=ops-api"));
        api = StandaloneServer.start(StandaloneSettings.from(apiArgs, Map.of()), line -> System.out.println("[ops-api] " + line));
        adminToken = StandaloneServer.adminToken(dataDir);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (api != null) {
            api.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void everySeriesTheDashboardAndTheAlertsQueryIsExportedAfterAConflictAndAMerge() throws Exception {
        // given two devices that edited different lines of a text file concurrently: a conflict the merge worker merges
        CumulusClient client = new CumulusClient(api.baseUrl());
        // (the API's scrape shares the test JVM's global meters with any other server it ran: compared with before)
        BreakerMetrics apiBefore = new BreakerMetrics(scrape(api.baseUrl(), adminToken).body());
        String user = "ops" + UUID.randomUUID().toString().substring(0, 8);
        Device laptop = client.newAccountWithDevice(adminToken, user, "Laptop");
        Device phone = client.registerDevice(user, "Phone");
        String fileId = "notes-" + user;
        submitAndAwait(client, laptop, fileId, Map.of(laptop.id(), 1), NOTES);
        submitAndAwait(client, laptop, fileId, Map.of(laptop.id(), 2), NOTES.replace("line one", "line one, laptop"));
        JsonNode outcome = submitAndAwait(client, phone, fileId, Map.of(laptop.id(), 1, phone.id(), 1),
                NOTES.replace("line four", "line four, phone"));
        assertThat(outcome.get("kind").asString()).isEqualTo("CONFLICT");
        String copyId = outcome.get("conflictFileId").asString();
        await().atMost(SETTLED).pollInterval(Duration.ofMillis(200))
                .until(() -> client.get(phone, "/v1/files/" + copyId).json().get("deleted").asBoolean());

        // when both processes are scraped, once their probes have measured the lag of the groups that worked
        await().atMost(SETTLED).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            String apiScrape = scrape(api.baseUrl(), adminToken).body();
            String pipelineScrape = scrape(managementUrl(), adminToken).body();
            BreakerMetrics apiMetrics = new BreakerMetrics(apiScrape);
            BreakerMetrics pipelineMetrics = new BreakerMetrics(pipelineScrape);

            // then every series the dashboard and the alerts query is there
            Set<String> exported = new TreeSet<>(OpsQueries.sampleNames(apiScrape));
            exported.addAll(OpsQueries.sampleNames(pipelineScrape));
            assertThat(exported).containsAll(OpsQueries.exportedNamesQueried());

            // with the workload in them: the conflict where the reconciler runs, the merge and the sync where the API runs
            assertThat(pipelineMetrics.value("cumulus_conflicts_total", "kind=\"merge\"")).isEqualTo(1.0);
            assertThat(pipelineMetrics.value("cumulus_conflicts_total", "kind=\"keep-both\"")).isZero();
            assertThat(delta(apiBefore, apiMetrics, "cumulus_merges_total", "result=\"merged\"")).isEqualTo(1.0);
            // three batches submitted by the devices; four decided, the merge worker's (submitted to the intake directly) too
            assertThat(delta(apiBefore, apiMetrics, "cumulus_intake_batches_total", "result=\"accepted\"")).isEqualTo(3.0);
            assertThat(delta(apiBefore, apiMetrics, "cumulus_sync_duration_seconds_count", "until=\"applied\"")).isEqualTo(4.0);
            assertThat(delta(apiBefore, apiMetrics, "cumulus_sync_duration_seconds_count", "until=\"pushed\"")).isPositive();
            // the pipeline's own series come from the process without the API
            assertThat(OpsQueries.sampleNames(pipelineScrape)).contains("cumulus_consumer_lag_records",
                    "cumulus_consumer_lag_age_seconds", "cumulus_outbox_unpublished_rows",
                    "cumulus_outbox_oldest_unpublished_age_seconds", "cumulus_outbox_slot_lag_bytes", "cumulus_service_ready",
                    "cumulus_store_up", "cumulus_conflicts_total", "cumulus_pipeline_stage_seconds_bucket");
            // the lag of every group of the pipeline process, per partition, and the outbox the relay published
            for (String group : List.of("cumulus-reconciler", "cumulus-projector", "cumulus-chunk-gc", "cumulus-photos")) {
                assertThat(pipelineScrape).as("lag of %s", group)
                        .containsPattern("cumulus_consumer_lag_records\\{group=\"" + group + "[^\"]*\",partition=\"\\d\",topic=");
            }
            assertThat(apiScrape).as("lag of the API's merge worker")
                    .contains("cumulus_consumer_lag_records{group=\"cumulus-merge\"");
            assertThat(pipelineMetrics.value("cumulus_outbox_unpublished_rows", "")).isZero();
            assertThat(pipelineMetrics.value("cumulus_outbox_oldest_unpublished_age_seconds", "")).isZero();
            // and each process's readiness per service
            for (String service : List.of("relay", "reconciler", "projector", "gc", "photos")) {
                assertThat(pipelineMetrics.value("cumulus_service_ready", "service=\"" + service + "\"")).as(service).isEqualTo(1.0);
            }
            assertThat(apiMetrics.value("cumulus_service_ready", "service=\"api\"")).isEqualTo(1.0);
        });
    }

    @Test
    void aProcessWithoutTheApiServesMetricsToTheOperatorAndHealthToAnyone() throws Exception {
        // when its management port is asked without the admin token, with it, and for its health
        HttpResponse<String> anonymous = get(managementUrl() + "/actuator/prometheus", null);
        HttpResponse<String> operator = scrape(managementUrl(), adminToken);
        HttpResponse<String> live = get(managementUrl() + "/health/live", null);
        HttpResponse<String> unknown = get(managementUrl() + "/actuator", adminToken);

        // then the metrics need the token, and health answers anyone
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.body()).contains("/problems/unauthorized");
        assertThat(operator.statusCode()).isEqualTo(200);
        assertThat(operator.body()).contains("jvm_memory_used_bytes").contains("cumulus_consumer_lag_age_seconds");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).isEqualTo("{\"status\":\"UP\"}");
        assertThat(unknown.statusCode()).isEqualTo(404);

        // and it is ready once its services are, each with the stores it needs
        JsonNode ready = awaitReady(managementUrl());
        assertThat(ready.get("services")).extracting(s -> s.get("service").asString())
                .containsExactly("relay", "reconciler", "projector", "gc", "photos");
        assertThat(storesOf(ready, "relay")).containsExactly("postgresql", "replication-slot", "kafka");
        assertThat(storesOf(ready, "reconciler")).containsExactly("kafka", "reconciler-streams");
        assertThat(storesOf(ready, "photos")).contains("postgresql", "blob-store", "kafka");
    }

    @Test
    void theApiProcessAnswersHealthOnItsOwnPort() throws Exception {
        // when its API port is asked for its health
        HttpResponse<String> live = get(api.baseUrl() + "/health/live", null);
        JsonNode ready = awaitReady(api.baseUrl());

        // then the API is live, and ready with the stores it needs; it has no management port
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(ready.get("services")).extracting(s -> s.get("service").asString()).containsExactly("api");
        assertThat(storesOf(ready, "api")).containsExactly("postgresql", "blob-store", "kafka");
        assertThat(api.managementPort()).isEmpty();
    }

    private static double delta(BreakerMetrics before, BreakerMetrics after, String name, String labels) {
        return after.value(name, labels) - before.value(name, labels);
    }

    private JsonNode awaitReady(String baseUrl) {
        HttpResponse<String> answer = await().atMost(SETTLED).pollInterval(Duration.ofMillis(250))
                .until(() -> get(baseUrl + "/health/ready", null), r -> r.statusCode() == 200);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode json = CumulusClient.JSON.readTree(answer.body());
        assertThat(json.get("status").asString()).isEqualTo("UP");
        return json;
    }

    private static List<String> storesOf(JsonNode ready, String service) {
        for (JsonNode s : ready.get("services")) {
            if (s.get("service").asString().equals(service)) {
                assertThat(s.get("status").asString()).isEqualTo("UP");
                List<String> stores = new ArrayList<>();
                s.get("stores").forEach(store -> stores.add(store.get("store").asString()));
                return stores;
            }
        }
        throw new AssertionError("no service " + service + " in " + ready);
    }

    private static String managementUrl() {
        return pipeline.baseUrl();
    }

    private HttpResponse<String> scrape(String baseUrl, String token) throws Exception {
        HttpResponse<String> r = get(baseUrl + "/actuator/prometheus", token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r;
    }

    private HttpResponse<String> get(String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static JsonNode submitAndAwait(CumulusClient client, Device device, String fileId, Map<String, Integer> vector,
                                           String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        String chunk = client.upload(device, bytes);
        Response accepted = client.submit(device, "k-" + UUID.randomUUID(),
                CumulusClient.oneFileBatch(device.namespace(), fileId, "notes.txt", vector, chunk, bytes.length));
        assertThat(accepted.status()).isEqualTo(202);
        return EditFlowsThroughThePipelineIT.awaitDone(client, device, accepted.json().get("batchId").asString())
                .get("changes").get(0);
    }
}
