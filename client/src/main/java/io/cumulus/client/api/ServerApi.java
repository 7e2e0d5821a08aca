package io.cumulus.client.api;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import io.cumulus.client.api.Remote.Batch;
import io.cumulus.client.api.Remote.Change;
import io.cumulus.client.api.Remote.Device;
import io.cumulus.client.api.Remote.Event;
import io.cumulus.client.api.Remote.Feed;
import io.cumulus.client.api.Remote.FileState;
import io.cumulus.client.api.Remote.Kind;
import io.cumulus.client.api.Remote.Outcome;
import io.cumulus.client.api.Remote.Registered;
import io.cumulus.sync.manifest.ChunkId;
import io.cumulus.sync.manifest.ChunkRef;
import io.cumulus.sync.manifest.Manifest;
import io.cumulus.sync.vector.VersionVector;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Cumulus HTTP API as a device uses it. Every call either returns what the server said or
 * throws an {@link ApiException} naming the status and the server's problem type; none retries by
 * itself (see {@link Retry}).
 */
public final class ServerApi {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final URI server;
    private final Optional<String> token;
    private final HttpClient http;
    private final AtomicLong chunkBytesSent = new AtomicLong();
    private final AtomicLong chunkBytesReceived = new AtomicLong();
    private volatile Optional<String> correlationId = Optional.empty();

    /** The request header under which the server takes a correlation id for its log lines (docs/decisions/0039). */
    public static final String CORRELATION_HEADER = "X-Correlation-Id";

    /** The media type of a chunk delta, both ways (decision 0017). */
    public static final String DELTA_MEDIA_TYPE = "application/vnd.cumulus.chunk-delta";

    /** A chunk's body as the server sent it: a delta against the asked base, or the chunk's own bytes. */
    public record ChunkBody(boolean delta, byte[] bytes) {
    }

    private ServerApi(URI server, Optional<String> token) {
        this.server = server;
        this.token = token;
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if ("http".equalsIgnoreCase(server.getScheme())) {
            // A plain-HTTP server never needs TLS, and the JDK's default context (its trust store read and parsed)
            // is a good part of a short command's start: an uninitialised one stands in, never used.
            try {
                http.sslContext(javax.net.ssl.SSLContext.getInstance("TLS")).sslParameters(new javax.net.ssl.SSLParameters());
            } catch (java.security.NoSuchAlgorithmException e) {
                // no TLS in this JDK: the default context is as good as any
            }
        }
        this.http = http.build();
    }

    /** A client for the calls that need no device token (device registration). */
    public static ServerApi anonymous(URI server) {
        return new ServerApi(server, Optional.empty());
    }

    public static ServerApi device(URI server, String token) {
        return new ServerApi(server, Optional.of(token));
    }

    public URI server() {
        return server;
    }

    /**
     * Sends {@code X-Correlation-Id: id} with every request from now on: the server's log lines about
     * them, and about the batches they submit down to every worker, carry it, so a user's report that
     * names it can be matched with them. A fresh id each sync round: {@link #newCorrelationId()}.
     */
    public void correlate(String id) {
        if (!id.matches("[A-Za-z0-9._:-]{1,64}")) {
            throw new IllegalArgumentException("a correlation id is 1 to 64 letters, digits and . _ : -, was '" + id + "'");
        }
        correlationId = Optional.of(id);
    }

    /** The correlation id requests are sent with, if {@link #correlate} gave one. */
    public Optional<String> correlationId() {
        return correlationId;
    }

    /** A new correlation id for a client's unit of work: {@code c-} and 16 random hex digits. */
    public static String newCorrelationId() {
        return "c-" + java.util.HexFormat.of().toHexDigits(java.util.concurrent.ThreadLocalRandom.current().nextLong());
    }

    public Registered registerDevice(String username, String password, String deviceName) {
        JsonNode body = sendJson("POST", "/v1/devices", Map.of("username", username, "password", password,
                "deviceName", deviceName), Map.of());
        return new Registered(UUID.fromString(text(body, "deviceId")), text(body, "token"),
                UUID.fromString(text(body, "accountId")), UUID.fromString(text(body, "homeNamespace")));
    }

    public List<Device> devices() {
        List<Device> devices = new ArrayList<>();
        for (JsonNode d : sendJson("GET", "/v1/devices", null, Map.of()).get("devices")) {
            devices.add(new Device(text(d, "deviceId"), text(d, "name"), text(d, "createdAt"), d.get("revoked").asBoolean()));
        }
        return devices;
    }

    public void revokeDevice(String deviceId) {
        send("DELETE", "/v1/devices/" + encode(deviceId), null, Map.of());
    }

    /** Of these chunk ids, the ones the server wants uploaded. */
    public Set<ChunkId> missingChunks(Set<ChunkId> ids) {
        Set<ChunkId> missing = new HashSet<>();
        if (ids.isEmpty()) {
            return missing;
        }
        List<String> hex = ids.stream().map(ChunkId::value).toList();
        for (JsonNode id : sendJson("POST", "/v1/chunks/missing", Map.of("chunkIds", hex), Map.of()).get("missing")) {
            missing.add(ChunkId.of(id.asString()));
        }
        return missing;
    }

    public void putChunk(ChunkId id, byte[] bytes) {
        HttpRequest request = request("/v1/chunks/" + id.value())
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .build();
        chunkBytesSent.addAndGet(bytes.length);
        exchange(request, "PUT /v1/chunks/" + id.value());
    }

    /**
     * Several small chunks in one request ({@code POST /v1/chunks/pack}): each one's 32-byte
     * SHA-256, its length (4 bytes, big-endian) and its bytes.
     */
    public void putChunks(List<io.cumulus.sync.chunking.Chunk> chunks) {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream(
                chunks.stream().mapToInt(c -> c.length() + 36).sum());
        java.io.DataOutputStream out = new java.io.DataOutputStream(body);
        try {
            for (io.cumulus.sync.chunking.Chunk c : chunks) {
                out.write(java.util.HexFormat.of().parseHex(c.id().value()));
                out.writeInt(c.length());
                out.write(c.bytes());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot happen: writing to memory", e);
        }
        HttpRequest request = request("/v1/chunks/pack")
                .header("Content-Type", "application/vnd.cumulus.chunk-pack")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .build();
        chunkBytesSent.addAndGet(body.size());
        exchange(request, "POST /v1/chunks/pack (" + chunks.size() + " chunks)");
    }

    /**
     * Several chunks in one request ({@code POST /v1/chunks/fetch}): those of {@code ids} the
     * server has for this account, by id (their bytes unchecked: the caller verifies them).
     */
    public Map<ChunkId, byte[]> getChunks(Collection<ChunkId> ids) {
        Map<ChunkId, byte[]> chunks = new LinkedHashMap<>();
        if (ids.isEmpty()) {
            return chunks;
        }
        byte[] json = JSON.writeValueAsBytes(Map.of("chunkIds", ids.stream().map(ChunkId::value).toList()));
        HttpRequest request = request("/v1/chunks/fetch")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json))
                .build();
        HttpResponse<byte[]> response = exchange(request, "POST /v1/chunks/fetch (" + ids.size() + " chunks)");
        chunkBytesReceived.addAndGet(response.body().length);
        java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(response.body()));
        try {
            byte[] hash = new byte[32];
            while (in.available() > 0) {
                in.readFully(hash);
                int length = in.readInt();
                if (length <= 0 || length > in.available()) {
                    throw new IOException("a chunk of " + length + " bytes where " + in.available() + " are left");
                }
                byte[] bytes = new byte[length];
                in.readFully(bytes);
                chunks.put(ChunkId.of(java.util.HexFormat.of().formatHex(hash)), bytes);
            }
        } catch (IOException e) {
            throw new ApiException(502, "malformed-pack", "POST /v1/chunks/fetch answered a malformed pack: " + e.getMessage(),
                    Optional.empty(), e);
        }
        return chunks;
    }

    /** Uploads chunk {@code id} as a delta against {@code base}, a chunk this account may read. */
    public void putChunkDelta(ChunkId id, ChunkId base, byte[] delta) {
        HttpRequest request = request("/v1/chunks/" + id.value() + "?base=" + base.value())
                .header("Content-Type", DELTA_MEDIA_TYPE)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(delta))
                .build();
        chunkBytesSent.addAndGet(delta.length);
        exchange(request, "PUT /v1/chunks/" + id.value() + " (delta)");
    }

    /** The chunk's bytes, or empty when the server has none this account may read. */
    public Optional<byte[]> getChunk(ChunkId id) {
        return chunkBody("/v1/chunks/" + id.value(), "GET /v1/chunks/" + id.value()).map(HttpResponse::body);
    }

    /** The signature of a chunk (for encoding a delta against it), or empty when this account may not read it. */
    public Optional<byte[]> chunkSignature(ChunkId id) {
        return chunkBody("/v1/chunks/" + id.value() + "/signature", "GET /v1/chunks/" + id.value() + "/signature")
                .map(HttpResponse::body);
    }

    /** Chunk {@code id}, preferably as a delta against {@code base}; empty when this account may not read it. */
    public Optional<ChunkBody> getChunkAgainst(ChunkId id, ChunkId base) {
        return chunkBody("/v1/chunks/" + id.value() + "?base=" + base.value(), "GET /v1/chunks/" + id.value() + " (delta)")
                .map(r -> new ChunkBody(r.headers().firstValue("Content-Type").orElse("").startsWith(DELTA_MEDIA_TYPE), r.body()));
    }

    /** Bytes of chunk bodies, signatures and deltas sent and received so far by this client (HTTP headers left out). */
    public long chunkBytesSent() {
        return chunkBytesSent.get();
    }

    public long chunkBytesReceived() {
        return chunkBytesReceived.get();
    }

    private Optional<HttpResponse<byte[]>> chunkBody(String path, String what) {
        HttpResponse<byte[]> response = call(request(path).GET().build(), what);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        check(response, what);
        chunkBytesReceived.addAndGet(response.body().length);
        return Optional.of(response);
    }

    /** Submits a batch; the same key and body again returns the same batch id. */
    public String submit(String namespaceId, String idempotencyKey, List<Change> changes) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (Change c : changes) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("fileId", c.fileId());
            item.put("path", c.path());
            item.put("op", c.delete() ? "DELETE" : "UPSERT");
            item.put("vector", c.vector().entries());
            if (!c.delete()) {
                item.put("chunks", c.manifest().chunks().stream()
                        .map(r -> Map.of("id", r.id().value(), "size", r.size())).toList());
                item.put("size", c.manifest().size());
            }
            items.add(item);
        }
        JsonNode body = sendJson("POST", "/v1/changes", Map.of("namespaceId", namespaceId, "changes", items),
                Map.of("Idempotency-Key", idempotencyKey));
        return text(body, "batchId");
    }

    public Batch batch(String batchId) {
        // Polled until done: the outcomes come once, with the answer that says so.
        JsonNode body = sendJson("GET", "/v1/batches/" + encode(batchId) + "?outcomesWhenDone=true", null, Map.of());
        List<Outcome> outcomes = new ArrayList<>();
        for (JsonNode o : body.get("changes")) {
            outcomes.add(new Outcome(o.get("changeIndex").asInt(), text(o, "fileId"), text(o, "path"),
                    Kind.valueOf(text(o, "kind")), optionalLong(o, "seq"), optionalText(o, "conflictFileId"),
                    optionalText(o, "conflictPath"), vector(o.get("currentVector"))));
        }
        return new Batch("done".equals(text(body, "status")), outcomes);
    }

    /**
     * The feed after {@code after}, without the events that are exactly what this device sent (the
     * server knows them by their batch's outcomes, which the batch sender recorded already).
     */
    public Feed feed(String namespaceId, long after, int limit) {
        JsonNode body = sendJson("GET", "/v1/namespaces/" + encode(namespaceId) + "/changes?after=" + after + "&limit=" + limit
                + "&omitOwn=true", null, Map.of());
        List<Event> events = new ArrayList<>();
        for (JsonNode e : body.get("changes")) {
            long seq = e.path("seq").asLong(0);
            try {
                require(e, "fileId");
                require(e, "path");
                boolean delete = "DELETE".equals(text(e, "op"));
                events.add(new Event(seq, text(e, "fileId"), text(e, "path"), delete, vector(e.get("vector")),
                        manifest(e.get("chunks")), text(e, "deviceId"), optionalText(e, "conflictOf"),
                        e.path("mergePending").asBoolean(false), Optional.empty()));
            } catch (RuntimeException malformed) {
                // One entry the client cannot read is skipped with the reason; the rest of the feed still applies.
                events.add(new Event(seq, Optional.ofNullable(text(e, "fileId")).orElse("?" + seq), Optional.ofNullable(text(e, "path")).orElse(""), false,
                        VersionVector.empty(), Manifest.empty(), null, Optional.empty(), false, Optional.of(String.valueOf(malformed.getMessage()))));
            }
        }
        return new Feed(events, body.get("lastSeq").asLong(), events.size() + body.path("omitted").asInt(0));
    }

    public Optional<FileState> file(String namespaceId, String fileId) {
        HttpRequest request = request("/v1/files/" + encode(fileId) + "?namespace=" + encode(namespaceId)).GET().build();
        HttpResponse<byte[]> response = call(request, "GET /v1/files/" + fileId);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        check(response, "GET /v1/files/" + fileId);
        return Optional.of(fileState(JSON.readTree(response.body()), fileId));
    }

    /** Every event of a file (its versions and deletions), newest first. */
    public List<Remote.Version> versions(String fileId) {
        List<Remote.Version> versions = new ArrayList<>();
        for (JsonNode v : sendJson("GET", "/v1/files/" + encode(fileId) + "/versions", null, Map.of()).get("versions")) {
            versions.add(new Remote.Version(v.get("seq").asLong(), text(v, "path"), "DELETE".equals(text(v, "op")),
                    v.get("size").asLong(), Optional.ofNullable(text(v, "deviceName")).orElse(text(v, "deviceId")), text(v, "at")));
        }
        return versions;
    }

    /** Asks the server to restore a version; returns the batch that carries the restore. */
    public String restore(String fileId, long version) {
        return text(sendJson("POST", "/v1/files/" + encode(fileId) + "/restore", Map.of("version", version), Map.of()), "batchId");
    }

    public List<Remote.TrashEntry> trash(String namespaceId) {
        List<Remote.TrashEntry> entries = new ArrayList<>();
        for (JsonNode t : sendJson("GET", "/v1/namespaces/" + encode(namespaceId) + "/trash", null, Map.of()).get("files")) {
            entries.add(new Remote.TrashEntry(text(t, "fileId"), text(t, "path"), t.get("size").asLong(), t.get("version").asLong(),
                    text(t, "deletedAt")));
        }
        return entries;
    }

    /** The namespace's unresolved conflicts, oldest first. */
    public List<Remote.Conflict> conflicts(String namespaceId) {
        List<Remote.Conflict> conflicts = new ArrayList<>();
        for (JsonNode c : sendJson("GET", "/v1/namespaces/" + encode(namespaceId) + "/conflicts", null, Map.of()).get("conflicts")) {
            conflicts.add(new Remote.Conflict(c.get("seq").asLong(), conflictSide(c.get("copy")), conflictSide(c.get("original"))));
        }
        return conflicts;
    }

    /** Asks the server to resolve a conflict ({@code keep}: copy, original or both); returns the batch that carries it. */
    public String resolve(String namespaceId, String copyFileId, String keep) {
        return text(sendJson("POST", "/v1/namespaces/" + encode(namespaceId) + "/conflicts/" + encode(copyFileId) + "/resolve",
                Map.of("keep", keep), Map.of()), "batchId");
    }

    private static Remote.ConflictSide conflictSide(JsonNode s) {
        return new Remote.ConflictSide(text(s, "fileId"), text(s, "path"), s.path("deleted").asBoolean(false), text(s, "deviceId"),
                Optional.ofNullable(text(s, "deviceName")).orElse(text(s, "deviceId")), text(s, "at"));
    }

    /** The live files under a path prefix. */
    public List<FileState> files(String namespaceId, String prefix) {
        JsonNode body = sendJson("GET", "/v1/namespaces/" + encode(namespaceId) + "/files?prefix=" + encode(prefix), null, Map.of());
        List<FileState> files = new ArrayList<>();
        for (JsonNode f : body.get("files")) {
            files.add(fileState(f, "?"));
        }
        return files;
    }

    // ---- the photo library: answers are the API's JSON, which `--json` prints as it is ----

    /** A page of the photo timeline, newest first: {@code photos} and {@code nextCursor} (null on the last page). */
    public JsonNode photos(Optional<String> before, int limit, boolean favouritesOnly) {
        return sendJson("GET", "/v1/photos?limit=" + limit + before.map(c -> "&before=" + encode(c)).orElse("")
                + (favouritesOnly ? "&favourites=true" : ""), null, Map.of());
    }

    /** Marks a photo as a favourite, or no longer; the photo as it then is (or a {@code 202} body). */
    public JsonNode favourite(String fileId, boolean favourite) {
        return sendJson(favourite ? "PUT" : "DELETE", "/v1/photos/" + encode(fileId) + "/favourite", null, Map.of());
    }

    public JsonNode albums() {
        return sendJson("GET", "/v1/albums", null, Map.of());
    }

    public JsonNode album(String albumId) {
        return sendJson("GET", "/v1/albums/" + encode(albumId), null, Map.of());
    }

    /** Creates an album; the same {@code idempotencyKey} on a retry makes no second one. */
    public JsonNode createAlbum(String name, String idempotencyKey) {
        return sendJson("POST", "/v1/albums", Map.of("name", name), Map.of("Idempotency-Key", idempotencyKey));
    }

    public JsonNode renameAlbum(String albumId, String name) {
        return sendJson("PATCH", "/v1/albums/" + encode(albumId), Map.of("name", name), Map.of());
    }

    public void deleteAlbum(String albumId) {
        send("DELETE", "/v1/albums/" + encode(albumId), null, Map.of());
    }

    public JsonNode addToAlbum(String albumId, List<String> fileIds) {
        return sendJson("POST", "/v1/albums/" + encode(albumId) + "/photos", Map.of("fileIds", fileIds), Map.of());
    }

    public JsonNode removeFromAlbum(String albumId, List<String> fileIds) {
        return sendJson("DELETE", "/v1/albums/" + encode(albumId) + "/photos", Map.of("fileIds", fileIds), Map.of());
    }

    // ---- the audit log ----

    /** A page of this account's audit log after {@code after}, oldest first: {@code entries}, {@code next}, {@code head}. */
    public JsonNode audit(long after, int limit) {
        return sendJson("GET", "/v1/audit?after=" + after + "&limit=" + limit, null, Map.of());
    }

    // ---- shared albums (docs/decisions/0032): the owner shares an album with an account to view or contribute ----

    /** Shares the album with {@code username} as {@code role} ({@code view} or {@code contribute}); the member as the server has it. */
    public JsonNode shareAlbum(String albumId, String username, String role) {
        return sendJson("POST", "/v1/albums/" + encode(albumId) + "/members", Map.of("username", username, "role", role), Map.of());
    }

    /** Gives a member of the album another role. */
    public JsonNode changeAlbumRole(String albumId, String accountId, String role) {
        return sendJson("PUT", "/v1/albums/" + encode(albumId) + "/members/" + encode(accountId), Map.of("role", role), Map.of());
    }

    /** Removes a member from the album (the owner), with the photos they contributed to it. */
    public void unshareAlbum(String albumId, String accountId) {
        send("DELETE", "/v1/albums/" + encode(albumId) + "/members/" + encode(accountId), null, Map.of());
    }

    /** Leaves an album shared with this account. */
    public void leaveAlbum(String albumId) {
        send("DELETE", "/v1/albums/" + encode(albumId) + "/members/me", null, Map.of());
    }

    // ---------------------------------------------------------------- storage quota

    /** The account's storage: the unique bytes its namespaces keep, against its quota. */
    public record Usage(long usedBytes, long quotaBytes) {
    }

    /** {@code GET /v1/usage}: this device's account's storage usage and quota. */
    public Usage usage() {
        JsonNode j = sendJson("GET", "/v1/usage", null, Map.of());
        return new Usage(j.path("usedBytes").asLong(0), j.path("quotaBytes").asLong(0));
    }

    // ---- public links (docs/links.md) ----

    /**
     * Makes a public link: {@code path} (with {@code namespaceId}) or {@code albumId}, and optionally
     * {@code expiresIn} and {@code password}. The answer holds the token, which the server never shows again.
     */
    public JsonNode createLink(Map<String, String> request) {
        return sendJson("POST", "/v1/links", request, Map.of());
    }

    /** This account's links, without their tokens. */
    public JsonNode links() {
        return sendJson("GET", "/v1/links", null, Map.of());
    }

    public void revokeLink(String linkId) {
        send("DELETE", "/v1/links/" + encode(linkId), null, Map.of());
    }

    // ---- shared folders (decision 0030): a share is a namespace of kind shared, mounted per member ----

    /** The account's shares (with their mount paths) and its pending invitations. */
    public Shares.Listing shares() {
        return Shares.listing(sendJson("GET", "/v1/shares", null, Map.of()));
    }

    /** Creates a share owned by this account, mounted at {@code mountPath} of its synced folder. */
    public Shares.Entry createShare(String name, String mountPath) {
        return Shares.entry(sendJson("POST", "/v1/shares", Map.of("name", name, "mountPath", mountPath), Map.of()));
    }

    public Shares.Details share(String shareId) {
        return Shares.details(sendJson("GET", "/v1/shares/" + encode(shareId), null, Map.of()));
    }

    /** Invites {@code username} as "viewer" or "editor" (owner only). */
    public void invite(String shareId, String username, String role) {
        send("POST", "/v1/shares/" + encode(shareId) + "/invitations", Map.of("username", username, "role", role), Map.of());
    }

    public void withdrawInvitation(String shareId, String username) {
        send("DELETE", "/v1/shares/" + encode(shareId) + "/invitations/" + encode(username), null, Map.of());
    }

    public Shares.Entry acceptShare(String shareId, String mountPath) {
        return Shares.entry(sendJson("POST", "/v1/shares/" + encode(shareId) + "/accept", Map.of("mountPath", mountPath), Map.of()));
    }

    public void declineShare(String shareId) {
        send("POST", "/v1/shares/" + encode(shareId) + "/decline", null, Map.of());
    }

    public void leaveShare(String shareId) {
        send("POST", "/v1/shares/" + encode(shareId) + "/leave", null, Map.of());
    }

    public void changeRole(String shareId, String accountId, String role) {
        send("PUT", "/v1/shares/" + encode(shareId) + "/members/" + encode(accountId), Map.of("role", role), Map.of());
    }

    public void removeMember(String shareId, String accountId) {
        send("DELETE", "/v1/shares/" + encode(shareId) + "/members/" + encode(accountId), null, Map.of());
    }

    public void transferShare(String shareId, String accountId) {
        send("POST", "/v1/shares/" + encode(shareId) + "/owner", Map.of("accountId", accountId), Map.of());
    }

    // ---- end of shared folders ----

    /** A file's state as the server wrote it; one the client cannot read is marked malformed, with the reason. */
    private static FileState fileState(JsonNode f, String fallbackId) {
        long seq = f.path("seq").asLong(0);
        String id = Optional.ofNullable(text(f, "fileId")).orElse(fallbackId);
        try {
            require(f, "fileId");
            require(f, "path");
            return new FileState(id, text(f, "path"), f.path("deleted").asBoolean(false), vector(f.get("vector")),
                    manifest(f.get("chunks")), seq, f.path("mergePending").asBoolean(false), Optional.empty());
        } catch (RuntimeException malformed) {
            return new FileState(id, Optional.ofNullable(text(f, "path")).orElse(""), false, VersionVector.empty(), Manifest.empty(),
                    seq, false, Optional.of(String.valueOf(malformed.getMessage())));
        }
    }

    private static void require(JsonNode node, String field) {
        if (text(node, field) == null) {
            throw new IllegalArgumentException("the entry has no " + field);
        }
    }

    private static VersionVector vector(JsonNode node) {
        Map<String, Long> entries = new TreeMap<>();
        if (node != null && node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                JsonNode v = e.getValue();
                if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 1) {
                    throw new IllegalArgumentException("the version vector's counter for '" + e.getKey() + "' is not a positive 64-bit integer");
                }
                entries.put(e.getKey(), v.asLong());
            }
        }
        return Remote.vector(entries);
    }

    private static Manifest manifest(JsonNode chunks) {
        List<ChunkRef> refs = new ArrayList<>();
        if (chunks != null && chunks.isArray()) {
            for (JsonNode c : chunks) {
                JsonNode size = c.path("size");
                if (!size.isIntegralNumber() || !size.canConvertToLong() || size.asLong() < 0) {
                    throw new IllegalArgumentException("a chunk's size is not a non-negative 64-bit integer");
                }
                refs.add(ChunkRef.of(text(c, "id"), size.asLong()));
            }
        }
        return new Manifest(refs);
    }

    private JsonNode sendJson(String method, String path, Object body, Map<String, String> headers) {
        byte[] bytes = send(method, path, body, headers);
        return bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
    }

    private byte[] send(String method, String path, Object body, Map<String, String> headers) {
        HttpRequest.Builder b = request(path);
        headers.forEach(b::header);
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            byte[] json = JSON.writeValueAsBytes(body);
            b.header("Content-Type", "application/json");
            if (json.length >= Gzip.WORTH_COMPRESSING) {
                b.header("Content-Encoding", "gzip");
                json = Gzip.compress(json);
            }
            b.method(method, HttpRequest.BodyPublishers.ofByteArray(json));
        }
        return exchange(b.build(), method + " " + path.replaceAll("\\?.*", "")).body();
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.resolve(path)).timeout(TIMEOUT).header("Accept-Encoding", "gzip");
        correlationId.ifPresent(id -> b.header(CORRELATION_HEADER, id));
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        return b;
    }

    private HttpResponse<byte[]> exchange(HttpRequest request, String what) {
        HttpResponse<byte[]> response = call(request, what);
        check(response, what);
        return response;
    }

    private HttpResponse<byte[]> call(HttpRequest request, String what) {
        try {
            return http.send(request, Gzip.DECODING);
        } catch (java.io.UncheckedIOException e) {
            throw ApiException.unreachable(what, e.getCause());
        } catch (IOException e) {
            throw ApiException.unreachable(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + what, e);
        }
    }

    private static void check(HttpResponse<byte[]> response, String what) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return;
        }
        String type = "";
        String detail = new String(response.body(), StandardCharsets.UTF_8);
        try {
            JsonNode problem = JSON.readTree(response.body());
            type = problem.path("type").asString("");
            detail = problem.path("detail").asString(detail);
        } catch (RuntimeException notJson) {
            // the body is not a problem document: report it as it is
        }
        Optional<Duration> retryAfter = response.headers().firstValue("Retry-After").flatMap(ServerApi::seconds);
        throw new ApiException(status, type, what + " failed (" + status + (type.isEmpty() ? "" : " " + type) + "): " + detail,
                retryAfter, null);
    }

    private static Optional<Duration> seconds(String value) {
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }

    private static Optional<String> optionalText(JsonNode node, String field) {
        return Optional.ofNullable(text(node, field));
    }

    private static Optional<Long> optionalLong(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asLong());
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
