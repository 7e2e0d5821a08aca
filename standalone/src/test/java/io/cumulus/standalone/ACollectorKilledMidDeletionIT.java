package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.standalone.CumulusClient.Device;
import io.cumulus.sync.hash.Sha256;

/**
 * A Cumulus process killed (SIGKILL) again and again while its chunk collector is deleting hundreds
 * of garbage chunks: after every kill, no chunk row says {@code stored} without its bytes, the
 * chunks a file holds are untouched, and once a process runs on, every garbage chunk is gone, rows
 * and bytes. Each kill lands in the middle of a sweep (it waits until some of the garbage is gone
 * and much is left) and as soon as a chunk is seen marked, so most kills fall between the steps of
 * a deletion (the output says how many rows each kill left marked); {@code ChunkCollectorIT} stops a
 * collector after each step in turn, deterministically.
 */
class ACollectorKilledMidDeletionIT {
    private static final int GARBAGE = 300;
    private final List<StandaloneProcess> processes = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (StandaloneProcess p : processes) {
            p.close();
        }
    }

    private StandaloneProcess start(Path dataDir, PostgresConnection pg, String... options) {
        List<String> all = new ArrayList<>(List.of("--postgres-url=" + pg.jdbcUrl(), "--postgres-user=" + pg.user(),
                "--postgres-password=" + pg.password()));
        all.addAll(List.of(options));
        StandaloneProcess p = StandaloneProcess.start(dataDir, all);
        processes.add(p);
        return p;
    }

    private static long count(PostgresConnection pg, String sql) throws SQLException {
        try (Connection c = pg.dataSource().getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> ids(PostgresConnection pg, String sql) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection c = pg.dataSource().getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    private static Path object(Path dataDir, String id) {
        return dataDir.resolve("blobs").resolve(id.substring(0, 2)).resolve(id.substring(2, 4)).resolve(id);
    }

    private static void noStoredRowWithoutItsBytes(PostgresConnection pg, Path dataDir) throws SQLException {
        assertThat(ids(pg, "SELECT id FROM ingest.chunks WHERE state = 'stored'"))
                .allSatisfy(id -> assertThat(object(dataDir, id)).as("bytes of stored chunk %s", id).exists());
    }

    /**
     * Kills the process as soon as a chunk is seen marked {@code deleting} (between its mark and its
     * forgetting), or after two seconds of looking: the window is a few milliseconds wide.
     */
    private static void killWhileAChunkIsMarked(StandaloneProcess process, PostgresConnection pg) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        try (Connection c = pg.dataSource().getConnection();
             var marked = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM ingest.chunks WHERE state = 'deleting')")) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = marked.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        break;
                    }
                }
            }
        }
        process.kill();
    }

    @Test
    void killsBetweenTheStepsOfDeletionsLoseNoLiveChunkAndLeaveNoRowWithoutItsBytes() throws Exception {
        // given a server that does not collect, where a file holds 5 chunks and 300 uploads were never committed
        Path dataDir = RunningCumulus.workDir("gc-kill-");
        PostgresConnection pg = TestServers.freshDatabase();
        StandaloneProcess uploader = start(dataDir, pg, "--gc=off");
        CumulusClient client = new CumulusClient(uploader.baseUrl());
        Device laptop = client.newAccountWithDevice(uploader.adminToken(), "collected", "Laptop");
        List<String> live = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            byte[] content = ("held by a file, part " + i).getBytes(StandardCharsets.UTF_8);
            String id = client.upload(laptop, content);
            live.add(id);
            CumulusClient.Response r = client.submit(laptop, "live-" + i, CumulusClient.oneFileBatch(laptop.namespace(),
                    "live-" + i, "live-" + i + ".txt", Map.of(laptop.id(), 1), id, content.length));
            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            EditFlowsThroughThePipelineIT.awaitDone(client, laptop, r.json().get("batchId").asString());
        }
        for (int i = 0; i < GARBAGE; i++) {
            client.upload(laptop, ("never committed " + i).getBytes(StandardCharsets.UTF_8));
        }
        uploader.close();
        long total = count(pg, "SELECT count(*) FROM ingest.chunks");
        assertThat(total).isEqualTo(GARBAGE + live.size());

        // when a collecting server (grace 1 s) is killed three times in the middle of its sweeps
        StandaloneProcess collector = start(dataDir, pg, "--gc-grace=1s", "--gc-interval=100ms");
        long leftMarked = 0;
        for (int kill = 1; kill <= 3; kill++) {
            long target = total - kill * (GARBAGE / 5);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(5))
                    .until(() -> count(pg, "SELECT count(*) FROM ingest.chunks") <= target);
            killWhileAChunkIsMarked(collector, pg);

            // then right after each kill: no stored row without its bytes, and the file's chunks are all there
            noStoredRowWithoutItsBytes(pg, dataDir);
            assertThat(ids(pg, "SELECT id FROM ingest.chunks WHERE state = 'stored'")).containsAll(live);
            long marked = count(pg, "SELECT count(*) FROM ingest.chunks WHERE state = 'deleting'");
            leftMarked += marked;
            System.out.printf("kill %d: %d rows left, %d marked deleting%n", kill,
                    count(pg, "SELECT count(*) FROM ingest.chunks"), marked);
            collector.restart();
        }

        // then the last process finishes: every garbage chunk is gone, rows and bytes, and the live ones read back
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> count(pg, "SELECT count(*) FROM ingest.chunks") == live.size());
        noStoredRowWithoutItsBytes(pg, dataDir);
        try (var objects = Files.walk(dataDir.resolve("blobs"))) {
            assertThat(objects.filter(Files::isRegularFile).filter(p -> !p.toString().contains(".incoming"))
                    .map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrderElementsOf(live);
        }
        CumulusClient after = new CumulusClient(collector.baseUrl());
        for (String id : live) {
            CumulusClient.Response read = after.get(laptop, "/v1/chunks/" + id);
            assertThat(read.status()).isEqualTo(200);
            assertThat(Sha256.hex(read.body().getBytes(StandardCharsets.UTF_8))).isEqualTo(id);
        }
        assertThat(collector.output()).contains("chunk deleted");
        if (leftMarked > 0) {
            assertThat(collector.output()).as("a deletion a kill interrupted is finished").contains("chunk deletion resumed");
        }
    }
}
