package io.cumulus.ingest.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Device;
import io.cumulus.ingest.ApiClient.Response;
import io.cumulus.ingest.IngestDatabase;
import io.cumulus.ingest.RunningIngestApi;
import tools.jackson.databind.JsonNode;

/**
 * The audit chain against real PostgreSQL: entries appended by API calls (deleting through a batch,
 * restoring a version), read back by their account only, verified intact, and every kind of tampering
 * done with SQL (an edited entry, a removed middle or last entry, two entries swapped) found at the right
 * seq by the verifier and by {@code GET /v1/admin/audit/verify}.
 */
class AuditChainIT {
    private static final byte[] CONTENT = "audited\n".getBytes(StandardCharsets.UTF_8);

    private static RunningIngestApi api;
    private static ApiClient client;
    private static AuditVerifier verifier;

    @BeforeAll
    static void start() {
        api = RunningIngestApi.start();
        client = api.client();
        verifier = api.context().getBean(AuditVerifier.class);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void deletionsAndRestoresAreRecordedOnTheAccountsChainWhichVerifies() {
        // given a device that creates a file, deletes it in a batch, and restores it from the trash
        Device laptop = client.newAccountWithDevice("restorer", "Laptop");
        String chunk = client.upload(laptop, CONTENT);
        assertThat(client.submit(laptop, "create", ApiClient.oneFileBatch(laptop.namespace(), "f-1", "notes/todo.txt",
                Map.of(laptop.id(), 1), chunk, CONTENT.length)).status()).isEqualTo(202);
        Response deleted = deleteBatch(laptop, "delete", 2, "f-1", "notes/todo.txt", "f-2", "other.txt");
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(202);
        projectedCreateThenDelete(laptop, "f-1", "notes/todo.txt", chunk);
        Response restored = client.send("POST", "/v1/files/f-1/restore", laptop.token(), Map.of("version", 1), Map.of());
        assertThat(restored.status()).as(restored.toString()).isEqualTo(202);
        // a retried restore changes nothing and records nothing more
        Response retried = client.send("POST", "/v1/files/f-1/restore", laptop.token(), Map.of("version", 1), Map.of());
        assertThat(retried.json().get("batchId").asString()).isEqualTo(restored.json().get("batchId").asString());

        // when the account reads its log
        Response log = client.get(laptop, "/v1/audit");

        // then it holds the laptop's registration, the deletion (count, paths) and the restore, by the laptop, oldest first
        assertThat(log.status()).as(log.toString()).isEqualTo(200);
        JsonNode entries = log.json().get("entries");
        assertThat(entries).hasSize(3);
        assertThat(entries.get(0).get("seq").asLong()).isEqualTo(1);
        assertThat(entries.get(0).get("action").asString()).isEqualTo("device-registered");
        assertThat(entries.get(0).get("details").toString()).contains(laptop.id()).doesNotContain("password");
        JsonNode deletion = entries.get(1);
        assertThat(deletion.get("seq").asLong()).isEqualTo(2);
        assertThat(deletion.get("action").asString()).isEqualTo("files-deleted");
        assertThat(deletion.get("deviceId").asString()).isEqualTo(laptop.id());
        assertThat(deletion.get("deviceName").asString()).isEqualTo("Laptop");
        assertThat(deletion.get("at").asString()).matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z");
        assertThat(deletion.get("details").get("count").asString()).isEqualTo("2");
        assertThat(deletion.get("details").get("path1").asString()).isEqualTo("notes/todo.txt");
        assertThat(deletion.get("details").get("path2").asString()).isEqualTo("other.txt");
        assertThat(deletion.get("details").get("batchId").asString()).isEqualTo(deleted.json().get("batchId").asString());
        JsonNode restore = entries.get(2);
        assertThat(restore.get("action").asString()).isEqualTo("file-restored");
        assertThat(restore.get("details").get("fileId").asString()).isEqualTo("f-1");
        assertThat(restore.get("details").get("undeleted").asString()).isEqualTo("true");
        assertThat(log.json().get("head").get("seq").asLong()).isEqualTo(3);
        assertThat(log.json().get("head").get("hash").asString()).isEqualTo(restore.get("hash").asString());
        assertThat(log.json().get("next").isNull()).isTrue();

        // and the chain verifies, by the verifier and the admin endpoint
        AccountVerification verified = verifier.verify(UUID.fromString(laptop.accountId()), laptop.username());
        assertThat(verified.intact()).isTrue();
        assertThat(verified.checked()).isEqualTo(3);
        JsonNode report = adminVerify(laptop.username());
        assertThat(report.get("intact").asBoolean()).isTrue();
        assertThat(report.get("results").get(0).get("checked").asLong()).isEqualTo(3);
        assertThat(report.get("results").get(0).get("firstBadSeq").isNull()).isTrue();
    }

    @Test
    void aDeletionInAFolderSharedByAnotherAccountIsOnBothChains() {
        // given alice's shared namespace, of which bob is an editor
        Device alice = client.newAccountWithDevice("sharer", "Alice's laptop");
        Device bob = client.newAccountWithDevice("editor", "Bob's laptop");
        UUID shared = UUID.randomUUID();
        api.execute("insert into ingest.namespaces (id, kind, name, owner_account) values (?, 'shared', 'Family', ?::uuid)",
                shared, alice.accountId());
        api.execute("insert into ingest.namespace_members (namespace_id, account_id, role) values (?, ?::uuid, 'owner'), "
                + "(?, ?::uuid, 'editor')", shared, alice.accountId(), shared, bob.accountId());

        // when bob deletes a file there
        Response deleted = client.submit(bob, "shared-delete", Map.of("namespaceId", shared.toString(), "changes", List.of(
                Map.of("fileId", "s-1", "path", "photos/beach.jpg", "op", "DELETE", "vector", Map.of(bob.id(), 1)))));
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(202);

        // then both accounts' logs hold it, by bob's device, and both chains verify
        for (Device reader : List.of(alice, bob)) {
            JsonNode entries = client.get(reader, "/v1/audit").json().get("entries");
            assertThat(entries).as(reader.username()).hasSize(2); // its device's registration, then the deletion
            JsonNode deletion = entries.get(1);
            assertThat(deletion.get("action").asString()).isEqualTo("files-deleted");
            assertThat(deletion.get("deviceId").asString()).isEqualTo(bob.id());
            assertThat(deletion.get("details").get("namespaceId").asString()).isEqualTo(shared.toString());
            assertThat(verifier.verify(UUID.fromString(reader.accountId()), reader.username()).intact()).isTrue();
        }
    }

    @Test
    void theLogIsReadInPagesUpToTheHead() {
        Device laptop = accountWithChain("pager", 5);

        Response first = client.get(laptop, "/v1/audit?limit=2");
        Response last = client.get(laptop, "/v1/audit?after=5&limit=2");

        assertThat(first.json().get("entries")).extracting(e -> e.get("seq").asLong()).containsExactly(1L, 2L);
        assertThat(first.json().get("next").asLong()).isEqualTo(2);
        assertThat(last.json().get("entries")).extracting(e -> e.get("seq").asLong()).containsExactly(6L);
        assertThat(last.json().get("next").isNull()).isTrue();
        assertThat(client.get(laptop, "/v1/audit?limit=0").problem()).isEqualTo("invalid-parameter");
        assertThat(client.get(laptop, "/v1/audit?after=-1").status()).isEqualTo(400);
    }

    @Test
    void anEditedEntryIsFoundByItsHash() {
        Device laptop = accountWithChain("edited", 5);

        api.execute("update ingest.audit_entries set details = jsonb_set(details, '{count}', '\"0\"') "
                + "where account_id = ?::uuid and seq = 3", laptop.accountId());

        assertBroken(laptop, 3, "hash-mismatch");
    }

    @Test
    void aRemovedMiddleEntryLeavesAGap() {
        Device laptop = accountWithChain("gap", 5);

        api.execute("delete from ingest.audit_entries where account_id = ?::uuid and seq = 3", laptop.accountId());

        assertBroken(laptop, 3, "gap");
    }

    @Test
    void aRemovedLastEntryNoLongerReachesTheHead() {
        Device laptop = accountWithChain("tail", 5);

        api.execute("delete from ingest.audit_entries where account_id = ?::uuid and seq = 6", laptop.accountId());

        assertBroken(laptop, 6, "head-mismatch");
    }

    @Test
    void twoSwappedEntriesBreakTheLinkBetweenThem() {
        Device laptop = accountWithChain("swapped", 5);

        // every column but the place: the rows are intact on their own, only their order changed
        api.execute("""
                update ingest.audit_entries e set at = o.at, action = o.action, actor_device = o.actor_device,
                       details = o.details, prev_hash = o.prev_hash, hash = o.hash
                from ingest.audit_entries o
                where e.account_id = ?::uuid and o.account_id = e.account_id
                  and ((e.seq = 2 and o.seq = 4) or (e.seq = 4 and o.seq = 2))""", laptop.accountId());

        assertBroken(laptop, 2, "prev-mismatch");
    }

    @Test
    void aTamperedChainMakesTheWholeReportFailAndNamesItsAccount() {
        Device intact = accountWithChain("whole-ok", 2);
        Device tampered = accountWithChain("whole-bad", 2);
        api.execute("update ingest.audit_entries set action = 'file-restored' where account_id = ?::uuid and seq = 1",
                tampered.accountId());

        JsonNode report = adminVerify(null);

        assertThat(report.get("intact").asBoolean()).isFalse();
        JsonNode bad = find(report, tampered.accountId());
        assertThat(bad.get("intact").asBoolean()).isFalse();
        assertThat(bad.get("username").asString()).isEqualTo(tampered.username());
        assertThat(bad.get("firstBadSeq").asLong()).isEqualTo(1);
        assertThat(find(report, intact.accountId()).get("intact").asBoolean()).isTrue();
        assertThat(find(report, intact.accountId()).get("checked").asLong()).isEqualTo(3);
    }

    @Test
    void aRemovedHeadIsReportedAndStaysReportedAfterTheNextAppendRebuildsIt() {
        // given a chain whose last entry was removed together with its head: only the missing head shows
        Device laptop = accountWithChain("headless", 3);
        api.execute("delete from ingest.audit_entries where account_id = ?::uuid and seq = 4", laptop.accountId());
        api.execute("delete from ingest.audit_heads where account_id = ?::uuid", laptop.accountId());
        assertBroken(laptop, 4, "head-mismatch");

        // when the next action is recorded (it must not fail for the audit log's sake)
        Response next = deleteBatch(laptop, "del-4", 4, "f-4", "file 4.txt");

        // then the rebuilt head does not hide what went before it
        assertThat(next.status()).as(next.toString()).isEqualTo(202);
        AccountVerification verified = verifier.verify(UUID.fromString(laptop.accountId()), laptop.username());
        assertThat(verified.intact()).isFalse();
        assertBroken(laptop, 4, "head-mismatch");
    }

    @Test
    void concurrentAppendsToOneAccountLeaveOneValidChain() throws Exception {
        // given one account whose 8 devices each delete 3 times, all at once
        Device first = client.newAccountWithDevice("busy", "Device 0");
        List<Device> devices = new ArrayList<>(List.of(first));
        for (int i = 1; i < 8; i++) {
            devices.add(client.registerDevice(first.username(), "Device " + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> submitted = new ArrayList<>();
            for (Device d : devices) {
                submitted.add(pool.submit(() -> {
                    int accepted = 0;
                    for (int n = 1; n <= 3; n++) {
                        accepted += deleteBatch(d, d.id() + "-del-" + n, n, d.id() + "-" + n, d.id() + "/" + n + ".txt").status() == 202 ? 1 : 0;
                    }
                    return accepted;
                }));
            }
            for (Future<Integer> f : submitted) {
                assertThat(f.get()).isEqualTo(3);
            }
        } finally {
            pool.shutdownNow();
        }

        // then the chain has 32 entries (8 registrations, 24 deletions), seq 1 to 32, and verifies
        AccountVerification verified = verifier.verify(UUID.fromString(first.accountId()), first.username());
        assertThat(verified.intact()).as(verified.toString()).isTrue();
        assertThat(verified.checked()).isEqualTo(32);
        assertThat(api.count("select max(seq) from ingest.audit_entries where account_id = ?::uuid",
                UUID.fromString(first.accountId()))).isEqualTo(32);
        assertThat(api.count("select count(*) from ingest.audit_entries where account_id = ?::uuid and action = 'device-registered'",
                UUID.fromString(first.accountId()))).isEqualTo(8);
    }

    @Test
    void anEntryRecordedInARolledBackTransactionIsGoneWithIt() {
        Device laptop = accountWithChain("rollback", 1);
        UUID account = UUID.fromString(laptop.accountId());
        AuditTrail trail = api.context().getBean(AuditTrail.class);
        IngestDatabase db = api.context().getBean(IngestDatabase.class);

        db.transactions().executeWithoutResult(tx -> {
            trail.record(account, null, "quota-changed", Map.of("quota", "1"));
            tx.setRollbackOnly();
        });
        trail.record(account, null, "quota-changed", Map.of("quota", "2"));

        // the registration, the deletion and the second quota change; not the rolled back one
        assertThat(api.count("select count(*) from ingest.audit_entries where account_id = ?::uuid", account)).isEqualTo(3);
        assertThat(verifier.verify(account, laptop.username()).intact()).isTrue();
    }

    @Test
    void anAccountReadsOnlyItsOwnEntries() {
        Device alice = accountWithChain("alice", 3);
        Device bob = accountWithChain("bob", 1);

        Response bobs = client.get(bob, "/v1/audit?limit=1000");

        assertThat(bobs.json().get("accountId").asString()).isEqualTo(bob.accountId());
        assertThat(bobs.json().get("entries")).hasSize(2);
        assertThat(bobs.json().get("head").get("seq").asLong()).isEqualTo(2);
        assertThat(bobs.body()).doesNotContain(alice.id()).doesNotContain(alice.namespace());
        // no parameter reaches another account's log
        Response asking = client.get(bob, "/v1/audit?accountId=" + alice.accountId() + "&username=" + alice.username());
        assertThat(asking.json().get("accountId").asString()).isEqualTo(bob.accountId());
        assertThat(client.send("GET", "/v1/audit", null, null, Map.of()).status()).isEqualTo(401);
    }

    @Test
    void onlyTheAdminTokenMayVerify() {
        Device laptop = accountWithChain("not-admin", 1);

        Response withDeviceToken = client.send("GET", "/v1/admin/audit/verify", laptop.token(), null, Map.of());
        Response withoutToken = client.send("GET", "/v1/admin/audit/verify", null, null, Map.of());
        Response unknownUser = client.send("GET", "/v1/admin/audit/verify?username=nobody-" + UUID.randomUUID(),
                api.adminToken(), null, Map.of());

        assertThat(withDeviceToken.status()).isEqualTo(401);
        assertThat(withDeviceToken.problem()).isEqualTo("unauthorized");
        assertThat(withoutToken.status()).isEqualTo(401);
        assertThat(unknownUser.status()).isEqualTo(404);
        assertThat(unknownUser.problem()).isEqualTo("account-not-found");
    }

    // ---- helpers ----

    /** A new account whose chain has {@code entries} entries, one per deleting batch of its laptop. */
    private static Device accountWithChain(String prefix, int entries) {
        Device laptop = client.newAccountWithDevice(prefix, "Laptop");
        for (int n = 1; n <= entries; n++) {
            Response r = deleteBatch(laptop, "del-" + n, n, "f-" + n, "file " + n + ".txt");
            assertThat(r.status()).as(r.toString()).isEqualTo(202);
        }
        // entry 1 is the laptop's registration
        assertThat(verifier.verify(UUID.fromString(laptop.accountId()), laptop.username()).checked()).isEqualTo(entries + 1);
        return laptop;
    }

    /** A batch of DELETE changes ({@code fileId, path} pairs), each with the device's counter at {@code counter}. */
    private static Response deleteBatch(Device device, String key, long counter, String... idsAndPaths) {
        List<Map<String, Object>> changes = new ArrayList<>();
        for (int i = 0; i < idsAndPaths.length; i += 2) {
            changes.add(Map.of("fileId", idsAndPaths[i], "path", idsAndPaths[i + 1], "op", "DELETE",
                    "vector", Map.of(device.id(), counter)));
        }
        return client.submit(device, key, Map.of("namespaceId", device.namespace(), "changes", changes));
    }

    private static void assertBroken(Device laptop, long firstBadSeq, String problem) {
        AccountVerification verified = verifier.verify(UUID.fromString(laptop.accountId()), laptop.username());
        assertThat(verified.intact()).isFalse();
        assertThat(verified.firstBadSeq()).isEqualTo(firstBadSeq);
        assertThat(verified.problem()).isEqualTo(problem);
        assertThat(verified.checked()).isEqualTo(firstBadSeq - 1);

        JsonNode report = adminVerify(laptop.username());
        assertThat(report.get("intact").asBoolean()).isFalse();
        assertThat(report.get("tampered").asInt()).isEqualTo(1);
        JsonNode result = report.get("results").get(0);
        assertThat(result.get("accountId").asString()).isEqualTo(laptop.accountId());
        assertThat(result.get("firstBadSeq").asLong()).isEqualTo(firstBadSeq);
        assertThat(result.get("problem").asString()).isEqualTo(problem);
        assertThat(result.get("detail").asString()).contains(Long.toString(firstBadSeq));
    }

    private static JsonNode adminVerify(String username) {
        Response r = client.send("GET", "/v1/admin/audit/verify" + (username == null ? "" : "?username=" + username),
                api.adminToken(), null, Map.of());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private static JsonNode find(JsonNode report, String accountId) {
        for (JsonNode r : report.get("results")) {
            if (r.get("accountId").asString().equals(accountId)) {
                return r;
            }
        }
        throw new AssertionError("no result for " + accountId + " in " + report);
    }

    /** The feed and file rows the projector writes for a file created (seq 1) and then deleted (seq 2). */
    private static void projectedCreateThenDelete(Device laptop, String fileId, String path, String chunk) {
        OffsetDateTime t0 = OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(5);
        String chunks = "[{\"id\": \"" + chunk + "\", \"size\": " + CONTENT.length + "}]";
        String v1 = "{\"" + laptop.id() + "\": 1}";
        String v2 = "{\"" + laptop.id() + "\": 2}";
        api.execute("""
                insert into readmodel.feed (namespace_id, seq, file_id, path, op, vector, chunks, size, device_id, batch_id,
                                            change_index, conflict_of, at)
                values (?::uuid, 1, ?, ?, 'UPSERT', ?::jsonb, ?::jsonb, ?, ?, 'b-1', 0, null, ?),
                       (?::uuid, 2, ?, ?, 'DELETE', ?::jsonb, '[]'::jsonb, 0, ?, 'b-2', 0, null, ?)""",
                laptop.namespace(), fileId, path, v1, chunks, CONTENT.length, laptop.id(), t0,
                laptop.namespace(), fileId, path, v2, laptop.id(), t0.plusSeconds(1));
        api.execute("""
                insert into readmodel.files (namespace_id, file_id, path, deleted, vector, chunks, size, seq, device_id, updated_at)
                values (?::uuid, ?, ?, true, ?::jsonb, '[]'::jsonb, 0, 2, ?, ?)""",
                laptop.namespace(), fileId, path, v2, laptop.id(), t0.plusSeconds(1));
    }
}
