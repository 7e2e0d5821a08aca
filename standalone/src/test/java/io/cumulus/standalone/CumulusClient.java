package io.cumulus.standalone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.cumulus.sync.hash.Sha256;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small HTTP and WebSocket client of a running Cumulus, for end-to-end tests. */
final class CumulusClient {
    static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final Duration requestTimeout;

    CumulusClient(String base) {
        this(base, Duration.ofSeconds(30));
    }

    /** A client that gives up on a request after {@code requestTimeout} ({@link java.net.http.HttpTimeoutException}). */
    CumulusClient(String base, Duration requestTimeout) {
        this.base = base;
        this.requestTimeout = requestTimeout;
    }

    /** A registered device of an account: what a real client keeps after logging in. */
    record Device(String id, String token, String accountId, String namespace) {
    }

    record Response(int status, String body, String contentType, java.util.Optional<String> retryAfter) {
        JsonNode json() {
            return JSON.readTree(body);
        }
    }

    Device newAccountWithDevice(String adminToken, String username, String deviceName) {
        Response created = send("POST", "/v1/admin/accounts", adminToken,
                Map.of("username", username, "password", "password-of-" + username), Map.of());
        if (created.status() != 201) {
            throw new IllegalStateException("account creation failed: " + created);
        }
        return registerDevice(username, deviceName);
    }

    Device registerDevice(String username, String deviceName) {
        Response r = send("POST", "/v1/devices", null,
                Map.of("username", username, "password", "password-of-" + username, "deviceName", deviceName), Map.of());
        if (r.status() != 201) {
            throw new IllegalStateException("device registration failed: " + r);
        }
        JsonNode j = r.json();
        return new Device(j.get("deviceId").asString(), j.get("token").asString(), j.get("accountId").asString(),
                j.get("homeNamespace").asString());
    }

    /** Uploads content as one chunk and returns its id. */
    String upload(Device device, byte[] content) {
        Response r = put(device, content);
        if (r.status() / 100 != 2) {
            throw new IllegalStateException("upload failed: " + r);
        }
        return Sha256.hex(content);
    }

    /** Uploads content as one chunk and answers what the server said, refusals included (503 while it is collected). */
    Response put(Device device, byte[] content) {
        HttpRequest put = HttpRequest.newBuilder(URI.create(base + "/v1/chunks/" + Sha256.hex(content)))
                .header("Authorization", "Bearer " + device.token())
                .header("Content-Type", "application/octet-stream").timeout(requestTimeout)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content)).build();
        return exchange(put);
    }

    /** A chunk's bytes as the device reads them, exactly (a text {@link Response} would not keep binary bytes). */
    record Download(int status, byte[] body) {
    }

    Download download(Device device, String chunkId) {
        HttpRequest get = HttpRequest.newBuilder(URI.create(base + "/v1/chunks/" + chunkId))
                .header("Authorization", "Bearer " + device.token()).timeout(requestTimeout).GET().build();
        try {
            HttpResponse<byte[]> r = http.send(get, HttpResponse.BodyHandlers.ofByteArray());
            return new Download(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A one-file batch body: a new or edited file with the given vector and one chunk. */
    static Map<String, Object> oneFileBatch(String namespace, String fileId, String path, Map<String, Integer> vector,
                                            String chunkId, int size) {
        return Map.of("namespaceId", namespace, "changes", List.of(Map.of(
                "fileId", fileId, "path", path, "op", "UPSERT", "vector", vector, "size", size,
                "chunks", List.of(Map.of("id", chunkId, "size", size)))));
    }

    /** A one-file batch body: a new or edited file made of {@code chunks}, each {@code {id, size}}. */
    static Map<String, Object> upsertBatch(String namespace, String fileId, String path, Map<String, Integer> vector,
                                           List<Map<String, Object>> chunks) {
        long size = chunks.stream().mapToLong(c -> ((Number) c.get("size")).longValue()).sum();
        return Map.of("namespaceId", namespace, "changes", List.of(Map.of(
                "fileId", fileId, "path", path, "op", "UPSERT", "vector", vector, "size", size, "chunks", chunks)));
    }

    /** A one-file batch body: the deletion of a file, with the given vector. */
    static Map<String, Object> deleteBatch(String namespace, String fileId, String path, Map<String, Integer> vector) {
        return Map.of("namespaceId", namespace, "changes", List.of(Map.of(
                "fileId", fileId, "path", path, "op", "DELETE", "vector", vector)));
    }

    Response submit(Device device, String idempotencyKey, Object body) {
        return send("POST", "/v1/changes", device.token(), body, Map.of("Idempotency-Key", idempotencyKey));
    }

    Response get(Device device, String path) {
        return send("GET", path, device.token(), null, Map.of());
    }

    Response send(String method, String path, String bearer, Object body, Map<String, String> headers) {
        byte[] bytes = body == null ? new byte[0]
                : body instanceof byte[] raw ? raw
                : body instanceof String s ? s.getBytes(StandardCharsets.UTF_8)
                : JSON.writeValueAsBytes(body);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(requestTimeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bytes));
        if (body != null) {
            b.header("Content-Type", body instanceof byte[] ? "application/octet-stream" : "application/json");
        }
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        headers.forEach(b::header);
        return exchange(b.build());
    }

    private Response exchange(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""),
                    r.headers().firstValue("Retry-After"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Opens the device's notification socket; every pushed message lands in the returned queue. */
    BlockingQueue<JsonNode> listen(Device device) {
        BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
        try {
            http.newWebSocketBuilder().header("Authorization", "Bearer " + device.token())
                    .buildAsync(URI.create(base.replace("http://", "ws://") + "/v1/notify"), new WebSocket.Listener() {
                        private final StringBuilder partial = new StringBuilder();

                        @Override
                        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                            partial.append(data);
                            if (last) {
                                messages.add(JSON.readTree(partial.toString()));
                                partial.setLength(0);
                            }
                            ws.request(1);
                            return null;
                        }
                    }).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot open the notification socket", e);
        }
        return messages;
    }
}
