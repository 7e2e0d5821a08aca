package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import javax.imageio.ImageIO;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.ingest.IngestDatabase;
import io.cumulus.ingest.chunks.BlobStore;
import io.cumulus.ingest.chunks.ChunkCatalog;
import io.cumulus.ingest.chunks.ChunkId;
import io.cumulus.ingest.chunks.DerivativeStore;
import io.cumulus.ingest.chunks.LocalDirBlobStore;
import io.cumulus.ingest.resilience.StoreBreakers;
import io.cumulus.photos.ChunkSource;
import io.cumulus.photos.PhotoWorker;
import io.cumulus.photos.PhotoWorkerConfig;
import io.cumulus.photos.image.PhotoDeriver;
import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.ChunkRef;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.FileOp;
import io.cumulus.schemas.PhotoEvent;
import io.cumulus.schemas.PhotoEventKind;
import io.cumulus.schemas.TopicSpecs;
import io.cumulus.schemas.Topics;
import io.cumulus.schemas.VersionEntry;
import io.cumulus.sync.hash.Sha256;

/**
 * The photo worker against a real broker, the real PostgreSQL and the real local chunk store: file
 * events go in as the reconciler writes them, and the library, the derivatives and the photo events
 * come out. Each test works in a namespace of its own.
 */
class PhotoWorkerIT {
    private static PostgresConnection pg;
    private static BlobStore blobs;
    private static DerivativeStore derivatives;
    private static KafkaProducer<String, byte[]> fileEvents;
    private static PhotoWorker worker;
    private static Path root;

    @BeforeAll
    static void start() throws Exception {
        assertThat(new PhotoDeriver(PhotoDeriver.defaults()).missingTools()).as("libvips' tools").isEmpty();
        pg = TestServers.freshDatabase();
        root = TestServers.workDir("photos-");
        String bootstrap = TestServers.kafka().bootstrapServers();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            TopicSpecs.createMissing(admin, 2, (short) 1);
        }
        IngestDatabase db = IngestDatabase.migrated(pg.dataSource(),
                StoreBreakers.registry(Duration.ofSeconds(5)).circuitBreaker("test"));
        blobs = new LocalDirBlobStore(root.resolve("blobs"));
        derivatives = new DerivativeStore(new ChunkCatalog(db), blobs);
        fileEvents = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
        worker = newWorker();
        worker.start();
    }

    @AfterAll
    static void stop() {
        if (worker != null) {
            worker.close();
        }
        if (fileEvents != null) {
            fileEvents.close();
        }
    }

    private static PhotoWorker newWorker() {
        ChunkSource chunks = new ChunkSource() {
            @Override
            public Optional<java.io.InputStream> open(String chunkId) {
                return derivatives.open(chunkId);
            }

            @Override
            public String store(byte[] bytes) {
                return derivatives.store(bytes);
            }
        };
        return new PhotoWorker(PhotoWorkerConfig.of(TestServers.kafka().bootstrapServers(), root.resolve("work"))
                .withGroupId("photos-it"), pg.dataSource(), chunks, new PhotoDeriver(PhotoDeriver.defaults()));
    }

    /** One namespace's files as a device would have them: it writes versions, and the reconciler numbers them. */
    private static final class Namespace {
        final UUID id = UUID.randomUUID();
        final Map<String, Long> counters = new HashMap<>();
        long seq;

        /** A new version of the file at {@code path} with {@code content}, as one chunk. */
        FileEvent write(String fileId, String path, byte[] content) {
            String chunk = Sha256.hex(content);
            blobs.put(new ChunkId(chunk), content);
            return send(fileId, path, FileOp.UPSERT, List.of(new ChunkRef(chunk, (long) content.length)), content.length);
        }

        FileEvent delete(String fileId, String path) {
            return send(fileId, path, FileOp.DELETE, List.of(), 0);
        }

        /** The same content as the file's last version, under another path. */
        FileEvent rename(FileEvent last, String newPath) {
            return send(last.getFileId(), newPath, FileOp.UPSERT, last.getChunks(), last.getSize());
        }

        private FileEvent send(String fileId, String path, FileOp op, List<ChunkRef> chunks, long size) {
            long counter = counters.merge(fileId, 1L, Long::sum);
            FileEvent event = FileEvent.newBuilder()
                    .setNamespaceId(id.toString()).setSeq(++seq).setFileId(fileId).setPath(path).setOp(op)
                    .setVector(List.of(new VersionEntry("device-a", counter))).setChunks(chunks).setSize(size)
                    .setDeviceId("device-a").setBatchId(UUID.randomUUID().toString()).setChangeIndex(0)
                    .setAt(1_767_225_600_000L + seq * 1000).build();
            try {
                fileEvents.send(new ProducerRecord<>(Topics.FILE_EVENTS, id.toString(),
                        AvroSerde.fileEvents().encode(event))).get(30, TimeUnit.SECONDS);
            } catch (InterruptedException | ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("cannot send a file event", e);
            }
            return event;
        }
    }

    @Test
    void imagesAreRecognisedByTheirContentAndDerivedIntoTheChunkStore() throws Exception {
        Namespace ns = new Namespace();
        ns.write("jpeg", "holiday.dat", jpeg(1200, 800)); // no image extension: the bytes say JPEG
        ns.write("png", "scan.png", png(640, 480));
        ns.write("text", "notes.jpg", "a text file named like a photo".getBytes(StandardCharsets.UTF_8));

        Map<String, Map<String, Object>> photos = awaitPhotos(ns, 2);
        assertThat(photos).containsOnlyKeys("jpeg", "png");
        Map<String, Object> jpeg = photos.get("jpeg");
        assertThat(jpeg).containsEntry("state", "ready").containsEntry("format", "jpeg").containsEntry("width", 1200)
                .containsEntry("height", 800).containsEntry("taken_at_source", "file").containsEntry("path", "holiday.dat");
        assertThat(photos.get("png")).containsEntry("state", "ready").containsEntry("format", "png");

        for (Map<String, Object> photo : photos.values()) {
            for (String kind : List.of("thumbnail_id", "preview_id")) {
                String id = (String) photo.get(kind);
                byte[] bytes = blobs.open(new ChunkId(id)).orElseThrow().readAllBytes();
                assertThat(Sha256.hex(bytes)).as("a derivative is stored under its SHA-256").isEqualTo(id);
                BufferedImage image = ImageIO.read(new java.io.ByteArrayInputStream(bytes));
                assertThat(image).as(kind + " is a JPEG").isNotNull();
                if (kind.equals("thumbnail_id")) {
                    assertThat(image.getWidth()).isEqualTo(image.getHeight()).isBetween(200, 300);
                } else {
                    assertThat(Math.max(image.getWidth(), image.getHeight())).isLessThanOrEqualTo(1600);
                }
            }
            assertThat(query("SELECT state FROM ingest.chunks WHERE id = '" + photo.get("thumbnail_id") + "'"))
                    .as("the derivative is in the chunk catalogue, where the collector sees it").containsExactly("stored");
        }
        assertThat(query("SELECT kind FROM photos.derivatives WHERE namespace_id = '" + ns.id + "' AND file_id = 'jpeg'"))
                .containsExactlyInAnyOrder("thumbnail", "preview");

        List<PhotoEvent> events = photoEvents(ns, 2);
        assertThat(events).extracting(PhotoEvent::getFileId).containsExactlyInAnyOrder("jpeg", "png");
        assertThat(events).allSatisfy(e -> assertThat(e.getKind()).isEqualTo(PhotoEventKind.READY));
    }

    @Test
    void corruptTruncatedAndBombImagesAreRecordedUnreadableWithoutBlockingTheirPartition() throws Exception {
        Namespace ns = new Namespace();
        byte[] good = jpeg(800, 600);
        ns.write("truncated", "cut.jpg", java.util.Arrays.copyOf(good, good.length / 3));
        byte[] corrupt = good.clone();
        for (int i = 200; i < corrupt.length; i += 7) {
            corrupt[i] = (byte) 0x5a;
        }
        ns.write("corrupt", "corrupt.jpg", java.util.Arrays.copyOf(corrupt, corrupt.length));
        ns.write("bomb", "bomb.png", pngBomb(60_000, 60_000));
        ns.write("after", "after.jpg", good); // behind them in the same partition

        Map<String, Map<String, Object>> photos = awaitPhotos(ns, 4);
        assertThat(photos.get("after")).containsEntry("state", "ready");
        assertThat(photos.get("bomb")).containsEntry("state", "unreadable").containsEntry("format", "png");
        assertThat((String) photos.get("bomb").get("reason")).isNotBlank();
        assertThat(photos.get("truncated").get("state")).isIn("unreadable", "ready"); // a decoder may show what arrived
        assertThat(photos.values()).allSatisfy(p -> {
            if ("unreadable".equals(p.get("state"))) {
                assertThat((String) p.get("reason")).isNotBlank();
                assertThat(p.get("thumbnail_id")).isNull();
            }
        });
    }

    @Test
    void aRenameKeepsTheDerivativesANewVersionReplacesThemAndADeleteRemovesThePhoto() throws Exception {
        Namespace ns = new Namespace();
        FileEvent first = ns.write("f", "a.jpg", jpeg(900, 600));
        Map<String, Object> before = awaitPhotos(ns, 1).get("f");

        FileEvent renamed = ns.rename(first, "album/b.jpg");
        await().atMost(Duration.ofSeconds(60)).until(() -> photos(ns).get("f").get("seq").equals(renamed.getSeq()));
        Map<String, Object> after = photos(ns).get("f");
        assertThat(after).containsEntry("path", "album/b.jpg").containsEntry("thumbnail_id", before.get("thumbnail_id"))
                .containsEntry("preview_id", before.get("preview_id"));

        FileEvent edited = ns.write("f", "album/b.jpg", jpeg(600, 900));
        await().atMost(Duration.ofSeconds(60)).until(() -> photos(ns).get("f").get("seq").equals(edited.getSeq()));
        Map<String, Object> third = photos(ns).get("f");
        assertThat(third.get("thumbnail_id")).isNotEqualTo(before.get("thumbnail_id"));
        assertThat(third).containsEntry("width", 600).containsEntry("height", 900);
        assertThat(query("SELECT DISTINCT seq::text FROM photos.derivatives WHERE namespace_id = '" + ns.id + "'"))
                .as("every version's derivatives are recorded, for the collector to keep while it is retained")
                .hasSize(3);

        ns.delete("f", "album/b.jpg");
        await().atMost(Duration.ofSeconds(60)).until(() -> photos(ns).isEmpty());
        assertThat(photoEvents(ns, 4)).extracting(PhotoEvent::getKind).containsExactly(PhotoEventKind.READY,
                PhotoEventKind.READY, PhotoEventKind.READY, PhotoEventKind.REMOVED);
    }

    @Test
    void aReplayOverTheLibraryOrFromScratchMakesTheSameLibrary() throws Exception {
        Namespace ns = new Namespace();
        FileEvent a = ns.write("a", "a.jpg", jpeg(1000, 700));
        ns.write("b", "b.png", png(300, 200));
        ns.rename(a, "moved/a.jpg");
        ns.write("c", "c.jpg", jpeg(500, 500));
        ns.delete("c", "c.jpg");
        await().atMost(Duration.ofSeconds(90)).until(() -> photos(ns).size() == 2
                && photos(ns).get("a").get("path").equals("moved/a.jpg") && positionsPassed(ns));
        String library = digest("SELECT * FROM photos.photos WHERE namespace_id = '" + ns.id + "' ORDER BY file_id");
        String derived = digest("SELECT * FROM photos.derivatives WHERE namespace_id = '" + ns.id + "' ORDER BY file_id, seq, kind");

        // Every event delivered again over the library it made (the positions forgotten, the rows kept).
        worker.close();
        execute("UPDATE photos.consumer_positions SET next_offset = 0");
        worker = newWorker();
        worker.start();
        await().atMost(Duration.ofSeconds(120)).until(() -> positionsPassed(ns));
        assertThat(digest("SELECT * FROM photos.photos WHERE namespace_id = '" + ns.id + "' ORDER BY file_id")).isEqualTo(library);
        assertThat(digest("SELECT * FROM photos.derivatives WHERE namespace_id = '" + ns.id + "' ORDER BY file_id, seq, kind")).isEqualTo(derived);

        // A rebuild: everything derived is gone, and the topic is read again from its start.
        worker.close();
        execute("DELETE FROM photos.photos; DELETE FROM photos.derivatives; DELETE FROM photos.consumer_positions");
        worker = newWorker();
        worker.start();
        await().atMost(Duration.ofSeconds(180)).until(() -> positionsPassed(ns)
                && digest("SELECT * FROM photos.photos WHERE namespace_id = '" + ns.id + "' ORDER BY file_id").equals(library));
        assertThat(digest("SELECT * FROM photos.derivatives WHERE namespace_id = '" + ns.id + "' ORDER BY file_id, seq, kind"))
                .as("the same derivatives, byte for byte, so the same chunk ids").isEqualTo(derived);
        assertThat(worker.failure()).isEmpty();
    }

    @Test
    void twoWorkersShareTheFileEventsPartitionsAndTheLibraryIsTheSame() throws Exception {
        // given a second worker in the same group
        PhotoWorker second = newWorker();
        second.start();
        try {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    TestServers.kafka().bootstrapServers()))) {
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    var group = admin.describeConsumerGroups(List.of("photos-it")).all().get().get("photos-it");
                    return group.members().size() == 2 && group.members().stream()
                            .allMatch(m -> !m.assignment().topicPartitions().isEmpty());
                });
            }

            // when photos arrive in namespaces spread over both partitions
            List<Namespace> namespaces = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Namespace ns = new Namespace();
                ns.write("p", "p.jpg", jpeg(320 + i, 240));
                namespaces.add(ns);
            }

            // then each is derived once, whichever worker holds its partition
            for (Namespace ns : namespaces) {
                Map<String, Map<String, Object>> photos = awaitPhotos(ns, 1);
                assertThat(photos.get("p")).containsEntry("state", "ready");
                assertThat(query("SELECT count(*)::text FROM photos.derivatives WHERE namespace_id = '" + ns.id + "'"))
                        .containsExactly("2");
            }
            assertThat(second.failure()).isEmpty();
            assertThat(worker.failure()).isEmpty();
        } finally {
            second.close();
        }
    }

    // ---- the library as the tests read it ----------------------------------------------------------

    private static Map<String, Map<String, Object>> awaitPhotos(Namespace ns, int n) throws SQLException {
        await().atMost(Duration.ofSeconds(90)).until(() -> photos(ns).size() >= n && positionsPassed(ns));
        return photos(ns);
    }

    /** Whether the worker has applied every file event sent so far (they all went to the namespace's partition). */
    private static boolean positionsPassed(Namespace ns) throws Exception {
        long sent;
        int partition;
        try (KafkaConsumer<String, byte[]> c = consumer()) {
            var partitions = c.partitionsFor(Topics.FILE_EVENTS);
            partition = org.apache.kafka.common.utils.Utils.toPositive(
                    org.apache.kafka.common.utils.Utils.murmur2(ns.id.toString().getBytes(StandardCharsets.UTF_8)))
                    % partitions.size();
            var tp = new org.apache.kafka.common.TopicPartition(Topics.FILE_EVENTS, partition);
            sent = c.endOffsets(List.of(tp)).get(tp);
        }
        List<String> applied = query("SELECT next_offset::text FROM photos.consumer_positions WHERE topic = '"
                + Topics.FILE_EVENTS + "' AND partition = " + partition);
        return !applied.isEmpty() && Long.parseLong(applied.get(0)) >= sent;
    }

    private static Map<String, Map<String, Object>> photos(Namespace ns) throws SQLException {
        Map<String, Map<String, Object>> rows = new HashMap<>();
        try (Connection c = pg.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT * FROM photos.photos WHERE namespace_id = '" + ns.id + "'")) {
            while (rs.next()) {
                Map<String, Object> row = new HashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
                }
                rows.put(rs.getString("file_id"), row);
            }
        }
        return rows;
    }

    private static List<PhotoEvent> photoEvents(Namespace ns, int atLeast) {
        List<PhotoEvent> mine = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = consumer()) {
            c.subscribe(List.of(Topics.PHOTO_EVENTS));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    if (r.key().equals(ns.id.toString())) {
                        mine.add(AvroSerde.photoEvents().decode(r.value()));
                    }
                }
                return mine.stream().map(PhotoEvent::getEventId).distinct().count() >= atLeast;
            });
        }
        // A redelivery may send an event twice, with the same id: the distinct ones, in order.
        Map<String, PhotoEvent> byId = new java.util.LinkedHashMap<>();
        mine.forEach(e -> byId.putIfAbsent(e.getEventId(), e));
        return new ArrayList<>(byId.values());
    }

    private static KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafka().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "photos-it-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static List<String> query(String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection c = pg.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    private static String digest(String sql) throws SQLException {
        StringBuilder all = new StringBuilder();
        try (Connection c = pg.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    all.append(rs.getString(i)).append('\t');
                }
                all.append('\n');
            }
        }
        return Sha256.hex(all.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = pg.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    // ---- images made by the test -------------------------------------------------------------------

    private static byte[] jpeg(int width, int height) {
        return encode(picture(width, height), "jpg");
    }

    private static byte[] png(int width, int height) {
        return encode(picture(width, height), "png");
    }

    private static BufferedImage picture(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setPaint(new GradientPaint(0, 0, new Color(width % 256, 40, 200), width, height, new Color(250, height % 256, 30)));
        g.fillRect(0, 0, width, height);
        g.setColor(Color.WHITE);
        g.fillOval(width / 4, height / 4, width / 2, height / 2);
        g.dispose();
        return image;
    }

    private static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A PNG whose header claims width x height grey pixels, of a few rows of zeros: a decompression bomb's shape. */
    private static byte[] pngBomb(int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 0)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        Deflater deflater = new Deflater(9);
        deflater.setInput(new byte[(width + 1) * 64]);
        deflater.finish();
        byte[] buffer = new byte[1 << 20];
        int n = deflater.deflate(buffer);
        chunk(out, "IDAT", java.util.Arrays.copyOf(buffer, n));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
