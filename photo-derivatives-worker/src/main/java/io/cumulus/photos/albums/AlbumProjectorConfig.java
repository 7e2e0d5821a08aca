package io.cumulus.photos.albums;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import javax.sql.DataSource;

import io.cumulus.schemas.Topics;

/**
 * Where the album projection reads from and writes to: the Kafka bootstrap servers, the PostgreSQL
 * data source holding the {@code photos} schema, its consumer group (which shares the topic's
 * partitions between instances; how far each one is projected lives in
 * {@code photos.consumer_positions}, not in the group's offsets), the topic, the longest pause between
 * two attempts to write a poll the database refused for a transient reason, and an optional static
 * group member id (a restarted process with the same id takes its partitions back at once).
 */
public record AlbumProjectorConfig(
        String bootstrapServers,
        DataSource dataSource,
        String groupId,
        String topic,
        Duration maxRetryBackoff,
        Optional<String> instanceId) {

    public static final String DEFAULT_GROUP_ID = "cumulus-album-projector";

    public AlbumProjectorConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(maxRetryBackoff, "maxRetryBackoff");
        Objects.requireNonNull(instanceId, "instanceId");
        if (bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers is empty");
        }
        if (groupId.isBlank()) {
            throw new IllegalArgumentException("groupId is empty");
        }
        if (maxRetryBackoff.isNegative() || maxRetryBackoff.isZero()) {
            throw new IllegalArgumentException("maxRetryBackoff must be positive, was " + maxRetryBackoff);
        }
    }

    public static AlbumProjectorConfig of(String bootstrapServers, DataSource dataSource) {
        return new AlbumProjectorConfig(bootstrapServers, dataSource, DEFAULT_GROUP_ID, Topics.ALBUM_EVENTS,
                Duration.ofSeconds(5), Optional.empty());
    }

    public AlbumProjectorConfig withGroupId(String groupId) {
        return new AlbumProjectorConfig(bootstrapServers, dataSource, groupId, topic, maxRetryBackoff, instanceId);
    }

    public AlbumProjectorConfig withTopic(String topic) {
        return new AlbumProjectorConfig(bootstrapServers, dataSource, groupId, topic, maxRetryBackoff, instanceId);
    }

    public AlbumProjectorConfig withMaxRetryBackoff(Duration maxRetryBackoff) {
        return new AlbumProjectorConfig(bootstrapServers, dataSource, groupId, topic, maxRetryBackoff, instanceId);
    }

    public AlbumProjectorConfig withInstanceId(String instanceId) {
        return new AlbumProjectorConfig(bootstrapServers, dataSource, groupId, topic, maxRetryBackoff,
                Optional.of(instanceId));
    }
}
