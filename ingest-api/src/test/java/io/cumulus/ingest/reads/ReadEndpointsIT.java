package io.cumulus.ingest.reads;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Device;
import io.cumulus.ingest.ApiClient.Response;
import io.cumulus.ingest.RunningIngestApi;
import tools.jackson.databind.JsonNode;

/** The read endpoints over the projector's read model, whose rows these tests write directly. */
class ReadEndpointsIT {
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

    private static void feedRow(String ns, long seq, String fileId, String path, String op, String deviceId) {
        api.execute("""
                insert into readmodel.feed (namespace_id, seq, file_id, path, op, vector, chunks, size, device_id, batch_id,
                                            change_index, conflict_of, at)
                values (?::uuid, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, 0, null, ?)""",
                ns, seq, fileId, path, op, "{\"" + deviceId + "\": " + seq + "}",
                "[{\"id\": \"" + "a".repeat(64) + "\", \"size\": 3}]", 3L, deviceId, "batch-" + seq, T0.plusSeconds(seq));
    }

    private static void fileRow(String ns, String fileId, String path, boolean deleted, long seq, OffsetDateTime updatedAt) {
        api.execute("""
                insert into readmodel.files (namespace_id, file_id, path, deleted, vector, chunks, size, seq, device_id, updated_at)
                values (?::uuid, ?, ?, ?, '{"d": 1}'::jsonb, '[{"id": "%s", "size": 7}]'::jsonb, 7, ?, 'd', ?)""".formatted("b".repeat(64)),
                ns, fileId, path, deleted, seq, updatedAt);
    }

    @Test
    void aBatchIsPendingUntilEveryChangeHasAnOutcome() {
        // given an accepted batch of two changes
        Device laptop = client.newAccountWithDevice("batcher", "Laptop");
        String chunk = client.upload(laptop, "abc".getBytes(StandardCharsets.UTF_8));
        Map<String, Object> change = Map.of("fileId", "f", "path", "a.txt", "op", "UPSERT", "vector", Map.of(laptop.id(), 1),
                "size", 3, "chunks", List.of(Map.of("id", chunk, "size", 3)));
        Map<String, Object> other = Map.of("fileId", "g", "path", "b.txt", "op", "DELETE", "vector", Map.of(laptop.id(), 1));
        String batchId = client.submit(laptop, "k", Map.of("namespaceId", laptop.namespace(), "changes", List.of(change, other)))
                .json().get("batchId").asString();
        String outcome = """
                insert into readmodel.batch_outcomes (batch_id, change_index, namespace_id, device_id, file_id, path, kind, seq,
                                                      conflict_file_id, conflict_path, current_vector, decided_at)
                values (?, ?, ?::uuid, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, now())""";

        // when no outcome, then one, then both are projected, and last the event of the applied one
        JsonNode none = client.get(laptop, "/v1/batches/" + batchId).json();
        api.execute(outcome, batchId, 0, laptop.namespace(), laptop.id(), "f", "a.txt", "APPLIED", 7L, null, null, "{\"" + laptop.id() + "\": 1}");
        JsonNode one = client.get(laptop, "/v1/batches/" + batchId).json();
        api.execute(outcome, batchId, 1, laptop.namespace(), laptop.id(), "g", "b.txt", "CONFLICT", null, "g2", "b (conflict).txt", "{\"x\": 2}");
        JsonNode outcomesOnly = client.get(laptop, "/v1/batches/" + batchId).json();
        api.execute("""
                insert into readmodel.feed (namespace_id, seq, file_id, path, op, vector, chunks, size, device_id, batch_id,
                                            change_index, at)
                values (?::uuid, 7, 'f', 'a.txt', 'UPSERT', '{}'::jsonb, '[]'::jsonb, 3, ?, ?, 0, now())""",
                laptop.namespace(), laptop.id(), batchId);
        JsonNode both = client.get(laptop, "/v1/batches/" + batchId).json();

        // then the status follows (done only once the applied change can be pulled), with every outcome's details
        assertThat(none.get("status").asString()).isEqualTo("pending");
        assertThat(none.get("batchId").asString()).isEqualTo(batchId);
        assertThat(none.get("namespaceId").asString()).isEqualTo(laptop.namespace());
        assertThat(none.get("changes")).isEmpty();
        assertThat(one.get("status").asString()).isEqualTo("pending");
        assertThat(outcomesOnly.get("status").asString()).isEqualTo("pending");
        assertThat(both.get("status").asString()).isEqualTo("done");
        JsonNode applied = both.get("changes").get(0);
        assertThat(applied.get("changeIndex").asInt()).isZero();
        assertThat(applied.get("kind").asString()).isEqualTo("APPLIED");
        assertThat(applied.get("seq").asLong()).isEqualTo(7);
        assertThat(applied.get("currentVector").get(laptop.id()).asLong()).isEqualTo(1);
        JsonNode conflict = both.get("changes").get(1);
        assertThat(conflict.get("kind").asString()).isEqualTo("CONFLICT");
        assertThat(conflict.get("seq").isNull()).isTrue();
        assertThat(conflict.get("conflictFileId").asString()).isEqualTo("g2");
        assertThat(conflict.get("conflictPath").asString()).isEqualTo("b (conflict).txt");
    }

    @Test
    void aDeviceThatAsksForOutcomesWhenDoneGetsNoneWhilePendingAndAllOnceDone() {
        // given a batch of one change whose outcome is projected but whose event is not yet
        Device laptop = client.newAccountWithDevice("poller", "Laptop");
        String chunk = client.upload(laptop, "abc".getBytes(StandardCharsets.UTF_8));
        String batchId = client.submit(laptop, "k", ApiClient.oneFileBatch(laptop.namespace(), "f", "a.txt", Map.of(laptop.id(), 1), chunk, 3))
                .json().get("batchId").asString();
        api.execute("""
                insert into readmodel.batch_outcomes (batch_id, change_index, namespace_id, device_id, file_id, path, kind, seq,
                                                      conflict_file_id, conflict_path, current_vector, decided_at)
                values (?, 0, ?::uuid, ?, 'f', 'a.txt', 'APPLIED', 9, null, null, ?::jsonb, now())""",
                batchId, laptop.namespace(), laptop.id(), "{\"" + laptop.id() + "\": 1}");

        // when it is polled while pending, with and without the parameter, and again once its event is there
        JsonNode pendingBrief = client.get(laptop, "/v1/batches/" + batchId + "?outcomesWhenDone=true").json();
        JsonNode pendingFull = client.get(laptop, "/v1/batches/" + batchId).json();
        api.execute("""
                insert into readmodel.feed (namespace_id, seq, file_id, path, op, vector, chunks, size, device_id, batch_id,
                                            change_index, at)
                values (?::uuid, 9, 'f', 'a.txt', 'UPSERT', '{}'::jsonb, '[]'::jsonb, 3, ?, ?, 0, now())""",
                laptop.namespace(), laptop.id(), batchId);
        JsonNode done = client.get(laptop, "/v1/batches/" + batchId + "?outcomesWhenDone=true").json();

        // then the outcomes are left out only while the batch is pending and the device asked so
        assertThat(pendingBrief.get("status").asString()).isEqualTo("pending");
        assertThat(pendingBrief.get("changes")).isEmpty();
        assertThat(pendingFull.get("changes")).hasSize(1);
        assertThat(done.get("status").asString()).isEqualTo("done");
        assertThat(done.get("changes")).hasSize(1);
        assertThat(done.get("changes").get(0).get("seq").asLong()).isEqualTo(9);
    }

    @Test
    void onlyTheBatchsOwnAccountCanSeeIt() {
        Device owner = client.newAccountWithDevice("own", "Laptop");
        Device other = client.newAccountWithDevice("nosy", "Laptop");
        String chunk = client.upload(owner, "xyz".getBytes(StandardCharsets.UTF_8));
        String batchId = client.submit(owner, "k", ApiClient.oneFileBatch(owner.namespace(), "f", "a.txt", Map.of(owner.id(), 1), chunk, 3))
                .json().get("batchId").asString();

        assertThat(client.get(owner, "/v1/batches/" + batchId).status()).isEqualTo(200);
        Response foreign = client.get(other, "/v1/batches/" + batchId);
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.problem()).isEqualTo("batch-not-found");
        assertThat(client.get(owner, "/v1/batches/" + UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(client.get(owner, "/v1/batches/not-a-uuid").status()).isEqualTo(404);
    }

    @Test
    void theFeedPagesThroughANamespaceInSequenceOrder() {
        // given five events in a namespace, inserted out of order
        Device laptop = client.newAccountWithDevice("feeder", "Laptop");
        String ns = laptop.namespace();
        for (long seq : new long[] {3, 1, 5, 2, 4}) {
            feedRow(ns, seq, "f" + seq, "p/" + seq + ".txt", seq == 5 ? "DELETE" : "UPSERT", laptop.id());
        }

        // when read from the start, in pages, and past the end
        JsonNode all = client.get(laptop, "/v1/namespaces/" + ns + "/changes?after=0").json();
        JsonNode page = client.get(laptop, "/v1/namespaces/" + ns + "/changes?after=2&limit=2").json();
        JsonNode end = client.get(laptop, "/v1/namespaces/" + ns + "/changes?after=5").json();

        // then each is in order with the cursor for the next call
        assertThat(all.get("namespaceId").asString()).isEqualTo(ns);
        assertThat(all.get("changes")).extracting(c -> c.get("seq").asLong()).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(all.get("lastSeq").asLong()).isEqualTo(5);
        assertThat(page.get("changes")).extracting(c -> c.get("seq").asLong()).containsExactly(3L, 4L);
        assertThat(page.get("lastSeq").asLong()).isEqualTo(4);
        assertThat(end.get("changes")).isEmpty();
        assertThat(end.get("lastSeq").asLong()).isEqualTo(5);
        JsonNode first = all.get("changes").get(0);
        assertThat(first.get("fileId").asString()).isEqualTo("f1");
        assertThat(first.get("path").asString()).isEqualTo("p/1.txt");
        assertThat(first.get("op").asString()).isEqualTo("UPSERT");
        assertThat(first.get("vector").get(laptop.id()).asLong()).isEqualTo(1);
        assertThat(first.get("chunks").get(0).get("id").asString()).isEqualTo("a".repeat(64));
        assertThat(first.get("chunks").get(0).get("size").asLong()).isEqualTo(3);
        assertThat(first.get("size").asLong()).isEqualTo(3);
        assertThat(first.get("deviceId").asString()).isEqualTo(laptop.id());
        assertThat(first.get("batchId").asString()).isEqualTo("batch-1");
        assertThat(first.get("changeIndex").asInt()).isZero();
        assertThat(first.get("conflictOf").isNull()).isTrue();
        assertThat(first.get("at").asString()).isEqualTo("2026-01-02T03:04:06Z");
        assertThat(all.get("changes").get(4).get("op").asString()).isEqualTo("DELETE");
    }

    @Test
    void readingTheFeedRecordsEachDevicesCursorWhichOnlyMovesForward() {
        // given a namespace with three events and two devices of its account
        Device laptop = client.newAccountWithDevice("cursors", "Laptop");
        Device phone = client.registerDevice(laptop.username(), "Phone");
        String ns = laptop.namespace();
        for (long seq = 1; seq <= 3; seq++) {
            feedRow(ns, seq, "f" + seq, "c/" + seq + ".txt", "UPSERT", laptop.id());
        }

        // when the laptop reads after 3, then (a stale retry) after 1, and the phone from the start
        client.get(laptop, "/v1/namespaces/" + ns + "/changes?after=3");
        client.get(laptop, "/v1/namespaces/" + ns + "/changes?after=1");
        client.get(phone, "/v1/namespaces/" + ns + "/changes?after=0");

        // then each device's cursor is the highest it acknowledged, beside the namespace's last seq
        Response cursors = client.get(phone, "/v1/namespaces/" + ns + "/devices/cursors");
        assertThat(cursors.status()).isEqualTo(200);
        assertThat(cursors.json().get("lastSeq").asLong()).isEqualTo(3);
        Map<String, Long> byDevice = new java.util.HashMap<>();
        cursors.json().get("devices").forEach(d -> byDevice.put(d.get("deviceId").asString(), d.get("seq").asLong()));
        assertThat(byDevice).isEqualTo(Map.of(laptop.id(), 3L, phone.id(), 0L));
        assertThat(cursors.json().get("devices").get(0).get("updatedAt").isNull()).isFalse();
        // and another account cannot see them
        Device stranger = client.newAccountWithDevice("cursor-stranger", "Laptop");
        assertThat(client.get(stranger, "/v1/namespaces/" + ns + "/devices/cursors").status()).isEqualTo(404);
    }

    @Test
    void readingPastTheHeadAnswersTheHeadAndRecordsNoCursorBeyondIt() {
        // given a namespace whose head is 2, and an empty one
        Device laptop = client.newAccountWithDevice("past-head", "Laptop");
        String ns = laptop.namespace();
        for (long seq = 1; seq <= 2; seq++) {
            feedRow(ns, seq, "f" + seq, "h/" + seq + ".txt", "UPSERT", laptop.id());
        }

        // when the laptop asks for the changes after 7
        JsonNode feed = client.get(laptop, "/v1/namespaces/" + ns + "/changes?after=7").json();

        // then it gets none, the true head as its next cursor, and its recorded cursor is the head
        assertThat(feed.get("changes")).isEmpty();
        assertThat(feed.get("lastSeq").asLong()).isEqualTo(2);
        JsonNode cursors = client.get(laptop, "/v1/namespaces/" + ns + "/devices/cursors").json();
        assertThat(cursors.get("devices")).singleElement()
                .satisfies(d -> assertThat(d.get("seq").asLong()).isEqualTo(2));

        // and once the namespace moves on to 3, the next call from that cursor brings the change
        feedRow(ns, 3, "f3", "h/3.txt", "UPSERT", laptop.id());
        JsonNode next = client.get(laptop, "/v1/namespaces/" + ns + "/changes?after=" + feed.get("lastSeq").asLong()).json();
        assertThat(next.get("changes")).extracting(c -> c.get("seq").asLong()).containsExactly(3L);
    }

    @Test
    void aCursorRecordedPastTheHeadReadsAsTheHead() {
        // given a namespace whose head is 1, and a cursor at 9 recorded for its device (as older servers did)
        Device laptop = client.newAccountWithDevice("legacy-cursor", "Laptop");
        String ns = laptop.namespace();
        feedRow(ns, 1, "f1", "l/1.txt", "UPSERT", laptop.id());
        api.execute("insert into ingest.device_cursors (namespace_id, device_id, seq) values (?::uuid, ?::uuid, 9)", ns,
                laptop.id());

        // when the cursors are read, then the device is at the head, not past it
        JsonNode cursors = client.get(laptop, "/v1/namespaces/" + ns + "/devices/cursors").json();
        assertThat(cursors.get("lastSeq").asLong()).isEqualTo(1);
        assertThat(cursors.get("devices")).singleElement().satisfies(d -> assertThat(d.get("seq").asLong()).isEqualTo(1));
    }

    @Test
    void badFeedParametersAreRefused() {
        Device laptop = client.newAccountWithDevice("params", "Laptop");
        String feed = "/v1/namespaces/" + laptop.namespace() + "/changes";
        for (String query : new String[] {"?after=-1", "?after=abc", "?limit=0", "?limit=-1", "?limit=1001", "?limit=ten", "?after=1.5",
                "?after=99999999999999999999"}) {
            Response r = client.get(laptop, feed + query);
            assertThat(r.status()).as(query).isEqualTo(400);
            assertThat(r.problem()).as(query).isEqualTo("invalid-parameter");
        }
        assertThat(client.get(laptop, feed + "?limit=1000").status()).isEqualTo(200);
    }

    @Test
    void theListingHasTheLiveFilesUnderAPrefixByPath() {
        // given files, one deleted, some with LIKE pattern characters in their names
        Device laptop = client.newAccountWithDevice("lister", "Laptop");
        String ns = laptop.namespace();
        fileRow(ns, "f1", "docs/b.txt", false, 1, T0);
        fileRow(ns, "f2", "docs/a.txt", false, 2, T0);
        fileRow(ns, "f3", "docs/gone.txt", true, 3, T0);
        fileRow(ns, "f4", "docsXother.txt", false, 4, T0);
        fileRow(ns, "f5", "100%_done/x.txt", false, 5, T0);
        fileRow(ns, "f6", "100abdone/y.txt", false, 6, T0);

        // when listed under prefixes
        JsonNode docs = client.get(laptop, "/v1/namespaces/" + ns + "/files?prefix=docs/").json();
        JsonNode pattern = client.get(laptop, "/v1/namespaces/" + ns + "/files?prefix=100%25_").json();
        JsonNode all = client.get(laptop, "/v1/namespaces/" + ns + "/files").json();

        // then only live files whose path starts with the prefix, byte-exact, sorted by path
        assertThat(docs.get("namespaceId").asString()).isEqualTo(ns);
        assertThat(docs.get("files")).extracting(f -> f.get("path").asString()).containsExactly("docs/a.txt", "docs/b.txt");
        assertThat(pattern.get("files")).extracting(f -> f.get("fileId").asString()).containsExactly("f5");
        assertThat(all.get("files")).hasSize(5);
        JsonNode a = docs.get("files").get(0);
        assertThat(a.get("fileId").asString()).isEqualTo("f2");
        assertThat(a.get("size").asLong()).isEqualTo(7);
        assertThat(a.get("vector").get("d").asLong()).isEqualTo(1);
        assertThat(a.get("chunks").get(0).get("size").asLong()).isEqualTo(7);
        assertThat(a.get("seq").asLong()).isEqualTo(2);
        assertThat(a.get("updatedAt").asString()).isEqualTo("2026-01-02T03:04:05Z");
    }

    @Test
    void aCopyWaitingForItsMergeIsMarkedSoInTheFeedTheListingAndTheFile() {
        // given a file and a conflicted copy of it waiting for the merge worker
        Device laptop = client.newAccountWithDevice("pending", "Laptop");
        String ns = laptop.namespace();
        feedRow(ns, 1, "f", "notes.txt", "UPSERT", laptop.id());
        fileRow(ns, "f", "notes.txt", false, 1, T0);
        feedRow(ns, 2, "c", "notes (Phone's conflicted copy 2026-01-02).txt", "UPSERT", laptop.id());
        fileRow(ns, "c", "notes (Phone's conflicted copy 2026-01-02).txt", false, 2, T0);
        api.execute("update readmodel.feed set merge_pending = true, conflict_of = 'f' where namespace_id = ?::uuid and seq = 2", ns);
        api.execute("update readmodel.files set merge_pending = true where namespace_id = ?::uuid and file_id = 'c'", ns);

        // when a device reads the feed, the listing and each file
        JsonNode feed = client.get(laptop, "/v1/namespaces/" + ns + "/changes").json().get("changes");
        JsonNode listing = client.get(laptop, "/v1/namespaces/" + ns + "/files").json().get("files");

        // then each says whether it waits for the merge
        assertThat(feed).extracting(e -> e.get("fileId").asString() + " " + e.get("mergePending").asBoolean())
                .containsExactly("f false", "c true");
        assertThat(listing).extracting(e -> e.get("fileId").asString() + " " + e.get("mergePending").asBoolean())
                .containsExactly("c true", "f false");
        assertThat(client.get(laptop, "/v1/files/c").json().get("mergePending").asBoolean()).isTrue();
        assertThat(client.get(laptop, "/v1/files/f").json().get("mergePending").asBoolean()).isFalse();
    }

    @Test
    void aFileIsFoundAmongTheNamespacesTheAccountCanReadAndNowhereElse() {
        // given a file in one account's home and one with the same id in a stranger's
        Device laptop = client.newAccountWithDevice("finder", "Laptop");
        Device stranger = client.newAccountWithDevice("hider", "Laptop");
        fileRow(laptop.namespace(), "shared-id", "mine.txt", false, 1, T0);
        fileRow(stranger.namespace(), "shared-id", "theirs.txt", false, 1, T0.plusDays(1));
        fileRow(stranger.namespace(), "only-theirs", "secret.txt", false, 2, T0);
        fileRow(laptop.namespace(), "deleted-one", "was.txt", true, 3, T0);

        // then each account sees only its own
        JsonNode mine = client.get(laptop, "/v1/files/shared-id").json();
        assertThat(mine.get("namespaceId").asString()).isEqualTo(laptop.namespace());
        assertThat(mine.get("path").asString()).isEqualTo("mine.txt");
        assertThat(mine.get("deleted").asBoolean()).isFalse();
        assertThat(mine.get("chunks").get(0).get("id").asString()).isEqualTo("b".repeat(64));
        assertThat(client.get(stranger, "/v1/files/shared-id").json().get("path").asString()).isEqualTo("theirs.txt");
        Response secret = client.get(laptop, "/v1/files/only-theirs");
        assertThat(secret.status()).isEqualTo(404);
        assertThat(secret.problem()).isEqualTo("file-not-found");
        assertThat(client.get(laptop, "/v1/files/only-theirs?namespace=" + stranger.namespace()).status()).isEqualTo(404);
        assertThat(client.get(laptop, "/v1/files/shared-id?namespace=" + laptop.namespace()).status()).isEqualTo(200);
        assertThat(client.get(laptop, "/v1/files/shared-id?namespace=nonsense").status()).isEqualTo(404);
        assertThat(client.get(laptop, "/v1/files/deleted-one").json().get("deleted").asBoolean()).isTrue();
    }

    @Test
    void readingNeedsMembershipOfAnyRole() {
        // given a shared namespace where one account is a viewer, and an outsider
        Device owner = client.newAccountWithDevice("host", "Laptop");
        Device viewer = client.newAccountWithDevice("guest", "Laptop");
        Device outsider = client.newAccountWithDevice("outsider", "Laptop");
        UUID shared = UUID.randomUUID();
        api.execute("insert into ingest.namespaces (id, kind, name, owner_account) values (?, 'shared', 'Album', ?::uuid)", shared, owner.accountId());
        api.execute("insert into ingest.namespace_members values (?, ?::uuid, 'owner'), (?, ?::uuid, 'viewer')",
                shared, owner.accountId(), shared, viewer.accountId());
        feedRow(shared.toString(), 1, "p", "photo.jpg", "UPSERT", owner.id());
        fileRow(shared.toString(), "p", "photo.jpg", false, 1, T0);

        // then the viewer reads, the outsider gets the answer of a namespace that does not exist
        assertThat(client.get(viewer, "/v1/namespaces/" + shared + "/changes").json().get("changes")).hasSize(1);
        assertThat(client.get(viewer, "/v1/namespaces/" + shared + "/files").json().get("files")).hasSize(1);
        assertThat(client.get(viewer, "/v1/files/p").json().get("namespaceId").asString()).isEqualTo(shared.toString());
        for (String path : new String[] {"/v1/namespaces/" + shared + "/changes", "/v1/namespaces/" + shared + "/files",
                "/v1/namespaces/" + UUID.randomUUID() + "/changes", "/v1/namespaces/not-a-uuid/files"}) {
            Response r = client.get(outsider, path);
            assertThat(r.status()).as(path).isEqualTo(404);
            assertThat(r.problem()).as(path).isEqualTo("namespace-not-found");
        }
        assertThat(client.get(outsider, "/v1/files/p").status()).isEqualTo(404);
    }
}
