package io.cumulus.ingest.changes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Device;
import io.cumulus.ingest.ApiClient.Response;
import io.cumulus.ingest.RunningIngestApi;
import io.cumulus.ingest.RunningIngestApi.Footprint;
import io.cumulus.ingest.auth.DeviceSession;
import io.cumulus.ingest.chunks.ChunkId;
import io.cumulus.schemas.FileOp;
import io.cumulus.sync.path.SyncPath;
import io.cumulus.sync.vector.VersionVector;

/**
 * A version vector may count only edits the server has accepted, by devices of the namespace's
 * members (and the server's entries for them): anything else is a 400 {@code invalid-vector} that
 * stores nothing.
 */
class VectorValidationIT {
    /** Recent, so the retention policy keeps every version these tests write. */
    private static final OffsetDateTime T0 = OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(5);
    private static final byte[] CONTENT = "vector\n".getBytes(StandardCharsets.UTF_8);

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

    private static Response submit(Device device, String key, String ns, String fileId, Map<String, ?> vector) {
        String chunk = client.upload(device, CONTENT);
        return client.submit(device, key, ApiClient.oneFileBatch(ns, fileId, fileId + ".txt", vector, chunk, CONTENT.length));
    }

    private static Map<String, Object> vector(Object... deviceCounterPairs) {
        Map<String, Object> v = new LinkedHashMap<>();
        for (int i = 0; i < deviceCounterPairs.length; i += 2) {
            v.put((String) deviceCounterPairs[i], deviceCounterPairs[i + 1]);
        }
        return v;
    }

    private static long counterOf(String ns, String device) {
        return api.count("select coalesce(max(max_counter), 0) from ingest.device_counters where namespace_id = ?::uuid and device = ?",
                UUID.fromString(ns), device);
    }

    private static long allCounters() {
        return api.count("select count(*) + coalesce(sum(max_counter), 0) from ingest.device_counters");
    }

    private static void assertInvalidVector(Response r, String detailPart) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.problem()).isEqualTo("invalid-vector");
        assertThat(r.json().get("detail").asString()).contains(detailPart);
    }

    @Test
    void keysThatAreNotDevicesOfTheNamespaceAndImpossibleCountersAreRefusedAndStoreNothing() {
        // given a laptop, a phone of the same account that has not submitted yet, and a stranger who has
        Device laptop = client.newAccountWithDevice("vectors", "Laptop");
        Device phone = client.registerDevice(laptop.username(), "Phone");
        Device stranger = client.newAccountWithDevice("stranger", "Laptop");
        assertThat(submit(stranger, "s", stranger.namespace(), "s", vector(stranger.id(), 5)).status()).isEqualTo(202);
        String ns = laptop.namespace();
        client.upload(laptop, CONTENT);
        Footprint before = api.footprint();
        long countersBefore = allCounters();

        // when a vector names something else, or counts what no one claimed
        Response word = submit(laptop, "word", ns, "f", vector(laptop.id(), 1, "laptop", 1));
        Response uppercase = submit(laptop, "uppercase", ns, "f", vector(laptop.id(), 1, phone.id().toUpperCase(), 1));
        Response random = submit(laptop, "random", ns, "f", vector(laptop.id(), 1, UUID.randomUUID().toString(), 1));
        Response strangers = submit(laptop, "strangers", ns, "f", vector(laptop.id(), 1, stranger.id(), 1));
        Response randomServer = submit(laptop, "random-server", ns, "f", vector(laptop.id(), 1, "server:" + UUID.randomUUID(), 1));
        Response unclaimed = submit(laptop, "unclaimed", ns, "f", vector(laptop.id(), 1, phone.id(), 1));
        Response serverNeverActed = submit(laptop, "server-never", ns, "f", vector(laptop.id(), 1, "server:" + laptop.id(), 1));
        Response zero = submit(laptop, "zero", ns, "f", vector(laptop.id(), 0));
        Response negative = submit(laptop, "negative", ns, "f", vector(laptop.id(), -3));
        Response beyond = submit(laptop, "beyond", ns, "f", vector(laptop.id(), VersionVector.MAX_COUNTER + 1));
        Response longMax = submit(laptop, "long-max", ns, "f", vector(laptop.id(), Long.MAX_VALUE));
        Response text = submit(laptop, "text", ns, "f", vector(laptop.id(), "1"));

        // then each is an invalid vector, and nothing was stored
        assertInvalidVector(word, "a device id");
        assertInvalidVector(uppercase, "a device id");
        assertInvalidVector(random, "not a device of this namespace's members");
        assertInvalidVector(strangers, "not a device of this namespace's members");
        assertInvalidVector(randomServer, "not a device of this namespace's members");
        assertInvalidVector(unclaimed, "only claimed up to 0");
        assertInvalidVector(serverNeverActed, "only claimed up to 0");
        assertInvalidVector(zero, "from 1");
        assertInvalidVector(negative, "from 1");
        assertInvalidVector(beyond, String.valueOf(VersionVector.MAX_COUNTER));
        assertInvalidVector(longMax, String.valueOf(VersionVector.MAX_COUNTER));
        assertInvalidVector(text, "from 1");
        assertThat(unclaimed.json().get("changeIndex").asInt()).isZero();
        assertThat(api.footprint()).isEqualTo(before);
        assertThat(allCounters()).isEqualTo(countersBefore);
    }

    @Test
    void aVectorCountsAnotherDevicesEditsOnlyUpToTheHighestThatDeviceClaimed() {
        // given a phone that made its third edit of a file
        Device laptop = client.newAccountWithDevice("counts", "Laptop");
        Device phone = client.registerDevice(laptop.username(), "Phone");
        String ns = laptop.namespace();
        assertThat(submit(phone, "p3", ns, "f", vector(phone.id(), 3)).status()).isEqualTo(202);

        // when the laptop edits on top of it, and then claims a fourth phone edit no one made
        Response seen = submit(laptop, "seen", ns, "f", vector(phone.id(), 3, laptop.id(), 1));
        Response unseen = submit(laptop, "unseen", ns, "g", vector(phone.id(), 4, laptop.id(), 2));

        // then the first is accepted and the second refused, and each device's own counter is recorded
        assertThat(seen.status()).as(seen.toString()).isEqualTo(202);
        assertInvalidVector(unseen, "only claimed up to 3");
        assertThat(counterOf(ns, phone.id())).isEqualTo(3);
        assertThat(counterOf(ns, laptop.id())).isEqualTo(1);
        // and a device's own counter only grows
        assertThat(submit(phone, "p2", ns, "h", vector(phone.id(), 2)).status()).isEqualTo(202);
        assertThat(counterOf(ns, phone.id())).isEqualTo(3);
    }

    @Test
    void aRetryGetsTheSameAnswerAndARevokedDevicesPastEditsStayCountable() {
        // given a batch that counts the phone's edit, accepted
        Device laptop = client.newAccountWithDevice("retries", "Laptop");
        Device phone = client.registerDevice(laptop.username(), "Phone");
        String ns = laptop.namespace();
        assertThat(submit(phone, "p", ns, "f", vector(phone.id(), 2)).status()).isEqualTo(202);
        Response first = submit(laptop, "k", ns, "f", vector(phone.id(), 2, laptop.id(), 1));
        assertThat(first.status()).isEqualTo(202);

        // when the phone is revoked, and the laptop retries and then edits again
        assertThat(client.send("DELETE", "/v1/devices/" + phone.id(), laptop.token(), null, Map.of()).status()).isEqualTo(204);
        Response retry = submit(laptop, "k", ns, "f", vector(phone.id(), 2, laptop.id(), 1));
        Response next = submit(laptop, "k2", ns, "f", vector(phone.id(), 2, laptop.id(), 2));
        Response revokedSubmits = submit(laptop, "k3", ns, "f", vector(phone.id(), 3, laptop.id(), 3));

        // then the retry is the same batch, the edit is accepted, and the revoked phone can make no new edits
        assertThat(retry.status()).isEqualTo(202);
        assertThat(retry.json().get("batchId").asString()).isEqualTo(first.json().get("batchId").asString());
        assertThat(next.status()).as(next.toString()).isEqualTo(202);
        assertInvalidVector(revokedSubmits, "only claimed up to 2");
    }

    @Test
    void membersOfASharedNamespaceCountEachOthersEditsEvenAfterOneLeaves() {
        // given a shared namespace of an owner and an editor, where the editor made an edit
        Device owner = client.newAccountWithDevice("owner", "Laptop");
        Device editor = client.newAccountWithDevice("editor", "Laptop");
        Device outsider = client.newAccountWithDevice("outsider", "Laptop");
        UUID shared = UUID.randomUUID();
        api.execute("insert into ingest.namespaces (id, kind, name, owner_account) values (?, 'shared', 'Family', ?::uuid)",
                shared, owner.accountId());
        api.execute("insert into ingest.namespace_members values (?, ?::uuid, 'owner'), (?, ?::uuid, 'editor')",
                shared, owner.accountId(), shared, editor.accountId());
        String ns = shared.toString();
        assertThat(submit(editor, "e", ns, "f", vector(editor.id(), 1)).status()).isEqualTo(202);
        assertThat(submit(outsider, "o", outsider.namespace(), "f", vector(outsider.id(), 1)).status()).isEqualTo(202);

        // when the owner edits on top of it, an outsider's device is named, and the editor leaves
        Response onTop = submit(owner, "on-top", ns, "f", vector(editor.id(), 1, owner.id(), 1));
        Response outsiders = submit(owner, "outsiders", ns, "g", vector(outsider.id(), 1, owner.id(), 2));
        api.execute("delete from ingest.namespace_members where namespace_id = ? and account_id = ?::uuid", shared, editor.accountId());
        Response afterLeaving = submit(owner, "after", ns, "f", vector(editor.id(), 1, owner.id(), 3));

        // then the members' devices count, the outsider's does not, and a former member's past edits still do
        assertThat(onTop.status()).as(onTop.toString()).isEqualTo(202);
        assertInvalidVector(outsiders, "not a device of this namespace's members");
        assertThat(afterLeaving.status()).as(afterLeaving.toString()).isEqualTo(202);
    }

    @Test
    void theMergeDevicesCounterIsRecordedWhenItSubmitsAndBoundsWhatOthersClaimForIt() {
        // given the account's merge device, which submits a merge through the intake as the merge worker does
        Device laptop = client.newAccountWithDevice("merged", "Laptop");
        String ns = laptop.namespace();
        assertThat(submit(laptop, "l1", ns, "f", vector(laptop.id(), 1)).status()).isEqualTo(202);
        UUID merge = UUID.nameUUIDFromBytes(("cumulus:merge:" + laptop.accountId()).getBytes(StandardCharsets.UTF_8));
        api.execute("insert into ingest.devices (id, account_id, name, token_sha256) values (?, ?::uuid, 'Cumulus', ?)",
                merge, laptop.accountId(), UUID.randomUUID().toString());
        String chunk = client.upload(laptop, CONTENT);
        FileChange merged = new FileChange("f", SyncPath.parse("f.txt"), FileOp.UPSERT,
                new java.util.TreeMap<>(Map.of(laptop.id(), 1L, merge.toString(), 1L)),
                List.of(new FileChange.ChunkRef(new ChunkId(chunk), CONTENT.length)), CONTENT.length, OptionalLong.empty());
        BatchIntake intake = api.context().getBean(BatchIntake.class);

        // when it submits, and the laptop then edits on top of the merge, or claims a merge that did not happen
        BatchIntake.Accepted accepted = intake.accept(new DeviceSession(merge, UUID.fromString(laptop.accountId()), "Cumulus"),
                new IdempotencyKey("merge:copy-1"), new ChangeBatch(ns, List.of(merged)));
        Response onTop = submit(laptop, "l2", ns, "f", vector(laptop.id(), 2, merge.toString(), 1));
        Response invented = submit(laptop, "l3", ns, "f", vector(laptop.id(), 3, merge.toString(), 2));

        // then the merge is accepted and its counter recorded, and only what it did can be counted
        assertThat(accepted.created()).isTrue();
        assertThat(counterOf(ns, merge.toString())).isEqualTo(1);
        assertThat(onTop.status()).as(onTop.toString()).isEqualTo(202);
        assertInvalidVector(invented, "only claimed up to 1");
    }

    @Test
    void aRestoreCountsUnderTheServersEntryWhichTheDeviceMayThenCount() {
        // given a file the laptop wrote twice, as the read model shows it
        Device laptop = client.newAccountWithDevice("restorer", "Laptop");
        String ns = laptop.namespace();
        String chunk = client.upload(laptop, CONTENT);
        assertThat(submit(laptop, "v1", ns, "f", vector(laptop.id(), 1)).status()).isEqualTo(202);
        assertThat(submit(laptop, "v2", ns, "f", vector(laptop.id(), 2)).status()).isEqualTo(202);
        for (int seq = 1; seq <= 2; seq++) {
            projected(ns, seq, "f", "f.txt", "{\"" + laptop.id() + "\": " + seq + "}", chunk, laptop.id());
        }

        // when the laptop restores the first version, and then edits on top of the restore, or beyond it
        Response restored = client.send("POST", "/v1/files/f/restore", laptop.token(), Map.of("version", 1), Map.of());
        Response onTop = submit(laptop, "v3", ns, "f", vector(laptop.id(), 3, "server:" + laptop.id(), 1));
        Response beyond = submit(laptop, "v4", ns, "f", vector(laptop.id(), 4, "server:" + laptop.id(), 2));

        // then the restore passes the rules and counts under the server's entry, which bounds what the device claims
        assertThat(restored.status()).as(restored.toString()).isEqualTo(202);
        assertThat(counterOf(ns, "server:" + laptop.id())).isEqualTo(1);
        assertThat(onTop.status()).as(onTop.toString()).isEqualTo(202);
        assertInvalidVector(beyond, "only claimed up to 1");
    }

    /** A feed row and the file's row, as the projector writes them for an applied upsert. */
    private static void projected(String ns, long seq, String fileId, String path, String vector, String chunk, String deviceId) {
        String chunks = "[{\"id\": \"" + chunk + "\", \"size\": " + CONTENT.length + "}]";
        api.execute("""
                insert into readmodel.feed (namespace_id, seq, file_id, path, op, vector, chunks, size, device_id, batch_id,
                                            change_index, conflict_of, at)
                values (?::uuid, ?, ?, ?, 'UPSERT', ?::jsonb, ?::jsonb, ?, ?, ?, 0, null, ?)""",
                ns, seq, fileId, path, vector, chunks, CONTENT.length, deviceId, "batch-" + seq, T0.plusSeconds(seq));
        api.execute("""
                insert into readmodel.files (namespace_id, file_id, path, deleted, vector, chunks, size, seq, device_id, updated_at)
                values (?::uuid, ?, ?, false, ?::jsonb, ?::jsonb, ?, ?, ?, ?)
                on conflict (namespace_id, file_id) do update set vector = excluded.vector, seq = excluded.seq,
                    updated_at = excluded.updated_at""",
                ns, fileId, path, vector, chunks, CONTENT.length, seq, deviceId, T0.plusSeconds(seq));
    }
}
