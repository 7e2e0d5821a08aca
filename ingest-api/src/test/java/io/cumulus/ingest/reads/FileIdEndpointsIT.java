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

/**
 * Every id of the file id syntax is accepted in a batch and addresses its file at every endpoint that
 * takes a file id in its path; any other is a 400 {@code invalid-file-id} there. The read-model rows
 * are written here, as the projector would.
 */
class FileIdEndpointsIT {
    /** Recent, so the retention policy keeps every version these tests write. */
    private static final OffsetDateTime T0 = OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(5);
    private static final byte[] CONTENT = "edge\n".getBytes(StandardCharsets.UTF_8);
    /** The longest id, of every character the syntax allows. */
    private static final String LONGEST = "Az09._~-".repeat(16);

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

    @Test
    void idsAtTheEdgesOfTheSyntaxAreAcceptedAndAddressableEverywhere() {
        // given a device that creates a file under each edge id
        Device laptop = client.newAccountWithDevice("edges", "Laptop");
        String chunk = client.upload(laptop, CONTENT);
        List<String> ids = List.of("~", "-", "...", LONGEST, "conflict-" + UUID.randomUUID() + "-999");
        long seq = 0;
        for (String id : ids) {
            Response created = client.submit(laptop, "create-" + id, ApiClient.oneFileBatch(laptop.namespace(), id, "edge " + seq + ".txt",
                    Map.of(laptop.id(), 1), chunk, CONTENT.length));
            assertThat(created.status()).as(id + ": " + created).isEqualTo(202);
            seq++;
            projected(laptop, seq, id, "edge " + (seq - 1) + ".txt", chunk, null);
        }

        for (String id : ids) {
            // when it is read, its versions listed and its first version restored
            Response file = client.get(laptop, "/v1/files/" + id);
            Response inNamespace = client.get(laptop, "/v1/files/" + id + "?namespace=" + laptop.namespace());
            Response versions = client.get(laptop, "/v1/files/" + id + "/versions");
            long version = versions.status() == 200 ? versions.json().get("versions").get(0).get("seq").asLong() : -1;
            Response restored = client.send("POST", "/v1/files/" + id + "/restore", laptop.token(), Map.of("version", version), Map.of());

            // then every endpoint finds it
            assertThat(file.status()).as(id + ": " + file).isEqualTo(200);
            assertThat(file.json().get("fileId").asString()).isEqualTo(id);
            assertThat(inNamespace.status()).as(id + ": " + inNamespace).isEqualTo(200);
            assertThat(versions.status()).as(id + ": " + versions).isEqualTo(200);
            assertThat(versions.json().get("fileId").asString()).isEqualTo(id);
            assertThat(restored.status()).as(id + ": " + restored).isEqualTo(202);
            assertThat(restored.json().get("fileId").asString()).isEqualTo(id);
        }
    }

    @Test
    void aConflictedCopyWithAnEdgeIdCanBeResolved() {
        // given a copy with the longest id, kept beside an original with the shortest
        Device laptop = client.newAccountWithDevice("edge-conflict", "Laptop");
        String chunk = client.upload(laptop, CONTENT);
        assertThat(client.submit(laptop, "o", ApiClient.oneFileBatch(laptop.namespace(), "~", "a.txt", Map.of(laptop.id(), 1), chunk,
                CONTENT.length)).status()).isEqualTo(202);
        projected(laptop, 1, "~", "a.txt", chunk, null);
        projected(laptop, 2, LONGEST, "a (Phone's conflicted copy 2026-01-02).txt", chunk, "~");

        // when it is resolved by keeping both
        Response resolved = client.send("POST", "/v1/namespaces/" + laptop.namespace() + "/conflicts/" + LONGEST + "/resolve",
                laptop.token(), Map.of("keep", "both"), Map.of());

        // then the resolution is accepted for that copy
        assertThat(resolved.status()).as(resolved.toString()).isEqualTo(202);
        assertThat(resolved.json().get("copyFileId").asString()).isEqualTo(LONGEST);
    }

    @Test
    void anIdOutsideTheSyntaxIsAnInvalidFileIdAtEveryEndpoint() {
        Device laptop = client.newAccountWithDevice("bad-ids", "Laptop");
        String ns = laptop.namespace();
        for (String bad : new String[] {"x".repeat(129), "caf%C3%A9", "a%20b", "a+b", "a:b"}) {
            List<Response> answers = List.of(
                    client.get(laptop, "/v1/files/" + bad),
                    client.get(laptop, "/v1/files/" + bad + "/versions"),
                    client.send("POST", "/v1/files/" + bad + "/restore", laptop.token(), Map.of("version", 1), Map.of()),
                    client.send("POST", "/v1/namespaces/" + ns + "/conflicts/" + bad + "/resolve", laptop.token(), Map.of("keep", "both"),
                            Map.of()));
            for (Response r : answers) {
                assertThat(r.status()).as(bad + ": " + r).isEqualTo(400);
                assertThat(r.contentType()).startsWith("application/problem+json");
                assertThat(r.problem()).isEqualTo("invalid-file-id");
                assertThat(r.json().get("detail").asString()).contains("A-Z a-z 0-9 . _ ~ -");
            }
        }
        assertThat(api.count("select count(*) from ingest.batches where account_id = ?::uuid", UUID.fromString(laptop.accountId()))).isZero();
    }

    /** A feed row and the file's row, as the projector writes them for an upsert by the laptop. */
    private static void projected(Device laptop, long seq, String fileId, String path, String chunk, String conflictOf) {
        String vector = "{\"" + laptop.id() + "\": 1}";
        String chunks = "[{\"id\": \"" + chunk + "\", \"size\": " + CONTENT.length + "}]";
        api.execute("""
                insert into readmodel.feed (namespace_id, seq, file_id, path, op, vector, chunks, size, device_id, batch_id,
                                            change_index, conflict_of, at)
                values (?::uuid, ?, ?, ?, 'UPSERT', ?::jsonb, ?::jsonb, ?, ?, ?, 0, ?, ?)""",
                laptop.namespace(), seq, fileId, path, vector, chunks, CONTENT.length, laptop.id(), "batch-" + seq, conflictOf,
                T0.plusSeconds(seq));
        api.execute("""
                insert into readmodel.files (namespace_id, file_id, path, deleted, vector, chunks, size, seq, device_id, updated_at)
                values (?::uuid, ?, ?, false, ?::jsonb, ?::jsonb, ?, ?, ?, ?)""",
                laptop.namespace(), fileId, path, vector, chunks, CONTENT.length, seq, laptop.id(), T0.plusSeconds(seq));
    }
}
