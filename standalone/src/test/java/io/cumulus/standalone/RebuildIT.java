package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import javax.imageio.ImageIO;
import javax.sql.DataSource;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.gc.GcSchema;
import io.cumulus.photos.PhotosSchema;
import io.cumulus.projector.ReadModelSchema;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.standalone.CumulusClient.Device;
import io.cumulus.standalone.CumulusClient.Response;
import io.cumulus.standalone.rebuild.ChunkRefsProjection;
import io.cumulus.standalone.rebuild.Digest;
import io.cumulus.standalone.rebuild.PhotosProjection;
import io.cumulus.standalone.rebuild.Projection;
import io.cumulus.standalone.rebuild.ReadModelProjection;
import io.cumulus.standalone.rebuild.RebuildCommand;
import io.cumulus.sync.hash.Sha256;
import tools.jackson.databind.JsonNode;

/**
 * {@code cumulus admin rebuild} of the PostgreSQL stores, against a server of its own (its own broker,
 * so its topics hold this class's records only): a device's files, photos and an album fill the read
 * model, the chunk reference counts and the photo library; each store is rebuilt into a new generation
 * and switched to, and must then equal what it replaced, table for table; writes made while a rebuild
 * runs are in the generation it switched to; an aborted rebuild drops its generation and leaves the live
 * one as it was. A rebuild is refused while another instance's rebuild of the projection holds its lock,
 * and fails, changing nothing, once a source topic no longer starts at offset 0 (last: it truncates a topic);
 * what rebuilds that never finished left is swept.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RebuildIT {
    private static final Duration PIPELINE = Duration.ofSeconds(60);

    private static StandaloneServer server;
    private static CumulusClient client;
    private static String adminToken;
    private static DataSource db;
    private static Device laptop;

    @BeforeAll
    static void start() throws Exception {
        PostgresConnection pg = TestServers.freshDatabase();
        StandaloneSettings settings = StandaloneSettings.from(List.of("--data-dir=" + TestServers.workDir("standalone-rebuild-"),
                "--port=0", "--kafka-port=0", "--postgres-url=" + pg.jdbcUrl(), "--postgres-user=" + pg.user(),
                "--postgres-password=" + pg.password()), Map.of());
        server = StandaloneServer.start(settings, line -> System.out.println("[cumulus-rebuild] " + line));
        client = new CumulusClient(server.baseUrl());
        adminToken = StandaloneServer.adminToken(server.dataDir());
        db = server.postgres().dataSource();

        // a laptop syncs photos and text files, edits, renames and deletes some, and keeps two photos in an album
        laptop = client.newAccountWithDevice(adminToken, "rebuilder", "Laptop");
        List<String> fill = List.of("beach", "dune", "harbour");
        for (int i = 0; i < fill.size(); i++) {
            submit(fill.get(i), "2026/" + fill.get(i) + ".jpg", image(i), 1);
        }
        submit("notes", "notes.txt", "first notes".getBytes(StandardCharsets.UTF_8), 1);
        submit("notes", "notes.txt", "second notes".getBytes(StandardCharsets.UTF_8), 2);
        submit("dune", "2026/renamed-dune.jpg", image(1), 2);
        assertThat(client.submit(laptop, "del-harbour", CumulusClient.deleteBatch(laptop.namespace(), "harbour",
                "2026/harbour.jpg", Map.of(laptop.id(), 2))).status()).isEqualTo(202);
        await().atMost(PIPELINE).until(() -> photo("beach").equals("ready") && photo("dune").equals("ready")
                && photo("harbour").equals("absent"));
        Response album = client.send("POST", "/v1/albums", laptop.token(), Map.of("name", "Summer"), Map.of());
        assertThat(album.status()).isEqualTo(201);
        String albumId = album.json().get("albumId").asString();
        assertThat(client.send("POST", "/v1/albums/" + albumId + "/photos", laptop.token(),
                Map.of("fileIds", List.of("beach", "dune")), Map.of()).status()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theReadModelIsRebuiltSwitchedToAndServed() throws Exception {
        rebuildsLoseNothingAndAbortsChangeNothing(new ReadModelProjection(db), "rm", () -> {
            List<String> paths = new ArrayList<>();
            client.get(laptop, "/v1/namespaces/" + laptop.namespace() + "/files").json().get("files")
                    .forEach(f -> paths.add(f.get("path").asString()));
            assertThat(paths).contains("2026/beach.jpg", "2026/renamed-dune.jpg", "notes.txt").doesNotContain("2026/harbour.jpg");
        });
    }

    @Test
    void theChunkReferenceCountsAreRebuiltSwitchedToAndServed() throws Exception {
        rebuildsLoseNothingAndAbortsChangeNothing(new ChunkRefsProjection(db), "cr", () -> {
            // fsck compares every count with the references the retained versions hold
            JsonNode report = await().atMost(PIPELINE).until(
                    () -> client.send("POST", "/v1/admin/fsck", adminToken, null, Map.of()).json(),
                    r -> r.path("countsCompared").asBoolean(false));
            assertThat(report.path("countsTooLow").path("total").asLong()).as(report.toString()).isZero();
            assertThat(report.path("countsTooHigh").path("total").asLong()).as(report.toString()).isZero();
            assertThat(count(Sha256.hex(image(0)))).isEqualTo(1);
        });
    }

    @Test
    void thePhotoLibraryAndAlbumsAreRebuiltSwitchedToAndServed() throws Exception {
        rebuildsLoseNothingAndAbortsChangeNothing(new PhotosProjection(db), "ph", () -> {
            assertThat(photo("beach")).isEqualTo("ready");
            assertThat(client.get(laptop, "/v1/photos/dune").json().get("path").asString()).isEqualTo("2026/renamed-dune.jpg");
            assertThat(photo("harbour")).isEqualTo("absent");
            JsonNode albums = client.get(laptop, "/v1/albums").json();
            assertThat(albums.toString()).contains("Summer");
            String albumId = albums.get("albums").get(0).get("albumId").asString();
            assertThat(client.get(laptop, "/v1/albums/" + albumId).json().toString()).contains("beach").contains("dune");
        });
    }

    /**
     * The three promises for one projection: a rebuild while nothing is written equals the live
     * generation it replaces and is served; writes made while a rebuild runs are in the generation it
     * switches to (a later rebuild equals it); an abort drops the new generation and changes nothing.
     */
    private void rebuildsLoseNothingAndAbortsChangeNothing(Projection projection, String prefix, Served served)
            throws Exception {
        String live = liveSchema(projection);

        // given the filled store, settled
        Digest before = stableDigest(projection);
        int generation = projection.liveGeneration();

        // when the operator rebuilds it with nothing being written
        Run run = cli(projection.name());

        // then it switched to the next generation, equal to the old one table for table, and the API serves it
        assertThat(run.code()).as(run.out() + run.err()).isEqualTo(RebuildCommand.DONE);
        assertThat(run.out()).contains(projection.name() + " switched to generation " + (generation + 1));
        assertThat(projection.liveGeneration()).isEqualTo(generation + 1);
        assertThat(projection.digest()).isEqualTo(before);
        assertThat(before.tables()).isNotEmpty();
        assertThat(schemasLike(live + "\\_%")).as("no generation left beside the live one").isEmpty();
        served.run();
        // and a server started later takes the switched generation's migration history as its own
        ReadModelSchema.migrate(db);
        GcSchema.migrate(db);
        PhotosSchema.migrate(db);

        // when a rebuild is held before it applies anything, while the device writes
        String id;
        try (Hold hold = hold(live + "_g" + (generation + 2))) {
            id = startRebuild(projection.name());
            for (int i = 0; i < 3; i++) {
                write(prefix, i);
            }
            awaitWritten(prefix, 3);
            assertThat(status(id).get("phase").asString()).isEqualTo("building");
        }
        // then it switches once it has caught up, and every write, before and after the switch, is there
        await().atMost(PIPELINE).until(() -> status(id).get("phase").asString(), phase -> phase.equals("done"));
        write(prefix, 3);
        awaitWritten(prefix, 4);
        served.run();
        Digest after = stableDigest(projection);
        Run again = cli(projection.name());
        assertThat(again.code()).as(again.out() + again.err()).isEqualTo(RebuildCommand.DONE);
        assertThat(projection.digest()).as("the switched generation is what the topics say, no more, no less").isEqualTo(after);
        assertThat(projection.liveGeneration()).isEqualTo(generation + 3);

        // when a rebuild is aborted before it switches
        String abortedSchema = live + "_g" + (generation + 4);
        String aborted;
        try (Hold hold = hold(abortedSchema)) {
            aborted = startRebuild(projection.name());
            // (its generation created, its first write waiting)
            await().atMost(PIPELINE).until(() -> status(aborted).get("location").asString(),
                    location -> location.equals("schema " + abortedSchema));
            assertThat(schemasLike(abortedSchema)).hasSize(1);
            Response abort = client.send("DELETE", "/v1/admin/rebuilds/" + aborted, adminToken, null, Map.of());
            assertThat(abort.status()).as(abort.body()).isEqualTo(202);
        }
        // then its generation is dropped and the live one is as it was
        await().atMost(PIPELINE).until(() -> status(aborted).get("phase").asString(), phase -> phase.equals("aborted"));
        assertThat(schemasLike(abortedSchema)).isEmpty();
        assertThat(projection.liveGeneration()).isEqualTo(generation + 3);
        assertThat(projection.digest()).isEqualTo(after);
        served.run();
    }

    @Test
    void badRequestsAreRefusedWithAProblemAndStartNothing() {
        Response unknown = client.send("POST", "/v1/admin/rebuilds", adminToken, Map.of("projection", "nonsense"), Map.of());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(unknown.json().get("type").asString()).isEqualTo("/problems/unknown-projection");
        assertThat(client.send("POST", "/v1/admin/rebuilds", adminToken, "{\"projection\":", Map.of()).status()).isEqualTo(400);
        assertThat(client.send("POST", "/v1/admin/rebuilds", "wrong-token", Map.of("projection", "readmodel"), Map.of())
                .status()).isEqualTo(401);
        assertThat(client.send("GET", "/v1/admin/rebuilds/no-such-id", adminToken, null, Map.of()).status()).isEqualTo(404);
        JsonNode list = client.send("GET", "/v1/admin/rebuilds", adminToken, null, Map.of()).json();
        assertThat(list.get("projections").toString()).contains("readmodel").contains("chunk-refs").contains("photos");
        assertThat(list.get("rebuilds").toString()).doesNotContain("nonsense");
    }

    @Test
    void aSecondRebuildOfTheSameProjectionIsRefusedWhileOneRuns() throws Exception {
        ChunkRefsProjection projection = new ChunkRefsProjection(db);
        try (Hold hold = hold("gc_g" + (projection.liveGeneration() + 1))) {
            String id = startRebuild(projection.name());
            Response second = client.send("POST", "/v1/admin/rebuilds", adminToken, Map.of("projection", "chunk-refs"), Map.of());
            assertThat(second.status()).isEqualTo(409);
            assertThat(second.json().get("id").asString()).isEqualTo(id);
            assertThat(client.send("DELETE", "/v1/admin/rebuilds/" + id, adminToken, null, Map.of()).status()).isEqualTo(202);
        }
    }

    @Test
    void anUnauthenticatedBodyIsRefusedBeforeItIsReadAndAnOversizedOneWithA413() throws Exception {
        // a client announces 100 MB and sends a few bytes: an answer that came at all was given without reading on
        assertThat(postAnnouncing(100_000_000, null)).startsWith("HTTP/1.1 401");
        assertThat(postAnnouncing(100_000_000, adminToken)).startsWith("HTTP/1.1 413");
        Response big = client.send("POST", "/v1/admin/rebuilds", adminToken,
                "{\"projection\":\"readmodel\",\"pad\":\"" + "x".repeat(8 * 1024) + "\"}", Map.of());
        assertThat(big.status()).isEqualTo(413);
        assertThat(client.send("GET", "/v1/admin/rebuilds", adminToken, null, Map.of()).json().get("rebuilds").toString())
                .doesNotContain("\"phase\":\"building\"");
    }

    /** The status line a POST of the rebuild endpoint gets that declares {@code length} bytes and sends 16. */
    private static String postAnnouncing(long length, String token) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.httpPort())) {
            socket.setSoTimeout(10_000);
            String request = "POST /v1/admin/rebuilds HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                    + "Content-Length: " + length + "\r\n\r\n{\"projection\":\"";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            return String.valueOf(in.readLine());
        }
    }

    @Test
    void aRebuildIsRefusedWhileAnotherInstanceHoldsTheProjectionsLock() throws Exception {
        ChunkRefsProjection projection = new ChunkRefsProjection(db);
        int generation = projection.liveGeneration();
        try (Connection other = db.getConnection()) {
            try (PreparedStatement s = other.prepareStatement("SELECT pg_advisory_lock(hashtextextended(?, 0))")) {
                s.setString(1, "cumulus-rebuild:chunk-refs");
                s.execute();
            }
            try {
                Response refused = client.send("POST", "/v1/admin/rebuilds", adminToken, Map.of("projection", "chunk-refs"),
                        Map.of());
                assertThat(refused.status()).as(refused.body()).isEqualTo(409);
                assertThat(refused.json().get("type").asString()).isEqualTo("/problems/rebuild-running");
                assertThat(refused.json().get("detail").asString()).contains("another instance");
                Run cli = cli("chunk-refs");
                assertThat(cli.code()).isEqualTo(RebuildCommand.FAILED);
                assertThat(cli.err()).contains("409").contains("another instance");
            } finally {
                try (PreparedStatement s = other.prepareStatement("SELECT pg_advisory_unlock(hashtextextended(?, 0))")) {
                    s.setString(1, "cumulus-rebuild:chunk-refs");
                    s.execute();
                }
            }
        }
        assertThat(projection.liveGeneration()).isEqualTo(generation);
        assertThat(schemasLike("gc\\_g%")).isEmpty();
    }

    @Test
    void whatRebuildsThatNeverFinishedLeftIsSweptAndTheLiveGenerationsKept() throws Exception {
        // given what a crash in the middle of rebuilds leaves: a new generation never switched to, a retired one never dropped
        int readModel = new ReadModelProjection(db).liveGeneration();
        try (Connection c = db.getConnection(); java.sql.Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA readmodel_g97");
            s.execute("CREATE TABLE readmodel_g97.files (id int)");
            s.execute("CREATE SCHEMA photos_retired_g96");
        }

        // when the server sweeps them, as it does when it starts
        server.rebuilds().orElseThrow().sweepLeftovers();

        // then they are gone, and the live generations serve as before
        assertThat(schemasLike("readmodel\\_g97")).isEmpty();
        assertThat(schemasLike("photos\\_retired\\_g96")).isEmpty();
        assertThat(schemasLike("readmodel")).hasSize(1);
        assertThat(new ReadModelProjection(db).liveGeneration()).isEqualTo(readModel);
        assertThat(client.get(laptop, "/v1/namespaces/" + laptop.namespace() + "/files").status()).isEqualTo(200);
    }

    /** Last: it deletes records of a source topic, after which no rebuild of that projection can succeed. */
    @Test
    @Order(Integer.MAX_VALUE)
    void aRebuildFromATopicThatNoLongerStartsAtOffsetZeroFailsAndChangesNothing() throws Exception {
        ChunkRefsProjection projection = new ChunkRefsProjection(db);
        Digest before = stableDigest(projection);
        int generation = projection.liveGeneration();
        String topic = projection.topics().get(0);
        TopicPartition truncated;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrapServers()))) {
            var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            var ends = admin.listOffsets(partitions.stream().collect(java.util.stream.Collectors.toMap(tp -> tp,
                    tp -> OffsetSpec.latest()))).all().get();
            truncated = partitions.stream().filter(tp -> ends.get(tp).offset() > 0).findFirst().orElseThrow();
            admin.deleteRecords(Map.of(truncated, RecordsToDelete.beforeOffset(1))).all().get();
        }

        Run run = cli(projection.name());

        assertThat(run.code()).as(run.out() + run.err()).isEqualTo(RebuildCommand.NOT_DONE);
        assertThat(run.out() + run.err()).contains("failed").contains(truncated + " starts at offset 1")
                .contains("no longer hold the whole history");
        assertThat(projection.liveGeneration()).isEqualTo(generation);
        assertThat(projection.digest()).isEqualTo(before);
        assertThat(schemasLike("gc\\_g%")).isEmpty();
    }

    /** What the API serves of the projection, asserted. */
    @FunctionalInterface
    private interface Served {
        void run() throws Exception;
    }

    // --- the workload

    /** One write that reaches all three stores: a new photo (a file event, a chunk reference, a library row). */
    private static void write(String prefix, int i) throws IOException {
        submit(prefix + i, "new/" + prefix + i + ".png", image(shade(prefix, i)), 1);
    }

    /** A shade of its own for each write, so each write's image is a chunk of its own. */
    private static int shade(String prefix, int i) {
        return switch (prefix) {
            case "rm" -> 10;
            case "cr" -> 20;
            default -> 30;
        } + i;
    }

    private static void awaitWritten(String prefix, int n) {
        await().atMost(PIPELINE).until(() -> IntStream.range(0, n).allMatch(i -> {
            String fileId = prefix + i;
            try {
                return photo(fileId).equals("ready")
                        && client.get(laptop, "/v1/files/" + fileId).status() == 200
                        && count(Sha256.hex(image(shade(prefix, i)))) == 1;
            } catch (IOException | SQLException e) {
                throw new IllegalStateException(e);
            }
        }));
    }

    private static void submit(String fileId, String path, byte[] content, int counter) {
        String chunk = client.upload(laptop, content);
        Response r = client.submit(laptop, "k-" + fileId + "-" + counter, CumulusClient.oneFileBatch(laptop.namespace(),
                fileId, path, Map.of(laptop.id(), counter), chunk, content.length));
        assertThat(r.status()).as(r.body()).isEqualTo(202);
    }

    /** The photo's state in the library as the API serves it, or "absent". */
    private static String photo(String fileId) {
        Response r = client.get(laptop, "/v1/photos/" + fileId);
        return r.status() == 404 ? "absent" : r.json().get("state").asString();
    }

    private static byte[] image(int shade) throws IOException {
        BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(Math.floorMod(shade * 37, 256), Math.floorMod(shade * 91, 256), 200));
        g.fillRect(0, 0, 64, 48);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    // --- the rebuild, as the operator runs it

    private record Run(int code, String out, String err) {
    }

    private static Run cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--data-dir=" + server.dataDir(), "--port=" + server.httpPort()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RebuildCommand.run(all, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        System.out.print(out.toString(StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String startRebuild(String projection) {
        Response r = client.send("POST", "/v1/admin/rebuilds", adminToken, Map.of("projection", projection), Map.of());
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        return r.json().get("id").asString();
    }

    private static JsonNode status(String id) {
        return client.send("GET", "/v1/admin/rebuilds/" + id, adminToken, null, Map.of()).json();
    }

    /** The projection's digest once two readings a second apart agree (the workers have settled). */
    private static Digest stableDigest(Projection projection) {
        AtomicReference<Digest> last = new AtomicReference<>();
        return await().atMost(PIPELINE).pollInterval(Duration.ofSeconds(1)).until(() -> projection.digest(),
                d -> d.equals(last.getAndSet(d)));
    }

    private static String liveSchema(Projection projection) {
        return switch (projection.name()) {
            case "readmodel" -> "readmodel";
            case "chunk-refs" -> "gc";
            default -> "photos";
        };
    }

    /**
     * Holds generation {@code schema}'s switch lock, as a write in flight would: a rebuild into it waits
     * at its first write until this is closed.
     */
    private record Hold(Connection connection) implements AutoCloseable {
        @Override
        public void close() throws SQLException {
            connection.rollback();
            connection.close();
        }
    }

    private static Hold hold(String schema) throws SQLException {
        Connection c = db.getConnection();
        c.setAutoCommit(false);
        try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
            s.setString(1, "cumulus-generation:" + schema);
            s.execute();
        }
        return new Hold(c);
    }

    private static List<String> schemasLike(String pattern) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT nspname FROM pg_namespace WHERE nspname LIKE ?")) {
            s.setString(1, pattern);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }

    private static long count(String chunkId) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT ref_count FROM gc.chunk_store WHERE chunk_id = ?")) {
            s.setString(1, chunkId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    static {
        ImageIO.setUseCache(false);
    }

}
