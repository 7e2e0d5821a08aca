package io.cumulus.ingest.authz;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import javax.sql.DataSource;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

import io.cumulus.embedded.testing.TestServers;
import io.cumulus.photos.albums.AlbumProjector;
import io.cumulus.photos.albums.AlbumProjectorConfig;

/**
 * The album events topic of the matrix's API (one partition, its own name) and the album
 * projection that applies it, as the standalone process runs them: album and favourite requests
 * answer 200 once the projection shows their change.
 */
final class AlbumProjection implements AutoCloseable {
    private final String bootstrapServers = TestServers.kafka().bootstrapServers();
    private final String topic = "album-events-matrix-" + UUID.randomUUID();
    private AlbumProjector projector;
    private DataSource dataSource;

    /** Makes the topic; {@link #start} once the API's database has the photos schema. */
    AlbumProjection() {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The API's properties that send album events here. */
    Map<String, Object> apiProperties() {
        return Map.of("cumulus.kafka.bootstrap-servers", bootstrapServers, "cumulus.photos.album-events-topic", topic,
                "cumulus.photos.projection-wait", "15s");
    }

    /** Starts the projection, and returns once it holds the partition (a request answers 202 while it is late). */
    void start(DataSource photosDatabase) {
        this.dataSource = photosDatabase;
        String group = "album-projector-matrix-" + UUID.randomUUID();
        projector = new AlbumProjector(AlbumProjectorConfig.of(bootstrapServers, photosDatabase)
                .withTopic(topic).withGroupId(group).withMaxRetryBackoff(Duration.ofSeconds(1)));
        projector.start();
        try (Admin admin = admin()) {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> admin.describeConsumerGroups(List.of(group)).all().get()
                    .get(group).members().stream().mapToInt(m -> m.assignment().topicPartitions().size()).sum() == 1);
        }
    }

    /** Waits until the projection has applied every album event published so far. */
    void awaitCaughtUp() {
        TopicPartition partition = new TopicPartition(topic, 0);
        long end;
        try (Admin admin = admin()) {
            end = admin.listOffsets(Map.of(partition, OffsetSpec.latest())).all().get().get(partition).offset();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> projectedUpTo() >= end);
    }

    private long projectedUpTo() throws java.sql.SQLException {
        try (var c = dataSource.getConnection();
             var ps = c.prepareStatement("SELECT coalesce(max(next_offset), 0) FROM photos.consumer_positions WHERE topic = ? AND partition = 0")) {
            ps.setString(1, topic);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    @Override
    public void close() {
        if (projector != null) {
            projector.close();
        }
    }
}
