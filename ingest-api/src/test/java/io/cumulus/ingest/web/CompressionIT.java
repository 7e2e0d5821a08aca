package io.cumulus.ingest.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Device;
import io.cumulus.ingest.ApiClient.Response;
import io.cumulus.ingest.RunningIngestApi;
import tools.jackson.databind.json.JsonMapper;

/** gzip on the wire: JSON answers for a client that asks, request bodies inflated within the endpoint's limit. */
class CompressionIT {
    private static final JsonMapper JSON = JsonMapper.builder().build();

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
    void aGzippedChangeBatchIsAcceptedLikeAPlainOne() throws IOException {
        Device laptop = client.newAccountWithDevice("gzipper", "Laptop");
        String chunk = client.upload(laptop, "abc".getBytes(StandardCharsets.UTF_8));
        byte[] body = JSON.writeValueAsBytes(ApiClient.oneFileBatch(laptop.namespace(), "f", "a.txt", Map.of(laptop.id(), 1), chunk, 3));

        Response r = client.send("POST", "/v1/changes", laptop.token(), gzip(body),
                Map.of("Idempotency-Key", "k", "Content-Encoding", "gzip"));

        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(batches(laptop)).isEqualTo(1);
    }

    @Test
    void aBodyThatInflatesPastTheLimitIsRefusedWith413AndChangesNothing() throws IOException {
        // given a change batch that is 2 MiB of JSON (the limit is 1 MiB) gzipped into a few KiB
        Device laptop = client.newAccountWithDevice("bomber", "Laptop");
        String chunk = client.upload(laptop, "abc".getBytes(StandardCharsets.UTF_8));
        String padding = " ".repeat(2 * 1024 * 1024);
        byte[] body = ("{\"namespaceId\":\"" + laptop.namespace() + "\"," + padding + "\"changes\":"
                + JSON.writeValueAsString(List.of(Map.of("fileId", "f", "path", "a.txt", "op", "UPSERT", "vector", Map.of(laptop.id(), 1),
                "size", 3, "chunks", List.of(Map.of("id", chunk, "size", 3))))) + "}").getBytes(StandardCharsets.UTF_8);
        byte[] bomb = gzip(body);
        assertThat(bomb.length).isLessThan(16 * 1024);

        Response r = client.send("POST", "/v1/changes", laptop.token(), bomb, Map.of("Idempotency-Key", "k", "Content-Encoding", "gzip"));

        assertThat(r.status()).as(r.toString()).isEqualTo(413);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.problem()).isEqualTo("body-too-large");
        assertThat(batches(laptop)).isZero();
    }

    @Test
    void aBodyThatIsNotGzipAsItClaimsIsA400() {
        Device laptop = client.newAccountWithDevice("liar", "Laptop");

        Response r = client.send("POST", "/v1/changes", laptop.token(), "{\"namespaceId\": 1}".getBytes(StandardCharsets.UTF_8),
                Map.of("Idempotency-Key", "k", "Content-Encoding", "gzip"));

        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.problem()).isEqualTo("malformed-encoding");
        assertThat(batches(laptop)).isZero();
    }

    @Test
    void aBodyInAnEncodingTheApiDoesNotReadIsA415() {
        Device laptop = client.newAccountWithDevice("brotli", "Laptop");

        Response r = client.send("POST", "/v1/chunks/missing", laptop.token(), "{\"chunkIds\": []}".getBytes(StandardCharsets.UTF_8),
                Map.of("Content-Encoding", "br"));

        assertThat(r.status()).as(r.toString()).isEqualTo(415);
        assertThat(r.problem()).isEqualTo("unsupported-content-encoding");
    }

    @Test
    void aLargeJsonAnswerComesGzippedToAClientThatAsksAndPlainToOneThatDoesNot() throws IOException {
        // given a namespace whose feed is a few KiB of JSON
        Device laptop = client.newAccountWithDevice("reader", "Laptop");
        for (int seq = 1; seq <= 20; seq++) {
            api.execute("""
                    insert into readmodel.feed (namespace_id, seq, file_id, path, op, vector, chunks, size, device_id, batch_id,
                                                change_index, at)
                    values (?::uuid, ?, ?, ?, 'UPSERT', '{}'::jsonb, '[]'::jsonb, 3, 'd', 'b', 0, now())""",
                    laptop.namespace(), (long) seq, "f" + seq, "folder/file-" + seq + ".txt");
        }
        String feed = "/v1/namespaces/" + laptop.namespace() + "/changes";

        Response gzipped = client.send("GET", feed, laptop.token(), null, Map.of("Accept-Encoding", "gzip"));
        Response plain = client.get(laptop, feed);

        assertThat(gzipped.header("Content-Encoding")).contains("gzip");
        assertThat(plain.header("Content-Encoding")).isEmpty();
        assertThat(gzipped.bytes().length).isLessThan(plain.bytes().length / 2);
        assertThat(JSON.readTree(gunzip(gzipped.bytes()))).isEqualTo(plain.json());
    }

    private static long batches(Device device) {
        return api.count("select count(*) from ingest.batches where device_id = ?::uuid", device.id());
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private static byte[] gunzip(byte[] bytes) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        }
    }
}
