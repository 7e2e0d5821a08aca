package io.cumulus.ingest.changes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
import io.cumulus.ingest.RunningIngestApi.Footprint;

/** Every kind of bad change submission gets its own 4xx problem and leaves no row behind. */
class BadInputChangesNothingIT {
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

    /** An expected refusal: the status and problem slug a request must get. */
    private record Refusal(String what, Response response, int status, String problem) {
    }

    @Test
    void everyBadSubmissionIsAProblemAndWritesNothing() {
        // given a device with a chunk, a stranger with a chunk of its own, and a revoked device
        Device laptop = client.newAccountWithDevice("carol", "Laptop");
        Device stranger = client.newAccountWithDevice("stranger", "Other");
        Device old = client.registerDevice(laptop.username(), "Old phone");
        assertThat(client.send("DELETE", "/v1/devices/" + old.id(), laptop.token(), null, Map.of()).status()).isEqualTo(204);
        byte[] content = "real content\n".getBytes(StandardCharsets.UTF_8);
        String chunk = client.upload(laptop, content);
        String strangersChunk = client.upload(stranger, "the stranger's content\n".getBytes(StandardCharsets.UTF_8));
        Map<String, Integer> v1 = Map.of(laptop.id(), 1);
        String ns = laptop.namespace();
        Footprint before = api.footprint();

        // when each bad request is sent
        List<Refusal> refusals = new ArrayList<>();
        refusals.add(new Refusal("malformed JSON",
                client.send("POST", "/v1/changes", laptop.token(), "{\"namespaceId\": [", Map.of("Idempotency-Key", "malformed")),
                400, "malformed-json"));
        refusals.add(new Refusal("a member given twice",
                client.send("POST", "/v1/changes", laptop.token(), "{\"namespaceId\":\"" + ns + "\",\"namespaceId\":\"x\",\"changes\":[]}",
                        Map.of("Idempotency-Key", "twice")), 400, "malformed-json"));
        refusals.add(new Refusal("an unknown chunk",
                client.submit(laptop, "unknown-chunk", ApiClient.oneFileBatch(ns, "f1", "a.txt", v1, "0".repeat(64), 10)),
                400, "chunk-missing"));
        refusals.add(new Refusal("another account's chunk",
                client.submit(laptop, "strangers-chunk", ApiClient.oneFileBatch(ns, "f1", "a.txt", v1, strangersChunk, 23)),
                400, "chunk-missing"));
        refusals.add(new Refusal("a chunk listed with the wrong size",
                client.submit(laptop, "wrong-size", ApiClient.oneFileBatch(ns, "f1", "a.txt", v1, chunk, content.length + 1)),
                400, "chunk-size-mismatch"));
        refusals.add(new Refusal("a ../ path",
                client.submit(laptop, "dotdot", ApiClient.oneFileBatch(ns, "f2", "../etc/passwd", v1, chunk, content.length)),
                400, "invalid-path"));
        refusals.add(new Refusal("an oversize body",
                client.send("POST", "/v1/changes", laptop.token(),
                        "{\"namespaceId\":\"" + ns + "\",\"pad\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}", Map.of("Idempotency-Key", "oversize")),
                413, "body-too-large"));
        refusals.add(new Refusal("an oversize body without Content-Length", oversizeChunked(laptop), 413, "body-too-large"));
        refusals.add(new Refusal("a bad token",
                client.send("POST", "/v1/changes", "not-a-token", ApiClient.oneFileBatch(ns, "f3", "b.txt", v1, chunk, content.length),
                        Map.of("Idempotency-Key", "bad-token")), 401, "unauthorized"));
        refusals.add(new Refusal("a revoked token",
                client.send("POST", "/v1/changes", old.token(), ApiClient.oneFileBatch(ns, "f4", "c.txt", Map.of(old.id(), 1), chunk, content.length),
                        Map.of("Idempotency-Key", "revoked")), 401, "unauthorized"));
        refusals.add(new Refusal("another account's namespace",
                client.submit(laptop, "foreign", ApiClient.oneFileBatch(stranger.namespace(), "f5", "d.txt", v1, chunk, content.length)),
                404, "namespace-not-found"));
        refusals.add(new Refusal("a namespace that does not exist",
                client.submit(laptop, "nowhere", ApiClient.oneFileBatch(UUID.randomUUID().toString(), "f5", "d.txt", v1, chunk, content.length)),
                404, "namespace-not-found"));
        refusals.add(new Refusal("a vector without the submitting device",
                client.submit(laptop, "bad-vector", ApiClient.oneFileBatch(ns, "f6", "e.txt", Map.of(old.id(), 1), chunk, content.length)),
                400, "invalid-vector"));
        refusals.add(new Refusal("a zero counter",
                client.submit(laptop, "zero", ApiClient.oneFileBatch(ns, "f6", "e.txt", Map.of(laptop.id(), 0), chunk, content.length)),
                400, "invalid-vector"));
        refusals.add(new Refusal("a delete with chunks",
                client.submit(laptop, "delete-chunks", Map.of("namespaceId", ns, "changes", List.of(Map.of("fileId", "f", "path", "a.txt",
                        "op", "DELETE", "vector", v1, "chunks", List.of(Map.of("id", chunk, "size", content.length)), "size", content.length)))),
                400, "invalid-manifest"));
        refusals.add(new Refusal("a blank fileId",
                client.submit(laptop, "blank-id", ApiClient.oneFileBatch(ns, " ", "e.txt", v1, chunk, content.length)),
                400, "invalid-file-id"));
        refusals.add(new Refusal("a fileId with a slash",
                client.submit(laptop, "slash-id", ApiClient.oneFileBatch(ns, "a/b", "e.txt", v1, chunk, content.length)),
                400, "invalid-file-id"));
        refusals.add(new Refusal("the client's state folder",
                client.submit(laptop, "state-dir", ApiClient.oneFileBatch(ns, "f8", ".cumulus/state.db", v1, chunk, content.length)),
                400, "invalid-path"));
        refusals.add(new Refusal("the client's state folder in another case",
                client.submit(laptop, "state-dir-case", ApiClient.oneFileBatch(ns, "f8", "Docs/.CUMULUS", v1, chunk, content.length)),
                400, "invalid-path"));
        refusals.add(new Refusal("a client's temporary file",
                client.submit(laptop, "temp-file", ApiClient.oneFileBatch(ns, "f8", "Docs/.cumulus-tmp-5f2a", v1, chunk, content.length)),
                400, "invalid-path"));
        refusals.add(new Refusal("no Idempotency-Key",
                client.send("POST", "/v1/changes", laptop.token(), ApiClient.oneFileBatch(ns, "f7", "f.txt", v1, chunk, content.length), Map.of()),
                400, "missing-header"));
        refusals.add(new Refusal("an Idempotency-Key of 201 characters",
                client.submit(laptop, "k".repeat(201), ApiClient.oneFileBatch(ns, "f7", "f.txt", v1, chunk, content.length)),
                400, "invalid-idempotency-key"));
        refusals.add(new Refusal("no changes",
                client.submit(laptop, "empty", Map.of("namespaceId", ns, "changes", List.of())), 400, "invalid-request"));
        refusals.add(new Refusal("1,001 changes", client.submit(laptop, "too-many", tooManyChanges(laptop, chunk, content.length)),
                400, "too-many-changes"));
        refusals.add(new Refusal("a text/plain body",
                client.send("POST", "/v1/changes", laptop.token(), ApiClient.JSON.writeValueAsString(
                        ApiClient.oneFileBatch(ns, "f8", "g.txt", v1, chunk, content.length)),
                        Map.of("Idempotency-Key", "plain", "Content-Type", "text/plain")), 415, "unsupported-media-type"));
        refusals.add(new Refusal("a GET", client.send("GET", "/v1/changes", laptop.token(), null, Map.of()), 405, "method-not-allowed"));

        // then each is the expected problem
        for (Refusal r : refusals) {
            assertThat(r.response().status()).as(r.what() + ": " + r.response()).isEqualTo(r.status());
            assertThat(r.response().contentType()).as(r.what()).startsWith("application/problem+json");
            assertThat(r.response().problem()).as(r.what()).isEqualTo(r.problem());
            assertThat(r.response().json().get("status").asInt()).as(r.what()).isEqualTo(r.status());
            assertThat(r.response().json().get("title").asString()).as(r.what()).isNotBlank();
            assertThat(r.response().json().get("detail").asString()).as(r.what()).isNotBlank();
        }
        // and none of them wrote anything
        assertThat(api.footprint()).isEqualTo(before);
        // and a good batch afterwards is accepted, as the only trace of this account
        Response good = client.submit(laptop, "good", ApiClient.oneFileBatch(ns, "f9", "h.txt", v1, chunk, content.length));
        assertThat(good.status()).as(good.toString()).isEqualTo(202);
        assertThat(api.footprint()).isEqualTo(new Footprint(before.batches() + 1, before.outbox() + 1, before.chunks(), before.accountChunks()));
    }

    @Test
    void problemsSayWhatWasWrong() {
        // given a device and a batch whose second change has a bad path, and one with a missing chunk
        Device laptop = client.newAccountWithDevice("details", "Laptop");
        String chunk = client.upload(laptop, "x".getBytes(StandardCharsets.UTF_8));
        Map<String, Object> good = Map.of("fileId", "f1", "path", "ok.txt", "op", "UPSERT", "vector", Map.of(laptop.id(), 1),
                "size", 1, "chunks", List.of(Map.of("id", chunk, "size", 1)));
        Map<String, Object> bad = new LinkedHashMap<>(good);
        bad.put("path", "a/../b");
        String unknown = "f".repeat(64);

        Response badPath = client.submit(laptop, "p", Map.of("namespaceId", laptop.namespace(), "changes", List.of(good, bad)));
        Response missing = client.submit(laptop, "m", ApiClient.oneFileBatch(laptop.namespace(), "f", "a.txt", Map.of(laptop.id(), 1), unknown, 3));

        assertThat(badPath.json().get("changeIndex").asInt()).isEqualTo(1);
        assertThat(badPath.json().get("reason").asString()).isEqualTo("dot-segment");
        assertThat(badPath.json().get("detail").asString()).contains("changes[1]");
        assertThat(missing.json().get("missingChunks")).hasSize(1);
        assertThat(missing.json().get("missingChunks").get(0).asString()).isEqualTo(unknown);
    }

    private static Response oversizeChunked(Device device) {
        byte[] body = ("{\"pad\":\"" + "y".repeat(1024 * 1024 + 10) + "\"}").getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(client.base() + "/v1/changes"))
                .header("Authorization", "Bearer " + device.token())
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", "chunked")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build();
        return client.exchange(request);
    }

    private static Map<String, Object> tooManyChanges(Device device, String chunk, int size) {
        List<Map<String, Object>> changes = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            changes.add(Map.of("fileId", "f" + i, "path", i + ".txt", "op", "UPSERT", "vector", Map.of(device.id(), 1),
                    "size", size, "chunks", List.of(Map.of("id", chunk, "size", size))));
        }
        return Map.of("namespaceId", device.namespace(), "changes", changes);
    }
}
