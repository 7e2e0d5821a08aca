package io.cumulus.ingest.quota;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Device;
import io.cumulus.ingest.ApiClient.Response;
import io.cumulus.ingest.RunningIngestApi;
import io.cumulus.ingest.RunningIngestApi.Footprint;
import tools.jackson.databind.JsonNode;

/** Storage quotas at the intake, the chunk upload and the admin's endpoints, over a 1 MiB default quota. */
class QuotaIT {
    private static final int KIB = 1024;
    private static RunningIngestApi api;
    private static ApiClient client;
    private static final Random random = new Random(14);

    @BeforeAll
    static void start() {
        api = RunningIngestApi.start(Map.of("cumulus.quota.default", "1MiB"));
        client = api.client();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void usageCountsEachChunkOnceAndASecondVersionOnlyItsNewChunks() {
        // given two files with the same content
        Device laptop = client.newAccountWithDevice("uniq", "Laptop");
        byte[] a = bytes(100 * KIB);
        byte[] b = bytes(50 * KIB);
        String chunkA = client.upload(laptop, a);
        String chunkB = client.upload(laptop, b);
        Response first = client.submit(laptop, "k1", batch(laptop.namespace(),
                upsert("f1", "one.bin", Map.of(laptop.id(), 1), List.of(ref(chunkA, a.length))),
                upsert("f2", "two.bin", Map.of(laptop.id(), 2), List.of(ref(chunkA, a.length)))));
        assertThat(first.status()).as(first.toString()).isEqualTo(202);

        // then the content counts once
        assertThat(usage(laptop)).isEqualTo(100L * KIB);

        // when a second version of one file adds a chunk to the one it had
        Response second = client.submit(laptop, "k2", batch(laptop.namespace(),
                upsert("f1", "one.bin", Map.of(laptop.id(), 3), List.of(ref(chunkA, a.length), ref(chunkB, b.length)))));
        assertThat(second.status()).as(second.toString()).isEqualTo(202);

        // then only the new chunk is added
        assertThat(usage(laptop)).isEqualTo(150L * KIB);
        assertThat(client.get(laptop, "/v1/usage").json().get("quotaBytes").asLong()).isEqualTo(1024L * KIB);

        // and once the read model shows the versions, a count of it says the same (and drops the batches' charges)
        String batch1 = first.json().get("batchId").asString();
        String batch2 = second.json().get("batchId").asString();
        project(laptop.namespace(), 1, "f1", "one.bin", batch1, chunkA, a.length, null, 0);
        project(laptop.namespace(), 2, "f2", "two.bin", batch1, chunkA, a.length, null, 0);
        project(laptop.namespace(), 3, "f1", "one.bin", batch2, chunkA, a.length, chunkB, b.length);
        JsonNode counted = admin("GET", "/v1/admin/accounts/" + laptop.username() + "/usage", null).json();
        assertThat(counted.get("usedBytes").asLong()).isEqualTo(150L * KIB);
        assertThat(api.count("select count(*) from ingest.usage_charges where account_id = ?::uuid", laptop.accountId())).isZero();
        assertThat(usage(laptop)).isEqualTo(150L * KIB);
    }

    @Test
    void aBatchThatWouldGoOverTheQuotaIsRefusedAndChangesNothingUntilTheAdminRaisesIt() {
        // given an account using 700 KiB of its 1 MiB
        Device laptop = client.newAccountWithDevice("over", "Laptop");
        byte[] big = bytes(700 * KIB);
        byte[] more = bytes(400 * KIB);
        String bigChunk = client.upload(laptop, big);
        String moreChunk = client.upload(laptop, more);
        assertThat(client.submit(laptop, "k1", ApiClient.oneFileBatch(laptop.namespace(), "f1", "big.bin",
                Map.of(laptop.id(), 1), bigChunk, big.length)).status()).isEqualTo(202);
        Footprint before = api.footprint();
        long counters = api.count("select count(*) from ingest.device_counters where namespace_id = ?::uuid", laptop.namespace());
        long maxCounter = api.count("select coalesce(max(max_counter), 0) from ingest.device_counters where namespace_id = ?::uuid",
                laptop.namespace());
        long charges = api.count("select count(*) from ingest.usage_charges");

        // when it sends a batch of 400 KiB more
        Map<String, Object> body = ApiClient.oneFileBatch(laptop.namespace(), "f2", "more.bin", Map.of(laptop.id(), 2), moreChunk,
                more.length);
        Response refused = client.submit(laptop, "k2", body);

        // then it is refused, saying how much is used, the quota and what the batch needed
        assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
        assertThat(refused.problem()).isEqualTo("quota-exceeded");
        assertThat(refused.json().get("usedBytes").asLong()).isEqualTo(700L * KIB);
        assertThat(refused.json().get("quotaBytes").asLong()).isEqualTo(1024L * KIB);
        assertThat(refused.json().get("batchBytes").asLong()).isEqualTo(400L * KIB);
        assertThat(refused.json().get("detail").asString()).contains("400 KiB", "700 KiB", "1 MiB");
        // and nothing was written: no batch, no outbox row, no counter, no charge
        assertThat(api.footprint()).isEqualTo(before);
        assertThat(api.count("select count(*) from ingest.device_counters where namespace_id = ?::uuid", laptop.namespace()))
                .isEqualTo(counters);
        assertThat(api.count("select coalesce(max(max_counter), 0) from ingest.device_counters where namespace_id = ?::uuid",
                laptop.namespace())).isEqualTo(maxCounter);
        assertThat(api.count("select count(*) from ingest.usage_charges")).isEqualTo(charges);
        assertThat(usage(laptop)).isEqualTo(700L * KIB);

        // when the admin raises the quota
        Response raised = admin("PUT", "/v1/admin/accounts/" + laptop.username() + "/quota", Map.of("quota", "2MiB"));
        assertThat(raised.status()).as(raised.toString()).isEqualTo(200);
        assertThat(raised.json().get("quotaBytes").asLong()).isEqualTo(2048L * KIB);
        assertThat(raised.json().get("usedBytes").asLong()).isEqualTo(700L * KIB);

        // then the same batch, under the same idempotency key (never consumed), is accepted
        Response accepted = client.submit(laptop, "k2", body);
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        assertThat(usage(laptop)).isEqualTo(1100L * KIB);
        assertThat(client.get(laptop, "/v1/usage").json().get("quotaBytes").asLong()).isEqualTo(2048L * KIB);
    }

    @Test
    void batchesThatAddNoBytesPassEvenOverQuota() {
        // given an account whose quota the admin lowered below its usage
        Device laptop = client.newAccountWithDevice("free", "Laptop");
        byte[] content = bytes(300 * KIB);
        String chunk = client.upload(laptop, content);
        byte[] fresh = bytes(10 * KIB);
        String freshChunk = client.upload(laptop, fresh);
        assertThat(client.submit(laptop, "k1", ApiClient.oneFileBatch(laptop.namespace(), "f1", "a.bin",
                Map.of(laptop.id(), 1), chunk, content.length)).status()).isEqualTo(202);
        assertThat(admin("PUT", "/v1/admin/accounts/" + laptop.username() + "/quota", Map.of("bytes", 1000)).status()).isEqualTo(200);

        // when it copies the content it has under another name, renames, then deletes
        Response copy = client.submit(laptop, "k2", ApiClient.oneFileBatch(laptop.namespace(), "f2", "copy.bin",
                Map.of(laptop.id(), 2), chunk, content.length));
        Response rename = client.submit(laptop, "k3", ApiClient.oneFileBatch(laptop.namespace(), "f1", "renamed.bin",
                Map.of(laptop.id(), 3), chunk, content.length));
        Response delete = client.submit(laptop, "k4", batch(laptop.namespace(),
                Map.of("fileId", "f1", "path", "renamed.bin", "op", "DELETE", "vector", Map.of(laptop.id(), 4), "chunks", List.of(),
                        "size", 0)));

        // then all pass, since none adds a byte
        assertThat(copy.status()).as(copy.toString()).isEqualTo(202);
        assertThat(rename.status()).as(rename.toString()).isEqualTo(202);
        assertThat(delete.status()).as(delete.toString()).isEqualTo(202);
        // but new content does not
        Response newContent = client.submit(laptop, "k5", ApiClient.oneFileBatch(laptop.namespace(), "f3", "new.bin",
                Map.of(laptop.id(), 5), freshChunk, fresh.length));
        assertThat(newContent.status()).as(newContent.toString()).isEqualTo(403);
        assertThat(newContent.problem()).isEqualTo("quota-exceeded");
    }

    @Test
    void aChunkUploadAtTheQuotaIsRefusedUnlessTheAccountCanSeeTheChunk() {
        // given an account at its quota
        Device laptop = client.newAccountWithDevice("full", "Laptop");
        byte[] content = bytes(200 * KIB);
        String chunk = client.upload(laptop, content);
        assertThat(client.submit(laptop, "k1", ApiClient.oneFileBatch(laptop.namespace(), "f1", "a.bin",
                Map.of(laptop.id(), 1), chunk, content.length)).status()).isEqualTo(202);
        assertThat(admin("PUT", "/v1/admin/accounts/" + laptop.username() + "/quota", Map.of("quota", "200KiB")).status())
                .isEqualTo(200);
        Footprint before = api.footprint();

        // when it uploads new content, and the chunk it has again
        byte[] fresh = bytes(10 * KIB);
        Response refused = client.put(laptop, io.cumulus.sync.hash.Sha256.hex(fresh), fresh);
        Response again = client.put(laptop, chunk, content);

        // then the new chunk is refused and stored nowhere; the known one is taken as before
        assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
        assertThat(refused.problem()).isEqualTo("quota-exceeded");
        assertThat(refused.json().get("usedBytes").asLong()).isEqualTo(200L * KIB);
        assertThat(refused.json().get("quotaBytes").asLong()).isEqualTo(200L * KIB);
        assertThat(api.footprint()).isEqualTo(before);
        assertThat(again.status()).as(again.toString()).isEqualTo(200);
    }

    @Test
    void aSharedFolderCountsAgainstItsOwner() {
        // given alice's shared folder, of which bob is an editor
        Device alice = client.newAccountWithDevice("alice", "Laptop");
        Device bob = client.newAccountWithDevice("bob", "Phone");
        UUID share = UUID.randomUUID();
        api.execute("insert into ingest.namespaces (id, kind, name, owner_account) values (?, 'shared', 'Family', ?::uuid)", share,
                alice.accountId());
        api.execute("insert into ingest.namespace_members (namespace_id, account_id, role) values (?, ?::uuid, 'owner')", share,
                alice.accountId());
        api.execute("insert into ingest.namespace_members (namespace_id, account_id, role) values (?, ?::uuid, 'editor')", share,
                bob.accountId());

        // when bob puts 600 KiB in it
        byte[] first = bytes(600 * KIB);
        String firstChunk = client.upload(bob, first);
        Response accepted = client.submit(bob, "k1", ApiClient.oneFileBatch(share.toString(), "f1", "photos.zip",
                Map.of(bob.id(), 1), firstChunk, first.length));
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);

        // then alice's usage holds them, not bob's
        assertThat(usage(alice)).isEqualTo(600L * KIB);
        assertThat(usage(bob)).isZero();

        // and 600 KiB more in the share would take alice over her quota, though bob has room
        byte[] second = bytes(600 * KIB);
        String secondChunk = client.upload(bob, second);
        Response refused = client.submit(bob, "k2", ApiClient.oneFileBatch(share.toString(), "f2", "more.zip",
                Map.of(bob.id(), 2), secondChunk, second.length));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
        assertThat(refused.problem()).isEqualTo("quota-exceeded");
        assertThat(refused.json().get("usedBytes").asLong()).isEqualTo(600L * KIB);
        Response own = client.submit(bob, "k3", ApiClient.oneFileBatch(bob.namespace(), "f3", "mine.zip",
                Map.of(bob.id(), 3), secondChunk, second.length));
        assertThat(own.status()).as(own.toString()).isEqualTo(202);
        assertThat(usage(bob)).isEqualTo(600L * KIB);
    }

    @Test
    void onlyTheAdminSetsQuotasAndReadsAccountsUsage() {
        Device laptop = client.newAccountWithDevice("nosy", "Laptop");
        String quotaPath = "/v1/admin/accounts/" + laptop.username() + "/quota";
        String usagePath = "/v1/admin/accounts/" + laptop.username() + "/usage";

        assertThat(client.send("PUT", quotaPath, laptop.token(), Map.of("quota", "1TiB"), Map.of()).status()).isEqualTo(401);
        assertThat(client.send("PUT", quotaPath, null, Map.of("quota", "1TiB"), Map.of()).status()).isEqualTo(401);
        assertThat(client.send("GET", usagePath, laptop.token(), null, Map.of()).status()).isEqualTo(401);
        assertThat(client.get(laptop, "/v1/usage").json().get("quotaBytes").asLong()).isEqualTo(1024L * KIB);

        Response unknown = admin("PUT", "/v1/admin/accounts/nobody-" + UUID.randomUUID() + "/quota", Map.of("quota", "1GiB"));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.problem()).isEqualTo("account-not-found");
        Response bad = admin("PUT", quotaPath, Map.of("quota", "lots"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("detail").asString()).contains("not a size");
        assertThat(admin("PUT", quotaPath, Map.of("quota", "1GiB", "bytes", 5)).status()).isEqualTo(400);
        assertThat(client.get(laptop, "/v1/usage").json().get("quotaBytes").asLong()).isEqualTo(1024L * KIB);

        Response reset = admin("PUT", quotaPath, Map.of("quota", "default"));
        assertThat(reset.status()).isEqualTo(200);
        assertThat(reset.json().get("defaultQuota").asBoolean()).isTrue();
    }

    // ---------------------------------------------------------------- helpers

    private static Long usage(Device device) {
        Response r = client.get(device, "/v1/usage");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("usedBytes").asLong();
    }

    private static Response admin(String method, String path, Object body) {
        return client.send(method, path, api.adminToken(), body, Map.of());
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static Map<String, Object> ref(String id, int size) {
        return Map.of("id", id, "size", size);
    }

    private static Map<String, Object> upsert(String fileId, String path, Map<String, Integer> vector, List<Map<String, Object>> chunks) {
        int size = chunks.stream().mapToInt(c -> (Integer) c.get("size")).sum();
        return Map.of("fileId", fileId, "path", path, "op", "UPSERT", "vector", vector, "size", size, "chunks", chunks);
    }

    @SafeVarargs
    private static Map<String, Object> batch(String namespace, Map<String, Object>... changes) {
        return Map.of("namespaceId", namespace, "changes", List.of(changes));
    }

    /** Writes what the projector would for one applied change: its feed row and its batch outcome. */
    private static void project(String namespace, long seq, String fileId, String path, String batchId, String chunk1, int size1,
                                String chunk2, int size2) {
        String chunks = "[{\"id\":\"" + chunk1 + "\",\"size\":" + size1 + "}"
                + (chunk2 == null ? "" : ",{\"id\":\"" + chunk2 + "\",\"size\":" + size2 + "}") + "]";
        api.execute("""
                insert into readmodel.feed (namespace_id, seq, file_id, path, op, vector, chunks, size, device_id, batch_id,
                    change_index, at) values (?::uuid, ?, ?, ?, 'UPSERT', '{}'::jsonb, ?::jsonb, ?, 'd', ?, 0, now())""",
                namespace, seq, fileId, path, chunks, size1 + size2, batchId);
        api.execute("""
                insert into readmodel.batch_outcomes (batch_id, change_index, namespace_id, device_id, file_id, path, kind, seq,
                    current_vector, decided_at) values (?, ?, ?::uuid, 'd', ?, ?, 'APPLIED', ?, '{}'::jsonb, now())
                on conflict do nothing""", batchId, (int) seq, namespace, fileId, path, seq);
    }
}
