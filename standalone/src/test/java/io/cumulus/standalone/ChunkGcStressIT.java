package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.standalone.CumulusClient.Device;
import io.cumulus.standalone.CumulusClient.Download;
import io.cumulus.standalone.CumulusClient.Response;
import io.cumulus.standalone.StressLedger.WrittenFile;
import io.cumulus.sync.hash.Sha256;
import tools.jackson.databind.JsonNode;

/**
 * Chunk garbage collection end to end, with a grace period of one second and a sweep every 200 ms:
 * while four devices of two accounts edit, delete, upload garbage and bring old content back from a
 * small shared pool of chunks, the collector deletes what nothing holds and never what a retained
 * version or a trash entry holds; once everything has settled, the reference counts equal the
 * references the file state implies, and fsck finds nothing to repair.
 */
class ChunkGcStressIT {
    private static final Duration WRITING = Duration.ofSeconds(25);
    private static final Duration SETTLING = Duration.ofSeconds(60);
    private static final List<String> FSCK_FINDINGS = List.of("danglingReferences", "countsTooLow", "countsTooHigh",
            "uncataloguedObjects", "missingObjects");

    private static StandaloneServer server;
    private static CumulusClient client;
    private static String adminToken;
    private static ChunkTables tables;

    @BeforeAll
    static void start() {
        PostgresConnection pg = TestServers.freshDatabase();
        StandaloneSettings settings = StandaloneSettings.from(List.of("--data-dir=" + TestServers.workDir("standalone-gc-"),
                "--port=0", "--kafka-port=0", "--postgres-url=" + pg.jdbcUrl(), "--postgres-user=" + pg.user(),
                "--postgres-password=" + pg.password(), "--gc=on", "--gc-grace=1s", "--gc-interval=200ms"), Map.of());
        server = StandaloneServer.start(settings, line -> System.out.println("[cumulus-gc] " + line));
        client = new CumulusClient(server.baseUrl());
        adminToken = StandaloneServer.adminToken(server.dataDir());
        tables = new ChunkTables(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void underConcurrentWritesTheCollectorDeletesOnlyWhatNoRetainedVersionHolds() throws Exception {
        // given two accounts with two devices each, sharing their account's namespace, and a small pool of contents
        long seed = Long.getLong("cumulus.gc-stress.seed", System.nanoTime());
        System.out.println("[gc-stress] seed=" + seed + " (rerun with -Dcumulus.gc-stress.seed=" + seed + ")");
        ContentPool pool = new ContentPool(seed, 12, 300);
        List<Device> devices = new ArrayList<>();
        for (String account : List.of("ann", "ben")) {
            String user = account + Long.toHexString(seed & 0xffffff);
            devices.add(client.newAccountWithDevice(adminToken, user, "Laptop"));
            devices.add(client.registerDevice(user, "Phone"));
        }
        double deletedBefore = metrics().value("cumulus_gc_deleted_chunks_total", "");

        // when each device writes at random for a while
        StressLedger ledger = new StressLedger();
        ExecutorService writers = Executors.newFixedThreadPool(devices.size());
        List<Future<Void>> running = new ArrayList<>();
        for (int i = 0; i < devices.size(); i++) {
            CumulusClient own = new CumulusClient(server.baseUrl()); // a client each, with its own connections
            running.add(writers.submit(new RandomWriter(own, devices.get(i), "w" + i, pool, ledger, seed + i, WRITING)));
        }
        for (Future<Void> writer : running) {
            writer.get();
        }
        writers.shutdown();
        System.out.println("[gc-stress] written: " + ledger);

        // then every accepted batch is applied, and nothing is left half uploaded or half deleted
        Map<String, JsonNode> outcomes = awaitOutcomes(ledger.batches());
        assertThat(outcomes.values()).allSatisfy(batch -> assertThat(batch.get("changes"))
                .allSatisfy(change -> assertThat(change.get("kind").asString()).as("%s", batch).isEqualTo("APPLIED")));
        await().atMost(SETTLING).pollInterval(Duration.ofMillis(200))
                .until(() -> tables.states().values().stream().noneMatch(s -> s.equals("uploading") || s.equals("deleting")));

        // and the files the server keeps are the ones written, each holding its chunks
        Map<String, WrittenFile> written = ledger.files();
        Map<String, Set<String>> held = new HashMap<>();
        for (Device device : List.of(devices.get(0), devices.get(2))) {
            held.putAll(retainedChunksByFile(device, written));
        }
        Map<String, Long> expectedCounts = new HashMap<>();
        held.values().forEach(chunks -> chunks.forEach(id -> expectedCounts.merge(id, 1L, Long::sum)));

        // 1. every chunk a live file, a retained version or a trash entry holds is stored and reads back
        Map<String, String> states = tables.states();
        for (Device reader : List.of(devices.get(0), devices.get(2))) {
            Set<String> chunks = new LinkedHashSet<>();
            held.forEach((fileId, ids) -> {
                if (written.get(fileId).writer().accountId().equals(reader.accountId())) {
                    chunks.addAll(ids);
                }
            });
            for (String id : chunks) {
                assertThat(states.get(id)).as("catalogue state of held chunk %s", id).isEqualTo("stored");
                Download read = client.download(reader, id);
                assertThat(read.status()).as("reading held chunk %s", id).isEqualTo(200);
                assertThat(Sha256.hex(read.body())).as("SHA-256 of chunk %s as read", id).isEqualTo(id);
            }
        }

        // 2. every chunk uploaded but never held by any version is gone, row and bytes
        Map<String, Set<Device>> uploads = ledger.uploads();
        Set<String> garbage = new HashSet<>(uploads.keySet());
        garbage.removeAll(expectedCounts.keySet());
        assertThat(garbage).as("chunks uploaded and never committed").isNotEmpty();
        await().atMost(SETTLING).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            Map<String, String> now = tables.states();
            assertThat(garbage).as("garbage chunks still catalogued").noneMatch(now::containsKey);
        });
        for (String id : garbage) {
            for (Device uploader : uploads.get(id)) {
                assertThat(client.download(uploader, id).status()).as("reading garbage chunk %s", id).isEqualTo(404);
            }
        }

        // 3. the collector did delete during the run, and never found the counts wrong
        BreakerMetrics after = metrics();
        assertThat(after.value("cumulus_gc_deleted_chunks_total", "") - deletedBefore).isPositive();
        assertThat(after.toString()).contains("cumulus_gc_anomalies_total");
        assertThat(after.value("cumulus_gc_anomalies_total", "")).isZero();

        // 4. the counts equal how many files hold each chunk, and none is negative
        Set<String> seen = new HashSet<>(uploads.keySet());
        seen.addAll(expectedCounts.keySet());
        await().atMost(SETTLING).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            Map<String, Long> counts = tables.refCounts();
            for (String id : seen) {
                assertThat(counts.getOrDefault(id, 0L)).as("reference count of chunk %s", id)
                        .isEqualTo(expectedCounts.getOrDefault(id, 0L));
            }
        });
        assertThat(tables.refCounts().values()).as("reference counts").allMatch(count -> count >= 0);

        // 5. fsck finds nothing to repair
        assertFsckClean();
    }

    @Test
    void aDeletedFilesChunkStaysReadableThroughTheTrashLongAfterTheGracePeriod() throws Exception {
        // given a file made of one chunk, then deleted
        String user = "trash" + Long.toHexString(System.nanoTime());
        Device laptop = client.newAccountWithDevice(adminToken, user, "Laptop");
        byte[] content = ("kept in the trash by " + user).getBytes(StandardCharsets.UTF_8);
        String chunk = client.upload(laptop, content);
        String fileId = "trashed-" + user;
        awaitApplied(laptop, client.submit(laptop, "create", CumulusClient.oneFileBatch(laptop.namespace(), fileId,
                "trashed.txt", Map.of(laptop.id(), 1), chunk, content.length)));
        awaitApplied(laptop, client.submit(laptop, "delete", CumulusClient.deleteBatch(laptop.namespace(), fileId,
                "trashed.txt", Map.of(laptop.id(), 2))));

        // when the collector has deleted a chunk uploaded after the deletion and never committed
        String younger = client.upload(laptop, ("garbage of " + user).getBytes(StandardCharsets.UTF_8));
        await().atMost(SETTLING).pollInterval(Duration.ofMillis(200))
                .until(() -> !tables.states().containsKey(younger) && client.download(laptop, younger).status() == 404);

        // then the deleted file's chunk is still stored, counted once, and readable; the trash lists its file
        assertThat(tables.states()).containsEntry(chunk, "stored");
        assertThat(tables.refCounts()).containsEntry(chunk, 1L);
        Download read = client.download(laptop, chunk);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body()).isEqualTo(content);
        JsonNode trash = client.get(laptop, "/v1/namespaces/" + laptop.namespace() + "/trash").json();
        assertThat(trash.get("files")).extracting(f -> f.get("fileId").asString()).containsExactly(fileId);

        // and restoring its last version brings the file back with that chunk
        long version = trash.get("files").get(0).get("version").asLong();
        Response restored = client.send("POST", "/v1/files/" + fileId + "/restore", laptop.token(),
                Map.of("version", version), Map.of());
        assertThat(restored.status()).isEqualTo(202);
        EditFlowsThroughThePipelineIT.awaitDone(client, laptop, restored.json().get("batchId").asString());
        JsonNode file = client.get(laptop, "/v1/files/" + fileId).json();
        assertThat(file.get("deleted").asBoolean()).isFalse();
        assertThat(file.get("chunks")).extracting(c -> c.get("id").asString()).containsExactly(chunk);
    }

    /**
     * fsck, asked by the operator once everything has settled, compares the counts and finds nothing
     * to repair: every kind of finding totals zero.
     */
    private static void assertFsckClean() {
        Response r = client.send("POST", "/v1/admin/fsck", adminToken, null, Map.of());
        assertThat(r.status()).as("POST /v1/admin/fsck: %s", r).isEqualTo(200);
        JsonNode report = r.json();
        assertThat(report.get("countsCompared").asBoolean()).as("counts compared in %s", report).isTrue();
        for (String finding : FSCK_FINDINGS) {
            JsonNode found = report.get(finding);
            assertThat(found).as("finding %s in the fsck report %s", finding, report).isNotNull();
            assertThat(found.get("total").asLong()).as("%s in the fsck report %s", finding, report).isZero();
        }
        assertThat(report.get("unresolved").asLong()).as("unresolved in %s", report).isZero();
    }

    /**
     * The chunks each file of the device's namespace holds, read through the API (the live files,
     * the trash, and each file's retained versions), after checking the files are the ones written:
     * live ones with the chunks last written, deleted ones in the trash.
     */
    private static Map<String, Set<String>> retainedChunksByFile(Device device, Map<String, WrittenFile> written) {
        String ns = device.namespace();
        Map<String, Set<String>> held = new HashMap<>();
        Map<String, List<String>> listed = new HashMap<>();
        client.get(device, "/v1/namespaces/" + ns + "/files").json().get("files").forEach(f -> listed.put(
                f.get("fileId").asString(), ids(f.get("chunks"))));
        Set<String> trashed = new HashSet<>();
        client.get(device, "/v1/namespaces/" + ns + "/trash").json().get("files")
                .forEach(f -> trashed.add(f.get("fileId").asString()));
        Map<String, List<String>> expectedLive = new HashMap<>();
        Set<String> expectedTrashed = new HashSet<>();
        written.values().stream().filter(f -> f.writer().namespace().equals(ns)).forEach(f -> {
            if (f.live()) {
                expectedLive.put(f.fileId(), f.chunks());
            } else {
                expectedTrashed.add(f.fileId());
            }
        });
        assertThat(listed).as("live files of namespace %s", ns).isEqualTo(expectedLive);
        assertThat(trashed).as("trash of namespace %s", ns).isEqualTo(expectedTrashed);
        Set<String> files = new HashSet<>(listed.keySet());
        files.addAll(trashed);
        for (String fileId : files) {
            Set<String> chunks = new LinkedHashSet<>();
            client.get(device, "/v1/files/" + fileId + "/versions").json().get("versions")
                    .forEach(v -> chunks.addAll(ids(v.get("chunks"))));
            held.put(fileId, chunks);
        }
        return held;
    }

    private static List<String> ids(JsonNode chunks) {
        List<String> ids = new ArrayList<>();
        chunks.forEach(c -> ids.add(c.get("id").asString()));
        return ids;
    }

    /** Every batch's final status, asked by a device of its account, once every one is done. */
    private static Map<String, JsonNode> awaitOutcomes(Map<String, Device> batches) {
        Map<String, JsonNode> done = new HashMap<>();
        await().atMost(SETTLING).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (Map.Entry<String, Device> batch : batches.entrySet()) {
                if (!done.containsKey(batch.getKey())) {
                    JsonNode status = client.get(batch.getValue(), "/v1/batches/" + batch.getKey()).json();
                    if (status.path("status").asString("").equals("done")) {
                        done.put(batch.getKey(), status);
                    }
                }
            }
            return done.size() == batches.size();
        });
        return done;
    }

    private static void awaitApplied(Device device, Response accepted) {
        assertThat(accepted.status()).as("%s", accepted).isEqualTo(202);
        JsonNode batch = EditFlowsThroughThePipelineIT.awaitDone(client, device, accepted.json().get("batchId").asString());
        assertThat(batch.get("changes").get(0).get("kind").asString()).isEqualTo("APPLIED");
    }

    private static BreakerMetrics metrics() {
        return BreakerMetrics.of(client, adminToken);
    }
}
