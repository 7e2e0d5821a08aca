package io.cumulus.ingest.photos;

import static org.awaitility.Awaitility.await;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import javax.imageio.ImageIO;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

import io.cumulus.embedded.testing.TestServers;
import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.RunningIngestApi;
import io.cumulus.ingest.chunks.BlobStore;
import io.cumulus.ingest.chunks.ChunkId;
import io.cumulus.photos.PhotosSchema;
import io.cumulus.photos.albums.AlbumProjector;
import io.cumulus.photos.albums.AlbumProjectorConfig;
import io.cumulus.sync.hash.Sha256;

/**
 * The photo API as the standalone process runs it: the ingest API over a fresh database with the
 * {@code photos} schema, the JVM's test broker with an album-events topic of its own, and the album
 * projection. Photos are seeded straight into {@code photos.photos}, as the photo worker would write
 * them, and their derivatives into the API's blob store.
 */
final class PhotoLibraryFixture implements AutoCloseable {
    static final int PARTITIONS = 3;

    final String topic = "album-events-it-" + UUID.randomUUID();
    final RunningIngestApi api;
    final ApiClient client;
    private final String bootstrapServers = TestServers.kafka().bootstrapServers();
    private AlbumProjector projector;

    PhotoLibraryFixture(Duration projectionWait) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
        api = RunningIngestApi.start(Map.of("cumulus.kafka.bootstrap-servers", bootstrapServers,
                "cumulus.photos.album-events-topic", topic, "cumulus.photos.projection-wait", projectionWait.toMillis() + "ms"));
        client = api.client();
        PhotosSchema.migrate(api.postgres().dataSource());
        startProjector();
    }

    /** Starts the album projection in a new consumer group, and returns once the group holds every partition. */
    void startProjector() {
        String group = "album-projector-it-" + UUID.randomUUID();
        projector = new AlbumProjector(AlbumProjectorConfig.of(bootstrapServers, api.postgres().dataSource())
                .withTopic(topic).withGroupId(group).withMaxRetryBackoff(Duration.ofSeconds(1)));
        projector.start();
        try (Admin admin = admin()) {
            // A request answers 202 when the projection is late: the tests that expect 200 need it there from the start.
            await().atMost(Duration.ofSeconds(60)).until(() -> admin.describeConsumerGroups(List.of(group)).all().get()
                    .get(group).members().stream().mapToInt(m -> m.assignment().topicPartitions().size()).sum() == PARTITIONS);
        }
    }

    void stopProjector() {
        projector.close();
    }

    void startProjectorIfStopped() {
        if (!projector.isRunning()) {
            startProjector();
        }
    }

    /** How many album events the topic holds. */
    long publishedEvents() {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        try (Admin admin = admin()) {
            return admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A small JPEG stored in the API's blob store; its chunk id. */
    String storeJpeg(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, UUID.randomUUID().hashCode()); // a different image, a different chunk
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "jpeg", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] bytes = out.toByteArray();
        String id = Sha256.hex(bytes);
        api.context().getBean(BlobStore.class).put(new ChunkId(id), bytes);
        return id;
    }

    byte[] blob(String chunkId) throws IOException {
        try (var in = api.context().getBean(BlobStore.class).open(new ChunkId(chunkId)).orElseThrow()) {
            return in.readAllBytes();
        }
    }

    /** A photo row to seed: a ready photo taken at {@code takenAt} (UTC unless an offset is given), without location or derivatives. */
    static SeededPhoto aPhoto(String fileId, String takenAt) {
        return new SeededPhoto(fileId, Instant.parse(takenAt));
    }

    static final class SeededPhoto {
        final String fileId;
        final Instant takenAt;
        Integer offset;
        String source = "file";
        String state = "ready";
        String reason;
        Double latitude;
        Double longitude;
        String make;
        String model;
        String thumbnail;
        String preview;

        SeededPhoto(String fileId, Instant takenAt) {
            this.fileId = fileId;
            this.takenAt = takenAt;
        }

        SeededPhoto atOffsetMinutes(int minutes) {
            offset = minutes;
            source = "exif-offset";
            return this;
        }

        SeededPhoto at(double lat, double lon) {
            latitude = lat;
            longitude = lon;
            return this;
        }

        SeededPhoto camera(String make, String model) {
            this.make = make;
            this.model = model;
            return this;
        }

        SeededPhoto derivatives(String thumbnail, String preview) {
            this.thumbnail = thumbnail;
            this.preview = preview;
            return this;
        }

        SeededPhoto unreadable(String why) {
            state = "unreadable";
            reason = why;
            return this;
        }

        void insertInto(RunningIngestApi api, String namespace) {
            api.execute("""
                            INSERT INTO photos.photos (namespace_id, file_id, seq, path, content_key, size, state, reason, format,
                                taken_at, taken_at_offset, taken_at_source, width, height, orientation, latitude, longitude,
                                camera_make, camera_model, lens, thumbnail_id, thumbnail_size, preview_id, preview_size)
                            VALUES (?, ?, 1, ?, ?, 1000, ?, ?, 'jpeg', ?, ?, ?, 4000, 3000, 1, ?, ?, ?, ?, 'RF 24-70mm', ?, 100, ?, 1000)""",
                    UUID.fromString(namespace), fileId, "Photos/" + fileId + ".jpg", "ab".repeat(32), state, reason,
                    OffsetDateTime.ofInstant(takenAt, ZoneOffset.UTC), offset, source, latitude, longitude, make, model,
                    thumbnail, preview);
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    @Override
    public void close() {
        projector.close();
        api.close();
    }
}
