package io.cumulus.client.e2e;

import static io.cumulus.client.testing.JsonAnswers.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.cumulus.client.config.DeviceConfig;
import io.cumulus.sync.hash.Sha256;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real client process against a server that sends every kind of entry a device could choke on:
 * paths that climb out of the folder, absolute paths, the client's own names, a path through a
 * local symbolic link, a file under another file, names longer than the disk takes, vectors and
 * manifests the client cannot read, damaged chunks, many versions of one file, and a copy still
 * being merged. The client exits 0, writes nothing outside its folder or into its state, and syncs
 * every ordinary file.
 */
class HostileFeedIT {
    private static final String NS = "00000000-0000-0000-0000-0000000000aa";
    private static final String DEVICE = "00000000-0000-0000-0000-0000000000d1";
    private static final String OTHER = "00000000-0000-0000-0000-0000000000d2";

    private HttpServer http;
    private final Map<String, byte[]> chunks = new ConcurrentHashMap<>();
    private final List<Map<String, Object>> events = new ArrayList<>();
    private final List<String> requests = java.util.Collections.synchronizedList(new ArrayList<>());
    private Path home;
    private Path outside;
    private Device device;

    @BeforeEach
    void start() throws IOException {
        home = SyncServer.workDir("hostile-");
        outside = Files.createDirectories(home.resolve("outside"));
        device = new Device("Hostile", home.resolve("config"), home.resolve("folder"));
        Files.createDirectories(device.folder());
        Files.createSymbolicLink(device.folder().resolve("linkdir"), outside);
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", this::answer);
        http.start();
        new DeviceConfig(URI.create("http://127.0.0.1:" + http.getAddress().getPort()), "eve", "acc", DEVICE, "Hostile", "token", NS)
                .save(device.configDir());
    }

    @AfterEach
    void stop() {
        http.stop(0);
    }

    @Test
    void aFeedOfHostileEntriesNeitherStopsTheDeviceNorWritesOutsideItsFolder() throws IOException {
        // given a feed with every kind of entry a device cannot or must not write, beside ordinary files
        file("ok/a.txt", "fine\n");
        file("b.txt", "also fine\n");
        file("../escape.txt", "climbs out");
        file("../../etc/cumulus-escape", "climbs further");
        file("/tmp/absolute.txt", "absolute");
        file(".cumulus/state.db", "not a database");
        file("x/.cumulus/y", "the client's name, deeper");
        file("x/.CUMULUS/y", "the client's name, in capitals");
        file("sub/.cumulus-tmp-evil", "a temporary name");
        file("linkdir/x.txt", "through the link");
        file("clash", "a file named like the folder below");
        file("clash/inner.txt", "under a file");
        file("long/" + "n".repeat(300) + ".txt", "too long a name");
        file("a/./b", "dot segment");
        file("a//b", "empty segment");
        file("", "no path");
        file("nul\u0000name", "a NUL");
        event(Map.of("fileId", "bad-vector", "path", "bad-vector.txt", "op", "UPSERT", "vector", Map.of(OTHER, "many"),
                "chunks", chunkList("bad vector")));
        event(Map.of("fileId", "huge-vector", "path", "huge-vector.txt", "op", "UPSERT",
                "vector", Map.of(OTHER, new java.math.BigInteger("99999999999999999999999")), "chunks", chunkList("huge vector")));
        event(Map.of("fileId", "max-vector", "path", "max-vector.txt", "op", "UPSERT", "vector", Map.of(DEVICE, Long.MAX_VALUE),
                "chunks", chunkList("a counter at its limit")));
        event(Map.of("fileId", "bad-chunk", "path", "bad-chunk.txt", "op", "UPSERT", "vector", Map.of(OTHER, 1),
                "chunks", List.of(Map.of("id", "zz", "size", 3))));
        byte[] honest = "damaged in transit".getBytes(StandardCharsets.UTF_8);
        String damagedId = Sha256.hex(honest);
        chunks.put(damagedId, "DAMAGED in transit".getBytes(StandardCharsets.UTF_8));
        event(Map.of("fileId", "damaged", "path", "damaged.txt", "op", "UPSERT", "vector", Map.of(OTHER, 1),
                "chunks", List.of(Map.of("id", damagedId, "size", honest.length))));
        for (int version = 1; version <= 5; version++) {
            // only the last version's chunk is served: a device applying every version would fail on the first
            String text = "version " + version + "\n";
            Map<String, Object> chunk = Map.of("id", Sha256.hex(text.getBytes(StandardCharsets.UTF_8)), "size", text.length());
            if (version == 5) {
                chunks.put(Sha256.hex(text.getBytes(StandardCharsets.UTF_8)), text.getBytes(StandardCharsets.UTF_8));
            }
            event(Map.of("fileId", "doc", "path", "doc.txt", "op", "UPSERT", "vector", Map.of(OTHER, version), "chunks", List.of(chunk)));
        }
        Map<String, Object> copy = new LinkedHashMap<>(Map.of("fileId", "copy", "path", "doc (Other's conflicted copy 2026-12-05).txt",
                "op", "UPSERT", "vector", Map.of(OTHER, 9), "chunks", chunkList("being merged")));
        copy.put("mergePending", true);
        event(copy);
        event(Map.of("fileId", "never-seen", "path", "gone.txt", "op", "DELETE", "vector", Map.of(OTHER, 3)));
        event(Map.of("fileId", "no-path", "op", "UPSERT", "vector", Map.of(OTHER, 1), "chunks", chunkList("no path at all")));
        event(Map.of("path", "no-id.txt", "op", "UPSERT", "vector", Map.of(OTHER, 1), "chunks", chunkList("no file id")));

        // when the device syncs, twice
        int first = device.syncOnce();
        int second = device.syncOnce();
        device.run("status", device.folder().toString(), "--json");

        // then it says it is in sync, and what it skipped
        assertThat(first).as(device.output()).isZero();
        assertThat(second).as(device.output()).isZero();
        assertThat(device.output()).contains("skipped").contains("linkdir/x.txt");
        // nothing was written outside the folder, nor into its state directory
        try (Stream<Path> there = Files.list(outside)) {
            assertThat(there).isEmpty();
        }
        assertThat(home.resolve("escape.txt")).doesNotExist();
        assertThat(Path.of("/tmp/absolute.txt")).doesNotExist();
        assertThat(Files.readAllBytes(device.folder().resolve(".cumulus/state.db"))).startsWith("SQLite format 3".getBytes(StandardCharsets.US_ASCII));
        // every ordinary file arrived, each file once at its latest version, and nothing a device must not write
        assertThat(device.tree()).containsOnlyKeys("ok/a.txt", "b.txt", "clash", "doc.txt", "max-vector.txt");
        assertThat(Files.readString(device.file("doc.txt"))).isEqualTo("version 5\n");
        assertThat(requests).noneMatch(r -> r.startsWith("GET /v1/chunks/") && !chunks.containsKey(r.substring("GET /v1/chunks/".length())));
        assertThat(requests).noneMatch(r -> r.startsWith("POST /v1/changes"));
        // and status names what was skipped, with reasons
        assertThat(device.output()).contains("\"path\":\"clash/inner.txt\"").contains("\"path\":\"damaged.txt\"")
                .contains("\"side\":\"from-server\"");
    }

    // ---------------------------------------------------------------- the crafted server

    private void file(String path, String content) {
        event(Map.of("fileId", "id-" + events.size(), "path", path, "op", "UPSERT", "vector", Map.of(OTHER, 1),
                "chunks", chunkList(content)));
    }

    private List<Map<String, Object>> chunkList(String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        String id = Sha256.hex(bytes);
        chunks.put(id, bytes);
        return List.of(Map.of("id", id, "size", bytes.length));
    }

    private void event(Map<String, Object> e) {
        Map<String, Object> full = new LinkedHashMap<>(e);
        full.put("seq", events.size() + 1L);
        full.put("deviceId", OTHER);
        events.add(full);
    }

    private void answer(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getRawPath();
        String query = x.getRequestURI().getRawQuery() == null ? "" : x.getRequestURI().getRawQuery();
        requests.add(x.getRequestMethod() + " " + path);
        x.getRequestBody().readAllBytes();
        try {
            if (path.equals("/v1/namespaces/" + NS + "/files")) {
                json(x, 200, Map.of("files", List.of()));
            } else if (path.equals("/v1/namespaces/" + NS + "/changes")) {
                long after = Long.parseLong(query.replaceAll(".*after=(\\d+).*", "$1"));
                List<Map<String, Object>> page = events.stream().filter(e -> (long) e.get("seq") > after).toList();
                json(x, 200, Map.of("changes", page, "lastSeq", (long) events.size()));
            } else if (path.startsWith("/v1/files/")) {
                String id = java.net.URLDecoder.decode(path.substring("/v1/files/".length()), StandardCharsets.UTF_8);
                Map<String, Object> latest = null;
                for (Map<String, Object> e : events) {
                    if (id.equals(e.get("fileId"))) {
                        latest = new LinkedHashMap<>(e);
                        latest.put("deleted", "DELETE".equals(e.get("op")));
                    }
                }
                if (latest == null) {
                    json(x, 404, Map.of("type", "/problems/unknown-file", "title", "no such file"));
                } else {
                    json(x, 200, latest);
                }
            } else if (path.startsWith("/v1/chunks/") && x.getRequestMethod().equals("GET")) {
                byte[] bytes = chunks.get(path.substring("/v1/chunks/".length()));
                if (bytes == null) {
                    json(x, 500, Map.of("type", "/problems/never-asked", "title", "this chunk should not be asked for"));
                } else {
                    x.sendResponseHeaders(200, bytes.length);
                    x.getResponseBody().write(bytes);
                }
            } else if (path.equals("/v1/namespaces/" + NS + "/conflicts")) {
                json(x, 200, Map.of("conflicts", List.of()));
            } else {
                json(x, 400, Map.of("type", "/problems/unexpected", "title", "not expected: " + path));
            }
        } finally {
            x.close();
        }
    }
}
