package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.cumulus.standalone.CumulusClient.Device;
import io.cumulus.standalone.CumulusClient.Response;
import tools.jackson.databind.JsonNode;

/**
 * One edit from an HTTP submit to the read models, the other device's push and its chunk's reference
 * count, through every real service.
 */
class EditFlowsThroughThePipelineIT {
    private static final Duration PIPELINE = Duration.ofSeconds(30);

    private final CumulusClient client = RunningCumulus.client();

    private static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void anHttpSubmitBecomesAnAppliedOutcomeInTheFeedAndTheListingAndIsPushed() throws Exception {
        // given an account with a laptop and a phone listening for pushes
        String user = unique("alice");
        Device laptop = client.newAccountWithDevice(RunningCumulus.adminToken(), user, "Laptop");
        Device phone = client.registerDevice(user, "Phone");
        BlockingQueue<JsonNode> phonePushes = client.listen(phone);
        BlockingQueue<JsonNode> laptopPushes = client.listen(laptop);
        byte[] content = "hello from the laptop\n".getBytes(StandardCharsets.UTF_8);
        String chunk = client.upload(laptop, content);

        // when the laptop submits a new file
        Response accepted = client.submit(laptop, "k-" + user, CumulusClient.oneFileBatch(laptop.namespace(),
                "file-" + user, "docs/hello.txt", Map.of(laptop.id(), 1), chunk, content.length));

        // then the batch is accepted, reconciled as applied, and visible everywhere
        assertThat(accepted.status()).isEqualTo(202);
        String batchId = accepted.json().get("batchId").asString();
        JsonNode batch = awaitDone(laptop, batchId);
        assertThat(batch.get("changes")).hasSize(1);
        JsonNode outcome = batch.get("changes").get(0);
        assertThat(outcome.get("kind").asString()).isEqualTo("APPLIED");
        long seq = outcome.get("seq").asLong();
        assertThat(seq).isEqualTo(1);

        JsonNode feed = client.get(phone, "/v1/namespaces/" + laptop.namespace() + "/changes?after=0").json();
        assertThat(feed.get("changes")).hasSize(1);
        assertThat(feed.get("changes").get(0).get("path").asString()).isEqualTo("docs/hello.txt");
        assertThat(feed.get("changes").get(0).get("seq").asLong()).isEqualTo(seq);

        JsonNode files = client.get(phone, "/v1/namespaces/" + laptop.namespace() + "/files?prefix=docs/").json();
        assertThat(files.get("files")).hasSize(1);
        assertThat(files.get("files").get(0).get("fileId").asString()).isEqualTo("file-" + user);

        JsonNode file = client.get(phone, "/v1/files/file-" + user).json();
        assertThat(file.get("chunks").get(0).get("id").asString()).isEqualTo(chunk);
        Response download = client.get(phone, "/v1/chunks/" + chunk);
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.body()).isEqualTo("hello from the laptop\n");

        JsonNode push = await().atMost(PIPELINE).until(phonePushes::poll, m -> m != null);
        assertThat(push.get("type").asString()).isEqualTo("namespace-changed");
        assertThat(push.get("namespace").asString()).isEqualTo(laptop.namespace());
        assertThat(push.get("seq").asLong()).isEqualTo(seq);

        List<JsonNode> laptopGot = new ArrayList<>();
        await().atMost(PIPELINE).until(() -> {
            laptopPushes.drainTo(laptopGot);
            return laptopGot.stream().anyMatch(m -> m.get("type").asString().equals("outcome"));
        });
        JsonNode pushedOutcome = laptopGot.stream().filter(m -> m.get("type").asString().equals("outcome")).findFirst().orElseThrow();
        assertThat(pushedOutcome.get("batchId").asString()).isEqualTo(batchId);
        assertThat(pushedOutcome.get("kind").asString()).isEqualTo("APPLIED");
    }

    @Test
    void theChunkOfAnAppliedEditIsCountedAsReferencedOnce() throws Exception {
        // given a device and a chunk no other file holds
        String user = unique("carol");
        Device laptop = client.newAccountWithDevice(RunningCumulus.adminToken(), user, "Laptop");
        byte[] content = ("only in " + user + "'s notes\n").getBytes(StandardCharsets.UTF_8);
        String chunk = client.upload(laptop, content);

        // when a file made of it is applied
        Response accepted = client.submit(laptop, "k-" + user, CumulusClient.oneFileBatch(laptop.namespace(),
                "notes-" + user, "notes.txt", Map.of(laptop.id(), 1), chunk, content.length));
        awaitDone(laptop, accepted.json().get("batchId").asString());

        // then the reference counter running in the server has counted its one reference
        assertThat(await().atMost(PIPELINE).pollInterval(Duration.ofMillis(100))
                .until(() -> refCount(chunk), Optional::isPresent)).hasValue(1L);
    }

    private static Optional<Long> refCount(String chunk) throws SQLException {
        try (Connection c = RunningCumulus.get().postgres().dataSource().getConnection();
                PreparedStatement s = c.prepareStatement("SELECT ref_count FROM gc.chunk_store WHERE chunk_id = ?")) {
            s.setString(1, chunk);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
            }
        }
    }

    @Test
    void eightConcurrentDuplicatesMakeOneBatchAndOneSetOfOutcomes() throws Exception {
        // given a device and a batch body
        String user = unique("bob");
        Device laptop = client.newAccountWithDevice(RunningCumulus.adminToken(), user, "Laptop");
        byte[] content = "same edit, sent eight times\n".getBytes(StandardCharsets.UTF_8);
        String chunk = client.upload(laptop, content);
        Map<String, Object> body = CumulusClient.oneFileBatch(laptop.namespace(), "dup-" + user, "dup.txt",
                Map.of(laptop.id(), 1), chunk, content.length);

        // when eight requests with the same Idempotency-Key race, then one more arrives later
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Callable<Response>> racers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            racers.add(() -> client.submit(laptop, "same-key", body));
        }
        List<String> batchIds = new ArrayList<>();
        for (Future<Response> f : pool.invokeAll(racers)) {
            assertThat(f.get().status()).isEqualTo(202);
            batchIds.add(f.get().json().get("batchId").asString());
        }
        pool.shutdown();
        Response again = client.submit(laptop, "same-key", body);

        // then every answer names the same batch, which has exactly one outcome and one event
        assertThat(batchIds).containsOnly(batchIds.get(0));
        assertThat(again.json().get("batchId").asString()).isEqualTo(batchIds.get(0));
        JsonNode batch = awaitDone(laptop, batchIds.get(0));
        assertThat(batch.get("changes")).hasSize(1);
        // a later edit proves the pipeline has moved past any duplicate that might have slipped through
        Response next = client.submit(laptop, "next-key", CumulusClient.oneFileBatch(laptop.namespace(),
                "dup-" + user, "dup.txt", Map.of(laptop.id(), 2), chunk, content.length));
        awaitDone(laptop, next.json().get("batchId").asString());
        JsonNode feed = client.get(laptop, "/v1/namespaces/" + laptop.namespace() + "/changes?after=0").json();
        assertThat(feed.get("changes")).extracting(c -> c.get("seq").asLong()).containsExactly(1L, 2L);
        assertThat(feed.get("changes")).extracting(c -> c.get("batchId").asString())
                .containsExactly(batchIds.get(0), next.json().get("batchId").asString());
    }

    static JsonNode awaitDone(CumulusClient client, Device device, String batchId) {
        return await().atMost(PIPELINE).pollInterval(Duration.ofMillis(50))
                .until(() -> client.get(device, "/v1/batches/" + batchId).json(),
                        b -> b.has("status") && b.get("status").asString().equals("done"));
    }

    private JsonNode awaitDone(Device device, String batchId) {
        return awaitDone(client, device, batchId);
    }
}
