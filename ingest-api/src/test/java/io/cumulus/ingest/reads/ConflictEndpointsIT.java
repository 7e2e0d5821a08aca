package io.cumulus.ingest.reads;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Device;
import io.cumulus.ingest.ApiClient.Response;
import io.cumulus.ingest.RunningIngestApi;
import io.cumulus.sync.conflict.ConflictNames;
import io.cumulus.sync.path.SyncPath;
import tools.jackson.databind.JsonNode;

/** The conflict endpoints over read-model rows these tests write directly, as the projector would. */
class ConflictEndpointsIT {
    private static final OffsetDateTime T0 = OffsetDateTime.of(2026, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC);

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

    /** An account whose laptop wrote photo.jpg ("o") and whose phone's concurrent edit was kept as a copy ("c"). */
    private record Conflicted(Device laptop, Device phone, String copyPath) {
    }

    private static Conflicted aConflict() {
        Device laptop = client.newAccountWithDevice("conflicted", "Laptop");
        Device phone = client.registerDevice(laptop.username(), "Phone");
        String chunk = client.upload(laptop, "jpeg".getBytes(StandardCharsets.UTF_8));
        String copyPath = "photo (Phone's conflicted copy 2026-01-02).jpg";
        event(laptop.namespace(), 1, "o", "photo.jpg", "UPSERT", "{\"" + laptop.id() + "\": 1}", chunk, laptop.id(), null);
        event(laptop.namespace(), 2, "o", "photo.jpg", "UPSERT", "{\"" + laptop.id() + "\": 2}", chunk, laptop.id(), null);
        event(laptop.namespace(), 3, "c", copyPath, "UPSERT", "{\"" + laptop.id() + "\": 1, \"" + phone.id() + "\": 1}", chunk,
                phone.id(), "o");
        return new Conflicted(laptop, phone, copyPath);
    }

    /**
     * A feed row and the file's row, as the projector writes them for one event, and the counters of
     * its vector, as the intake recorded them when each device submitted its edits.
     */
    private static void event(String ns, long seq, String fileId, String path, String op, String vector, String chunk,
                              String deviceId, String conflictOf) {
        event(ns, seq, fileId, path, op, vector, chunk, deviceId, conflictOf, "batch-" + seq, false);
    }

    private static void event(String ns, long seq, String fileId, String path, String op, String vector, String chunk,
                              String deviceId, String conflictOf, String batchId, boolean mergePending) {
        String chunks = "[{\"id\": \"" + chunk + "\", \"size\": 4}]";
        api.execute("""
                insert into readmodel.feed (namespace_id, seq, file_id, path, op, vector, chunks, size, device_id, batch_id,
                                            change_index, conflict_of, at, merge_pending)
                values (?::uuid, ?, ?, ?, ?, ?::jsonb, ?::jsonb, 4, ?, ?, 0, ?, ?, ?)""",
                ns, seq, fileId, path, op, vector, chunks, deviceId, batchId, conflictOf, T0.plusSeconds(seq), mergePending);
        api.execute("""
                insert into readmodel.files (namespace_id, file_id, path, deleted, vector, chunks, size, seq, device_id, updated_at,
                                             merge_pending)
                values (?::uuid, ?, ?, ?, ?::jsonb, ?::jsonb, 4, ?, ?, ?, ?)
                on conflict (namespace_id, file_id) do update set path = excluded.path, deleted = excluded.deleted,
                    vector = excluded.vector, seq = excluded.seq, device_id = excluded.device_id, updated_at = excluded.updated_at,
                    merge_pending = excluded.merge_pending""",
                ns, fileId, path, op.equals("DELETE"), vector, chunks, seq, deviceId, T0.plusSeconds(seq), mergePending);
        api.execute("""
                insert into ingest.device_counters (namespace_id, device, max_counter)
                select ?::uuid, e.key, e.value::bigint from jsonb_each_text(?::jsonb) as e(key, value)
                on conflict (namespace_id, device) do update
                    set max_counter = greatest(ingest.device_counters.max_counter, excluded.max_counter)""", ns, vector);
    }

    private static Response resolve(Device device, String copyFileId, Object body) {
        return client.send("POST", "/v1/namespaces/" + device.namespace() + "/conflicts/" + copyFileId + "/resolve", device.token(),
                body, Map.of());
    }

    private static long batchesOf(Device device) {
        return api.count("select count(*) from ingest.batches where account_id = ?::uuid", device.accountId());
    }

    @Test
    void anUnresolvedCopyIsListedWithBothSidesDevicesAndTimes() {
        Conflicted c = aConflict();

        Response r = client.get(c.phone(), "/v1/namespaces/" + c.laptop().namespace() + "/conflicts");

        assertThat(r.status()).isEqualTo(200);
        JsonNode conflicts = r.json().get("conflicts");
        assertThat(conflicts).hasSize(1);
        JsonNode copy = conflicts.get(0).get("copy");
        JsonNode original = conflicts.get(0).get("original");
        assertThat(conflicts.get(0).get("seq").asLong()).isEqualTo(3);
        assertThat(copy.get("fileId").asString()).isEqualTo("c");
        assertThat(copy.get("path").asString()).isEqualTo(c.copyPath());
        assertThat(copy.get("deviceName").asString()).isEqualTo("Phone");
        assertThat(copy.get("at").asString()).isEqualTo("2026-01-02T03:04:08Z");
        assertThat(original.get("fileId").asString()).isEqualTo("o");
        assertThat(original.get("path").asString()).isEqualTo("photo.jpg");
        assertThat(original.get("deleted").asBoolean()).isFalse();
        assertThat(original.get("deviceName").asString()).isEqualTo("Laptop");
        assertThat(original.get("at").asString()).isEqualTo("2026-01-02T03:04:07Z");
    }

    @Test
    void aCopyTheMergeWorkerReleasedStaysUnresolvedUntilSomeoneResolvesIt() {
        // given a text file and the phone's copy waiting for the merge
        Device laptop = client.newAccountWithDevice("released", "Laptop");
        Device phone = client.registerDevice(laptop.username(), "Phone");
        String chunk = client.upload(laptop, "text".getBytes(StandardCharsets.UTF_8));
        String ns = laptop.namespace();
        String copyPath = "notes (Phone's conflicted copy 2026-01-02).txt";
        String copyVector = "{\"" + laptop.id() + "\": 1, \"" + phone.id() + "\": 1}";
        event(ns, 1, "o", "notes.txt", "UPSERT", "{\"" + laptop.id() + "\": 2}", chunk, laptop.id(), null);
        event(ns, 2, "c", copyPath, "UPSERT", copyVector, chunk, phone.id(), "o", "batch-2", true);
        JsonNode pending = client.get(phone, "/v1/namespaces/" + ns + "/conflicts").json().get("conflicts");

        // when the merge worker releases it: written again as it is, in a batch under the key merge:<copy>
        String release = UUID.randomUUID().toString();
        api.execute("""
                insert into ingest.batches (id, account_id, device_id, namespace_id, idempotency_key, request_sha256,
                                            change_count, accepted_at)
                values (?::uuid, ?::uuid, ?::uuid, ?::uuid, 'merge:c', 'sha', 1, now())""",
                release, laptop.accountId(), laptop.id(), ns);
        event(ns, 3, "c", copyPath, "UPSERT", copyVector, chunk, laptop.id(), null, release, false);
        JsonNode released = client.get(phone, "/v1/namespaces/" + ns + "/conflicts").json().get("conflicts");

        // and then someone keeps both, writing the copy again as a file of its own
        event(ns, 4, "c", copyPath, "UPSERT", copyVector, chunk, phone.id(), null);
        JsonNode resolved = client.get(phone, "/v1/namespaces/" + ns + "/conflicts").json().get("conflicts");

        // then the copy was listed while waiting and once released, made by the phone, and no longer once resolved
        assertThat(pending).hasSize(1);
        assertThat(pending.get(0).get("mergePending").asBoolean()).isTrue();
        assertThat(released).hasSize(1);
        assertThat(released.get(0).get("seq").asLong()).isEqualTo(3);
        assertThat(released.get(0).get("mergePending").asBoolean()).isFalse();
        assertThat(released.get(0).get("copy").get("deviceName").asString()).isEqualTo("Phone");
        assertThat(released.get(0).get("original").get("fileId").asString()).isEqualTo("o");
        assertThat(resolved).isEmpty();
    }

    @Test
    void conflictsAreOnlyForMembers() {
        Conflicted c = aConflict();
        Device stranger = client.newAccountWithDevice("stranger", "Laptop");

        Response listed = client.get(stranger, "/v1/namespaces/" + c.laptop().namespace() + "/conflicts");
        Response resolved = client.send("POST", "/v1/namespaces/" + c.laptop().namespace() + "/conflicts/c/resolve",
                stranger.token(), Map.of("keep", "copy"), Map.of());

        assertThat(listed.status()).isEqualTo(404);
        assertThat(listed.problem()).isEqualTo("namespace-not-found");
        assertThat(resolved.status()).isEqualTo(404);
        assertThat(resolved.problem()).isEqualTo("namespace-not-found");
        assertThat(batchesOf(c.laptop())).isZero();
    }

    @Test
    void aBadKeepOrAFileThatIsNoUnresolvedCopyIsRefusedAndChangesNothing() {
        Conflicted c = aConflict();

        Response everything = resolve(c.phone(), "c", Map.of("keep", "everything"));
        Response missing = resolve(c.phone(), "c", Map.of());
        Response notText = resolve(c.phone(), "c", Map.of("keep", 1));
        Response original = resolve(c.phone(), "o", Map.of("keep", "copy"));
        Response unknown = resolve(c.phone(), "no-such-file", Map.of("keep", "copy"));

        assertThat(everything.status()).isEqualTo(400);
        assertThat(everything.problem()).isEqualTo("invalid-keep");
        assertThat(everything.json().get("detail").asString()).contains("\"copy\", \"original\" or \"both\"");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(notText.status()).isEqualTo(400);
        assertThat(original.status()).isEqualTo(404);
        assertThat(original.problem()).isEqualTo("conflict-not-found");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.problem()).isEqualTo("conflict-not-found");
        assertThat(batchesOf(c.laptop())).isZero();
    }

    @Test
    void keepingTheCopyIsOneBatchOfTwoChangesAndARetryGetsItAgainEvenAfterItWasApplied() {
        Conflicted c = aConflict();

        // when the phone keeps the copy, and retries
        Response first = resolve(c.phone(), "c", Map.of("keep", "copy"));
        Response retry = resolve(c.phone(), "c", Map.of("keep", "copy"));

        // then one batch carries the original's new content and the copy's deletion
        assertThat(first.status()).isEqualTo(202);
        String batchId = first.json().get("batchId").asString();
        assertThat(first.json().get("keep").asString()).isEqualTo("copy");
        assertThat(retry.json().get("batchId").asString()).isEqualTo(batchId);
        assertThat(batchesOf(c.laptop())).isEqualTo(1);
        assertThat(api.count("select change_count from ingest.batches where id = ?::uuid", batchId)).isEqualTo(2);

        // when the pipeline has applied it (the copy is deleted), a retry still gets the same batch
        event(c.laptop().namespace(), 4, "o", "photo.jpg", "UPSERT", "{\"" + c.laptop().id() + "\": 2, \"" + c.phone().id() + "\": 2}",
                client.upload(c.laptop(), "jpeg".getBytes(StandardCharsets.UTF_8)), c.phone().id(), null);
        event(c.laptop().namespace(), 5, "c", c.copyPath(), "DELETE", "{\"" + c.laptop().id() + "\": 1, \"" + c.phone().id() + "\": 2}",
                client.upload(c.laptop(), "jpeg".getBytes(StandardCharsets.UTF_8)), c.phone().id(), null);
        Response late = resolve(c.phone(), "c", Map.of("keep", "copy"));
        Response other = resolve(c.phone(), "c", Map.of("keep", "both"));

        assertThat(late.status()).isEqualTo(202);
        assertThat(late.json().get("batchId").asString()).isEqualTo(batchId);
        assertThat(other.status()).isEqualTo(404);
        assertThat(client.get(c.phone(), "/v1/namespaces/" + c.laptop().namespace() + "/conflicts").json().get("conflicts")).isEmpty();
        assertThat(batchesOf(c.laptop())).isEqualTo(1);
    }

    @Test
    void theCopyOfANameNearTheLimitCanBeResolvedAndEditedLikeAnyFile() {
        // given a 246-byte name that two devices created offline, the phone's file kept under the name the reconciler gives it
        Device laptop = client.newAccountWithDevice("long-names", "Laptop");
        Device phone = client.registerDevice(laptop.username(), "Phone");
        String chunk = client.upload(laptop, "jpeg".getBytes(StandardCharsets.UTF_8));
        String original = "Notes/" + "n".repeat(242) + ".txt";
        String copyPath = ConflictNames.conflictedCopy(original, "Phone", T0.toInstant());
        event(laptop.namespace(), 1, "o", original, "UPSERT", "{\"" + laptop.id() + "\": 1}", chunk, laptop.id(), null);
        event(laptop.namespace(), 2, "c", copyPath, "UPSERT", "{\"" + phone.id() + "\": 1}", chunk, phone.id(), "o");

        // when the phone keeps both, and edits the copy under its name
        Response resolved = resolve(phone, "c", Map.of("keep", "both"));
        Response edited = client.submit(phone, "edit-copy", ApiClient.oneFileBatch(laptop.namespace(), "c", copyPath,
                Map.of(phone.id(), 2), chunk, 4));

        // then both are accepted: the name is one a device can send back
        assertThat(copyPath.substring("Notes/".length()).getBytes(StandardCharsets.UTF_8)).hasSize(SyncPath.MAX_SEGMENT_BYTES);
        assertThat(resolved.status()).as(resolved.toString()).isEqualTo(202);
        assertThat(edited.status()).as(edited.toString()).isEqualTo(202);
    }
}
