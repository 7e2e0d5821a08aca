package io.cumulus.ingest.gc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.testing.TestServers;
import io.cumulus.gc.GcSchema;
import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Response;
import io.cumulus.ingest.RunningIngestApi;
import io.cumulus.schemas.Topics;
import tools.jackson.databind.JsonNode;

/** {@code POST /v1/admin/fsck} on the running API: admin only, a strict {@code repair} flag, the report as JSON. */
class FsckEndpointIT {
    private static RunningIngestApi api;
    private static ApiClient client;
    private static ChunkStoreFixture store;

    @BeforeAll
    static void start() throws Exception {
        // The reference deltas' topic exists, as once the reconciler has run: without it no count can be compared.
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestServers.kafka().bootstrapServers()))) {
            if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(Topics.CHUNK_REFS)) {
                admin.createTopics(List.of(new NewTopic(Topics.CHUNK_REFS, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        api = RunningIngestApi.start(Map.of("cumulus.kafka.bootstrap-servers", TestServers.kafka().bootstrapServers(),
                "cumulus.gc.grace", "1h"));
        GcSchema.migrate(api.postgres().dataSource());
        client = api.client();
        store = new ChunkStoreFixture(api.postgres().dataSource(), api.blobs());
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static Response fsck(String query, String token) {
        return client.send("POST", "/v1/admin/fsck" + query, token, null, Map.of());
    }

    @Test
    void fsckReportsAsJsonAndRepairsOnlyWhenAskedAndOnlyForTheAdmin() {
        // given a leaked object older than the grace period
        String leak = store.object("leaked through the API's store", Duration.ofHours(2));

        // when someone without the admin token asks, or asks for a repair with a bad flag
        Response anonymous = fsck("?repair=true", null);
        Response device = fsck("?repair=true", "not-the-admin-token");
        Response badFlag = fsck("?repair=yes", api.adminToken());

        // then they are refused and nothing is touched
        assertThat(anonymous.status()).as(anonymous.toString()).isEqualTo(401);
        assertThat(device.status()).isEqualTo(401);
        assertThat(badFlag.status()).as(badFlag.toString()).isEqualTo(400);
        assertThat(badFlag.problem()).isEqualTo("invalid-parameter");
        assertThat(badFlag.json().get("parameter").asString()).isEqualTo("repair");
        assertThat(store.hasObject(leak)).isTrue();

        // when the admin checks, then the leak is reported and still there
        Response check = fsck("", api.adminToken());
        assertThat(check.status()).as(check.toString()).isEqualTo(200);
        JsonNode report = check.json();
        assertThat(report.get("repair").asBoolean()).isFalse();
        assertThat(report.get("countsCompared").asBoolean()).as(check.body()).isTrue();
        assertThat(report.get("grace").asString()).isEqualTo("PT1H");
        assertThat(report.get("uncataloguedObjects").get("total").asLong()).isEqualTo(1);
        JsonNode sample = report.get("uncataloguedObjects").get("samples").get(0);
        assertThat(sample.get("chunkId").asString()).isEqualTo(leak);
        assertThat(sample.get("repair").asString()).isEqualTo("DELETE_OBJECT");
        assertThat(sample.get("objectModified").asString()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(report.get("unresolved").asLong()).isEqualTo(1);
        assertThat(store.hasObject(leak)).isTrue();

        // when the admin repairs, then it is gone and nothing is left to do
        Response repair = fsck("?repair=true", api.adminToken());
        assertThat(repair.status()).as(repair.toString()).isEqualTo(200);
        assertThat(repair.json().get("repair").asBoolean()).isTrue();
        assertThat(repair.json().get("uncataloguedObjects").get("resolved").asLong()).isEqualTo(1);
        assertThat(repair.json().get("unresolved").asLong()).isZero();
        assertThat(store.hasObject(leak)).isFalse();
    }
}
