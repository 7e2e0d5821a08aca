package io.cumulus.ingest.changes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Device;
import io.cumulus.ingest.ApiClient.Response;
import io.cumulus.ingest.RunningIngestApi;
import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.Change;
import io.cumulus.schemas.ChangeBatchSubmitted;
import io.cumulus.schemas.ChunkRef;
import io.cumulus.schemas.FileOp;
import io.cumulus.schemas.VersionEntry;

/** Submitting change batches: one batch and one outbox event per accepted request, idempotent under retries and races. */
class ChangeSubmissionIT {
    private static RunningIngestApi api;
    private static ApiClient client;

    @BeforeAll
    static void start() {
        api = RunningIngestApi.start();
        client = api.client();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static long batchesOf(Device device) {
        return api.count("select count(*) from ingest.batches where account_id = ?::uuid", device.accountId());
    }

    private static long outboxOf(Device device) {
        return api.count("select count(*) from ingest.outbox o join ingest.batches b on b.id = o.batch_id where b.account_id = ?::uuid",
                device.accountId());
    }

    private static ChangeBatchSubmitted outboxEvent(String batchId) throws Exception {
        try (Connection c = api.postgres().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("select payload, namespace_id from ingest.outbox where batch_id = ?::uuid")) {
            ps.setString(1, batchId);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("an outbox row for batch " + batchId).isTrue();
                ChangeBatchSubmitted event = AvroSerde.changeBatches().decode(rs.getBytes("payload"));
                assertThat(rs.getString("namespace_id")).isEqualTo(event.getNamespaceId());
                assertThat(rs.next()).as("one outbox row only").isFalse();
                return event;
            }
        }
    }

    @Test
    void anAcceptedBatchIsOneBatchRowAndOneOutboxEventDescribingExactlyWhatWasSent() throws Exception {
        // given a device with two uploaded chunks
        Device laptop = client.newAccountWithDevice("writer", "Work laptop");
        // and a phone of the same account whose fourth edit the server has accepted (and the laptop pulled)
        Device phone = client.registerDevice(laptop.username(), "Phone");
        api.execute("insert into ingest.device_counters (namespace_id, device, max_counter) values (?::uuid, ?, 4)",
                laptop.namespace(), phone.id());
        byte[] a = "first half, ".getBytes(StandardCharsets.UTF_8);
        byte[] b = "second half\n".getBytes(StandardCharsets.UTF_8);
        String chunkA = client.upload(laptop, a);
        String chunkB = client.upload(laptop, b);
        api.execute("update ingest.account_chunks set last_used_at = now() - interval '30 days' where account_id = ?::uuid",
                UUID.fromString(laptop.accountId()));
        Instant before = Instant.now().minusMillis(5);
        Map<String, Object> upsert = Map.of("fileId", "f-1", "path", "Docs/Straße.txt", "op", "UPSERT",
                "vector", Map.of(phone.id(), 4, laptop.id(), 2), "size", a.length + b.length,
                "chunks", List.of(Map.of("id", chunkA, "size", a.length), Map.of("id", chunkB, "size", b.length)),
                "modifiedAt", 1_700_000_000_123L);
        Map<String, Object> delete = Map.of("fileId", "f-2", "path", "old.txt", "op", "DELETE", "vector", Map.of(laptop.id(), 1));

        // when it submits a batch of an upsert and a delete
        Response r = client.submit(laptop, "k-1", Map.of("namespaceId", laptop.namespace(), "changes", List.of(upsert, delete)));

        // then it is accepted, and the outbox holds exactly that batch as an Avro event
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        String batchId = r.json().get("batchId").asString();
        assertThat(batchesOf(laptop)).isEqualTo(1);
        assertThat(outboxOf(laptop)).isEqualTo(1);
        assertThat(api.count("select change_count from ingest.batches where id = ?::uuid", batchId)).isEqualTo(2);
        ChangeBatchSubmitted event = outboxEvent(batchId);
        assertThat(event.getBatchId()).isEqualTo(batchId);
        assertThat(event.getNamespaceId()).isEqualTo(laptop.namespace());
        assertThat(event.getAccountId()).isEqualTo(laptop.accountId());
        assertThat(event.getDeviceId()).isEqualTo(laptop.id());
        assertThat(event.getDeviceName()).isEqualTo("Work laptop");
        assertThat(Instant.ofEpochMilli(event.getAcceptedAt())).isBetween(before, Instant.now());
        assertThat(event.getChanges()).hasSize(2);
        Change first = event.getChanges().get(0);
        assertThat(first.getFileId()).isEqualTo("f-1");
        assertThat(first.getPath()).isEqualTo("Docs/Straße.txt");
        assertThat(first.getOp()).isEqualTo(FileOp.UPSERT);
        List<VersionEntry> sortedVector = new ArrayList<>(List.of(new VersionEntry(laptop.id(), 2L), new VersionEntry(phone.id(), 4L)));
        sortedVector.sort(java.util.Comparator.comparing(VersionEntry::getDeviceId));
        assertThat(first.getVector()).containsExactlyElementsOf(sortedVector);
        assertThat(first.getChunks()).containsExactly(new ChunkRef(chunkA, (long) a.length), new ChunkRef(chunkB, (long) b.length));
        assertThat(first.getSize()).isEqualTo(a.length + b.length);
        assertThat(first.getDeviceModifiedAt()).isEqualTo(1_700_000_000_123L);
        Change second = event.getChanges().get(1);
        assertThat(second.getOp()).isEqualTo(FileOp.DELETE);
        assertThat(second.getChunks()).isEmpty();
        assertThat(second.getDeviceModifiedAt()).isNull();
        // and the referenced chunks were used just now, which restarts their garbage-collection grace period
        assertThat(api.count("select count(*) from ingest.account_chunks where account_id = ?::uuid and last_used_at > now() - interval '1 minute'",
                laptop.accountId())).isEqualTo(2);
    }

    @Test
    void aRetryWithTheSameKeyAndRequestGetsTheSameBatchAndWritesNothing() {
        // given an accepted batch
        Device laptop = client.newAccountWithDevice("retrier", "Laptop");
        String chunk = client.upload(laptop, "retry me\n".getBytes(StandardCharsets.UTF_8));
        Map<String, Object> body = ApiClient.oneFileBatch(laptop.namespace(), "f", "a.txt", Map.of(laptop.id(), 1), chunk, 9);
        Response first = client.submit(laptop, "same-key", body);

        // when the same request is sent again, also formatted differently
        Response again = client.submit(laptop, "same-key", body);
        String reformatted = "{ \"changes\": [ { \"chunks\": [ { \"size\": 9, \"id\": \"" + chunk + "\" } ], \"size\": 9,"
                + " \"vector\": { \"" + laptop.id() + "\": 1 }, \"op\": \"UPSERT\", \"path\": \"a.txt\", \"fileId\": \"f\" } ],\n"
                + "  \"namespaceId\": \"" + laptop.namespace() + "\" }";
        Response reformattedAgain = client.submit(laptop, "same-key", reformatted);

        // then each answer is the first one, and there is still one batch and one event
        assertThat(first.status()).isEqualTo(202);
        assertThat(again.status()).isEqualTo(202);
        assertThat(reformattedAgain.status()).isEqualTo(202);
        assertThat(again.json().get("batchId")).isEqualTo(first.json().get("batchId"));
        assertThat(reformattedAgain.json().get("batchId")).isEqualTo(first.json().get("batchId"));
        assertThat(batchesOf(laptop)).isEqualTo(1);
        assertThat(outboxOf(laptop)).isEqualTo(1);
    }

    @Test
    void aRetryIsAnsweredEvenAfterTheBatchsChunksAreNoLongerVisible() {
        // given an accepted batch whose chunk the account no longer holds (as after garbage collection)
        Device laptop = client.newAccountWithDevice("late", "Laptop");
        String chunk = client.upload(laptop, "aged out\n".getBytes(StandardCharsets.UTF_8));
        Map<String, Object> body = ApiClient.oneFileBatch(laptop.namespace(), "f", "a.txt", Map.of(laptop.id(), 1), chunk, 9);
        Response first = client.submit(laptop, "late-key", body);
        api.execute("delete from ingest.account_chunks where account_id = ?::uuid", UUID.fromString(laptop.accountId()));

        // when the client retries the same request, and sends a new one with the same chunk
        Response retry = client.submit(laptop, "late-key", body);
        Response fresh = client.submit(laptop, "new-key", body);

        // then the retry gets the first answer, while the new request needs the chunk uploaded again
        assertThat(retry.status()).as(retry.toString()).isEqualTo(202);
        assertThat(retry.json().get("batchId")).isEqualTo(first.json().get("batchId"));
        assertThat(fresh.status()).isEqualTo(400);
        assertThat(fresh.problem()).isEqualTo("chunk-missing");
        assertThat(batchesOf(laptop)).isEqualTo(1);
    }

    @Test
    void eightConcurrentIdenticalSubmitsMakeExactlyOneBatch() throws Exception {
        // given a device and a batch body
        Device laptop = client.newAccountWithDevice("racer", "Laptop");
        String chunk = client.upload(laptop, "raced\n".getBytes(StandardCharsets.UTF_8));
        Map<String, Object> body = ApiClient.oneFileBatch(laptop.namespace(), "f", "race.txt", Map.of(laptop.id(), 1), chunk, 6);

        // when eight requests with the same key race
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Callable<Response>> racers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            racers.add(() -> client.submit(laptop, "raced-key", body));
        }
        List<String> batchIds = new ArrayList<>();
        try {
            for (Future<Response> f : pool.invokeAll(racers, 60, java.util.concurrent.TimeUnit.SECONDS)) {
                Response r = f.get();
                assertThat(r.status()).as(r.toString()).isEqualTo(202);
                batchIds.add(r.json().get("batchId").asString());
            }
        } finally {
            pool.shutdownNow();
        }

        // then all got the one batch, which has one event
        assertThat(batchIds).hasSize(8).containsOnly(batchIds.getFirst());
        assertThat(batchesOf(laptop)).isEqualTo(1);
        assertThat(outboxOf(laptop)).isEqualTo(1);
    }

    @Test
    void reusingAKeyForADifferentRequestIsRefusedAndWritesNothing() {
        // given an accepted batch
        Device laptop = client.newAccountWithDevice("reuser", "Laptop");
        String chunk = client.upload(laptop, "v1\n".getBytes(StandardCharsets.UTF_8));
        Response first = client.submit(laptop, "k", ApiClient.oneFileBatch(laptop.namespace(), "f", "a.txt", Map.of(laptop.id(), 1), chunk, 3));

        // when the key is used for another request
        Response reused = client.submit(laptop, "k", ApiClient.oneFileBatch(laptop.namespace(), "f", "a.txt", Map.of(laptop.id(), 2), chunk, 3));

        // then it is a 422 and the first batch is the only one
        assertThat(first.status()).isEqualTo(202);
        assertThat(reused.status()).isEqualTo(422);
        assertThat(reused.contentType()).startsWith("application/problem+json");
        assertThat(reused.problem()).isEqualTo("idempotency-key-reused");
        assertThat(batchesOf(laptop)).isEqualTo(1);
        assertThat(outboxOf(laptop)).isEqualTo(1);
    }

    @Test
    void keysBelongToTheirAccount() {
        // given two accounts using the same key for their own batches
        Device one = client.newAccountWithDevice("one", "Laptop");
        Device two = client.newAccountWithDevice("two", "Laptop");
        String chunkOne = client.upload(one, "one\n".getBytes(StandardCharsets.UTF_8));
        String chunkTwo = client.upload(two, "two\n".getBytes(StandardCharsets.UTF_8));

        Response a = client.submit(one, "shared-key", ApiClient.oneFileBatch(one.namespace(), "f", "a.txt", Map.of(one.id(), 1), chunkOne, 4));
        Response b = client.submit(two, "shared-key", ApiClient.oneFileBatch(two.namespace(), "f", "a.txt", Map.of(two.id(), 1), chunkTwo, 4));

        assertThat(a.status()).isEqualTo(202);
        assertThat(b.status()).isEqualTo(202);
        assertThat(a.json().get("batchId")).isNotEqualTo(b.json().get("batchId"));
    }

    @Test
    void anEditorOfASharedNamespaceMayWriteAViewerMayNotAndReferencedChunksBecomeVisibleToMembers() {
        // given a shared namespace owned by one account, with an editor and a viewer
        Device owner = client.newAccountWithDevice("owner", "Laptop");
        Device editor = client.newAccountWithDevice("editor", "Laptop");
        Device viewer = client.newAccountWithDevice("viewer", "Laptop");
        UUID shared = UUID.randomUUID();
        api.execute("insert into ingest.namespaces (id, kind, name, owner_account) values (?, 'shared', 'Family', ?::uuid)", shared, owner.accountId());
        api.execute("insert into ingest.namespace_members values (?, ?::uuid, 'owner'), (?, ?::uuid, 'editor'), (?, ?::uuid, 'viewer')",
                shared, owner.accountId(), shared, editor.accountId(), shared, viewer.accountId());
        byte[] photo = "a photo\n".getBytes(StandardCharsets.UTF_8);
        String chunk = client.upload(editor, photo);
        String viewersChunk = client.upload(viewer, photo);

        // when the editor and the viewer each submit to it
        Response byEditor = client.submit(editor, "e", ApiClient.oneFileBatch(shared.toString(), "p", "photo.jpg", Map.of(editor.id(), 1), chunk, photo.length));
        Response byViewer = client.submit(viewer, "v", ApiClient.oneFileBatch(shared.toString(), "p", "photo.jpg", Map.of(viewer.id(), 1), viewersChunk, photo.length));

        // then the editor's batch is accepted, the viewer's is refused like a namespace that does not exist
        assertThat(byEditor.status()).as(byEditor.toString()).isEqualTo(202);
        assertThat(byViewer.status()).isEqualTo(404);
        assertThat(byViewer.problem()).isEqualTo("namespace-not-found");
        assertThat(batchesOf(viewer)).isZero();
        // and the owner, who never uploaded the chunk, may now download it
        assertThat(client.get(owner, "/v1/chunks/" + chunk).bytes()).isEqualTo(photo);
    }

    @Test
    void aBatchOfAThousandChangesIsAcceptedAsOne() throws Exception {
        // given a thousand changes referencing one chunk
        Device laptop = client.newAccountWithDevice("thousand", "Laptop");
        String chunk = client.upload(laptop, "many\n".getBytes(StandardCharsets.UTF_8));
        List<Map<String, Object>> changes = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            changes.add(Map.of("fileId", "f" + i, "path", "many/" + i + ".txt", "op", "UPSERT", "vector", Map.of(laptop.id(), 1),
                    "size", 5, "chunks", List.of(Map.of("id", chunk, "size", 5))));
        }

        // when they are submitted together
        Response r = client.submit(laptop, "thousand", Map.of("namespaceId", laptop.namespace(), "changes", changes));

        // then they are one batch, in order
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        ChangeBatchSubmitted event = outboxEvent(r.json().get("batchId").asString());
        assertThat(event.getChanges()).hasSize(1000);
        assertThat(event.getChanges().get(999).getPath()).isEqualTo("many/999.txt");
    }
}
