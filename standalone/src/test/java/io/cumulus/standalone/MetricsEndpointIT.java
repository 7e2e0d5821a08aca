package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.cumulus.standalone.CumulusClient.Device;
import io.cumulus.standalone.CumulusClient.Response;

/**
 * {@code /actuator/prometheus} exports the state and the call outcomes of every circuit breaker of
 * the process (the API's stores and the relay's Kafka), to the operator only; health stays public.
 */
class MetricsEndpointIT {
    private static final List<String> BREAKERS = List.of("postgres", "blobs-put", "blobs-get", "blobs-stat", "kafka-relay",
            "notifier-postgres");

    @Test
    void everyBreakerIsExportedWithItsStateAndTheOutcomesOfItsCalls() {
        // given a device that connects to the notifier, uploads, downloads and submits
        CumulusClient client = RunningCumulus.client();
        Device laptop = client.newAccountWithDevice(RunningCumulus.adminToken(), "metrics" + System.nanoTime(), "Laptop");
        client.listen(laptop);
        byte[] content = "counted by the breakers".getBytes(StandardCharsets.UTF_8);
        String chunk = client.upload(laptop, content);
        assertThat(client.get(laptop, "/v1/chunks/" + chunk).status()).isEqualTo(200);
        Response submitted = client.submit(laptop, "metrics-1", CumulusClient.oneFileBatch(laptop.namespace(), "metrics-file",
                "metrics.txt", Map.of(laptop.id(), 1), chunk, content.length));
        assertThat(submitted.status()).isEqualTo(202);
        EditFlowsThroughThePipelineIT.awaitDone(client, laptop, submitted.json().get("batchId").asString());

        // when the operator scrapes the metrics
        BreakerMetrics metrics = BreakerMetrics.of(client, RunningCumulus.adminToken());

        // then every breaker is there, closed, with its calls counted by outcome
        for (String breaker : BREAKERS) {
            assertThat(metrics.state(breaker)).as("state of %s in the scrape:%n%s", breaker, metrics).hasValue("closed");
            assertThat(metrics.calls(breaker, "failed")).as("failed calls of %s", breaker).isZero();
        }
        assertThat(metrics.calls("postgres", "successful")).isPositive();
        assertThat(metrics.calls("blobs-put", "successful")).isPositive();
        assertThat(metrics.calls("blobs-get", "successful")).isPositive();
        assertThat(metrics.calls("kafka-relay", "successful")).isPositive();
        assertThat(metrics.calls("notifier-postgres", "successful")).isPositive();
    }

    @Test
    void everyStageOfThePipelineIsTimedForTheBatchesThatCrossIt() {
        // given a scrape before a batch
        CumulusClient client = RunningCumulus.client();
        Device laptop = client.newAccountWithDevice(RunningCumulus.adminToken(), "stages" + System.nanoTime(), "Laptop");
        BreakerMetrics before = BreakerMetrics.of(client, RunningCumulus.adminToken());

        // when a batch is accepted, decided, projected and pushed
        byte[] content = ("timed stage by stage " + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
        String chunk = client.upload(laptop, content);
        Response submitted = client.submit(laptop, "stages-1", CumulusClient.oneFileBatch(laptop.namespace(), "stages-file",
                "stages.txt", Map.of(laptop.id(), 1), chunk, content.length));
        assertThat(submitted.status()).isEqualTo(202);
        EditFlowsThroughThePipelineIT.awaitDone(client, laptop, submitted.json().get("batchId").asString());

        // then every stage's histogram counted it (the notifier's too, once the outcome was pushed)
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> {
            BreakerMetrics after = BreakerMetrics.of(client, RunningCumulus.adminToken());
            for (String stage : List.of("intake", "wal-to-relay", "relay-publish", "relay-to-reconciler", "reconcile", "reconciler-commit",
                    "accepted-to-projected", "accepted-to-pushed")) {
                String labels = "stage=\"" + stage + "\"";
                assertThat(after.value("cumulus_pipeline_stage_seconds_count", labels)
                        - before.value("cumulus_pipeline_stage_seconds_count", labels)).as("batches timed in %s", stage).isPositive();
                assertThat(after.toString()).as("histogram buckets of %s", stage)
                        .containsPattern("(?m)^cumulus_pipeline_stage_seconds_bucket\\{[^}]*" + labels + "[^}]*}");
            }
        });
    }

    @Test
    void deduplicationIsCountedChunksNotSentAndChunksStoredOnce() {
        // given a chunk one account has stored, and another account
        CumulusClient client = RunningCumulus.client();
        Device alice = client.newAccountWithDevice(RunningCumulus.adminToken(), "dedup-a" + System.nanoTime(), "Laptop");
        Device bob = client.newAccountWithDevice(RunningCumulus.adminToken(), "dedup-b" + System.nanoTime(), "Phone");
        byte[] shared = ("the same bytes for everyone " + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
        String chunk = client.upload(alice, shared);
        String unknown = io.cumulus.sync.hash.Sha256.hex(("never sent " + System.nanoTime()).getBytes(StandardCharsets.UTF_8));
        BreakerMetrics before = BreakerMetrics.of(client, RunningCumulus.adminToken());

        // when the first asks which of two chunks it lacks, and the other uploads the stored one
        Response asked = client.send("POST", "/v1/chunks/missing", alice.token(), Map.of("chunkIds", List.of(chunk, unknown)),
                Map.of());
        assertThat(asked.status()).isEqualTo(200);
        client.upload(bob, shared);
        BreakerMetrics after = BreakerMetrics.of(client, RunningCumulus.adminToken());

        // then two chunks were processed, one skipped, and one upload stored nothing new
        assertThat(after.value("cumulus_chunks_processed_total", "") - before.value("cumulus_chunks_processed_total", ""))
                .isEqualTo(2.0);
        assertThat(after.value("cumulus_dedup_hits_total", "kind=\"skipped\"")
                - before.value("cumulus_dedup_hits_total", "kind=\"skipped\"")).isEqualTo(1.0);
        assertThat(after.value("cumulus_dedup_hits_total", "kind=\"stored-once\"")
                - before.value("cumulus_dedup_hits_total", "kind=\"stored-once\"")).isEqualTo(1.0);
        // and the ratio is of the chunks asked about, those not sent
        assertThat(after.value("cumulus_dedup_ratio", "")).isCloseTo(after.value("cumulus_dedup_hits_total",
                "kind=\"skipped\"") / after.value("cumulus_chunks_processed_total", ""), org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void theChunkStoreIsExportedByStateAndTheCollectorsDeletionsAreCounted() {
        // when the operator scrapes the metrics of a process whose collector has swept at least once (at start)
        BreakerMetrics metrics = BreakerMetrics.of(RunningCumulus.client(), RunningCumulus.adminToken());

        // then chunks and bytes are there for every state, and the deletions' counters
        for (String state : List.of("stored", "uploading", "deleting", "referenced", "unreferenced")) {
            assertThat(metrics.toString()).contains("cumulus_gc_chunks{state=\"" + state + "\"}")
                    .contains("cumulus_gc_bytes{state=\"" + state + "\"}");
        }
        assertThat(metrics.toString()).contains("cumulus_gc_deleted_chunks_total ").contains("cumulus_gc_deleted_bytes_total ")
                .contains("cumulus_gc_anomalies_total ");
        assertThat(metrics.value("cumulus_gc_anomalies_total", "")).isZero();
    }

    @Test
    void aProcessOfEveryServiceIsReadyServiceByServiceOnItsApiPort() {
        // when anyone asks the process running every service for its health
        CumulusClient client = RunningCumulus.client();
        Response live = client.send("GET", "/health/live", null, null, Map.of());
        Response ready = org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> client.send("GET", "/health/ready", null, null, Map.of()), r -> r.status() == 200);

        // then it is live, and ready with every service and the stores each needs
        assertThat(live.status()).isEqualTo(200);
        assertThat(ready.json().get("status").asString()).isEqualTo("UP");
        List<String> services = new java.util.ArrayList<>();
        ready.json().get("services").forEach(s -> services.add(s.get("service").asString()));
        assertThat(services).containsExactly("api", "relay", "reconciler", "projector", "gc", "photos");
        // and it says no more than up or down: the operator's token is needed for details, a wrong one is refused
        assertThat(ready.body()).doesNotContain("why");
        assertThat(client.send("GET", "/health/ready", RunningCumulus.adminToken(), null, Map.of()).status()).isEqualTo(200);
        assertThat(client.send("GET", "/health/ready", "not-the-admin-token", null, Map.of()).status()).isEqualTo(401);
        // and the metrics of all of them are in one registry, the API's: the consumer lag of the pipeline's groups too
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(BreakerMetrics.of(client, RunningCumulus.adminToken()).toString())
                        .contains("cumulus_service_ready{service=\"reconciler\"} 1.0")
                        .contains("cumulus_consumer_lag_age_seconds ")
                        .contains("cumulus_outbox_slot_lag_bytes "));
    }

    @Test
    void theMetricsNeedTheAdminTokenAndHealthDoesNot() {
        // given a device
        CumulusClient client = RunningCumulus.client();
        Device laptop = client.newAccountWithDevice(RunningCumulus.adminToken(), "scraper" + System.nanoTime(), "Laptop");

        // when the metrics are asked for without a token, and with a device's token
        Response anonymous = client.send("GET", "/actuator/prometheus", null, null, Map.of());
        Response device = client.send("GET", "/actuator/prometheus", laptop.token(), null, Map.of());

        // then both are refused with a problem, while health answers anyone
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.contentType()).startsWith("application/problem+json");
        assertThat(anonymous.body()).contains("/problems/unauthorized").doesNotContain("resilience4j");
        assertThat(device.status()).isEqualTo(401);
        assertThat(client.send("GET", "/actuator/health", null, null, Map.of()).status()).isEqualTo(200);
        assertThat(client.send("GET", "/health/live", null, null, Map.of()).status()).isEqualTo(200);
        assertThat(client.send("GET", "/actuator", null, null, Map.of()).status()).isEqualTo(401);
    }
}
