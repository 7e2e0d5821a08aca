package io.cumulus.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.cumulus.sync.hash.Sha256;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small JDK HttpClient client of the ingest API, doing what a device would. */
public final class ApiClient {
    public static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String adminToken;

    ApiClient(String base, String adminToken) {
        this.base = base;
        this.adminToken = adminToken;
    }

    /** A registered device, as a client keeps it. */
    public record Device(String id, String token, String accountId, String namespace, String username) {
    }

    public record Response(int status, byte[] bytes, String contentType, Map<String, List<String>> headers) {
        public String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        public JsonNode json() {
            return JSON.readTree(bytes);
        }

        public Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst();
        }

        /** The slug of a problem body: {@code /problems/chunk-missing} gives {@code chunk-missing}. */
        public String problem() {
            return json().get("type").asString().replace("/problems/", "");
        }

        @Override
        public String toString() {
            return status + " " + contentType + " " + body();
        }
    }

    public static String uniqueName(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8);
    }

    public static String passwordOf(String username) {
        return "password-of-" + username;
    }

    public Response createAccount(String username) {
        return send("POST", "/v1/admin/accounts", adminToken, Map.of("username", username, "password", passwordOf(username)), Map.of());
    }

    public Device newAccountWithDevice(String usernamePrefix, String deviceName) {
        String username = uniqueName(usernamePrefix);
        Response created = createAccount(username);
        if (created.status() != 201) {
            throw new IllegalStateException("account creation failed: " + created);
        }
        return registerDevice(username, deviceName);
    }

    public Device registerDevice(String username, String deviceName) {
        Response r = send("POST", "/v1/devices", null,
                Map.of("username", username, "password", passwordOf(username), "deviceName", deviceName), Map.of());
        if (r.status() != 201) {
            throw new IllegalStateException("device registration failed: " + r);
        }
        JsonNode j = r.json();
        return new Device(j.get("deviceId").asString(), j.get("token").asString(), j.get("accountId").asString(),
                j.get("homeNamespace").asString(), username);
    }

    public Response put(Device device, String chunkId, byte[] content) {
        HttpRequest put = HttpRequest.newBuilder(URI.create(base + "/v1/chunks/" + chunkId))
                .header("Authorization", "Bearer " + device.token())
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content)).build();
        return exchange(put);
    }

    /** Uploads a chunk with this Content-Type, or none when it is null. */
    public Response put(Device device, String chunkId, byte[] content, String contentType) {
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(base + "/v1/chunks/" + chunkId))
                .header("Authorization", "Bearer " + device.token())
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content));
        if (contentType != null) {
            put.header("Content-Type", contentType);
        }
        return exchange(put.build());
    }

    /** Uploads content as one chunk and returns its id. */
    public String upload(Device device, byte[] content) {
        String id = Sha256.hex(content);
        Response r = put(device, id, content);
        if (r.status() / 100 != 2) {
            throw new IllegalStateException("upload failed: " + r);
        }
        return id;
    }

    public Response submit(Device device, String idempotencyKey, Object body) {
        return send("POST", "/v1/changes", device.token(), body, Map.of("Idempotency-Key", idempotencyKey));
    }

    public Response get(Device device, String path) {
        return send("GET", path, device.token(), null, Map.of());
    }

    /** A one-file upsert batch body. */
    public static Map<String, Object> oneFileBatch(String namespace, String fileId, String path, Map<String, ?> vector,
                                                   String chunkId, int size) {
        return Map.of("namespaceId", namespace, "changes", List.of(Map.of(
                "fileId", fileId, "path", path, "op", "UPSERT", "vector", vector, "size", size,
                "chunks", List.of(Map.of("id", chunkId, "size", size)))));
    }

    public Response send(String method, String path, String bearer, Object body, Map<String, String> headers) {
        byte[] bytes = body == null ? new byte[0]
                : body instanceof byte[] raw ? raw
                : body instanceof String s ? s.getBytes(StandardCharsets.UTF_8)
                : JSON.writeValueAsBytes(body);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bytes));
        if (body != null && headers.keySet().stream().noneMatch(h -> h.equalsIgnoreCase("Content-Type"))) {
            b.header("Content-Type", "application/json");
        }
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        headers.forEach(b::header);
        return exchange(b.build());
    }

    public Response exchange(HttpRequest request) {
        try {
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new Response(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""), r.headers().map());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String base() {
        return base;
    }
}
