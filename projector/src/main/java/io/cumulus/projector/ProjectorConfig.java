package io.cumulus.projector;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import io.cumulus.schemas.Topics;

/**
 * Where the projector reads from and how it behaves when the database is away: the Kafka bootstrap
 * servers, its consumer group (which shares the partitions between instances; how far the read model
 * is written lives in {@code readmodel.consumer_positions}, the group's offsets show lag), the
 * two topics it projects, the longest pause between two attempts to write a batch the database
 * refused for a transient reason, and an optional static group member id: a restarted process with
 * the same id takes its partitions back at once instead of waiting for the dead member to time out;
 * and, for the scaled-out sync state, the Cassandra cluster that gets the feed, the files' current
 * state and the namespace heads before PostgreSQL does (none: PostgreSQL alone).
 */
public record ProjectorConfig(
        String bootstrapServers,
        String groupId,
        String fileEventsTopic,
        String outcomesTopic,
        Duration maxRetryBackoff,
        Optional<String> instanceId,
        Optional<CassandraSettings> cassandra) {

    public static final String DEFAULT_GROUP_ID = "cumulus-projector";

    public ProjectorConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(fileEventsTopic, "fileEventsTopic");
        Objects.requireNonNull(outcomesTopic, "outcomesTopic");
        Objects.requireNonNull(maxRetryBackoff, "maxRetryBackoff");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(cassandra, "cassandra");
        if (fileEventsTopic.equals(outcomesTopic)) {
            throw new IllegalArgumentException("file events and outcomes need two topics, got " + fileEventsTopic);
        }
        if (maxRetryBackoff.isNegative() || maxRetryBackoff.isZero()) {
            throw new IllegalArgumentException("maxRetryBackoff must be positive, was " + maxRetryBackoff);
        }
    }

    public static ProjectorConfig of(String bootstrapServers) {
        return new ProjectorConfig(bootstrapServers, DEFAULT_GROUP_ID, Topics.FILE_EVENTS, Topics.OUTCOMES,
                Duration.ofSeconds(5), Optional.empty(), Optional.empty());
    }

    public ProjectorConfig withGroupId(String groupId) {
        return new ProjectorConfig(bootstrapServers, groupId, fileEventsTopic, outcomesTopic, maxRetryBackoff, instanceId,
                cassandra);
    }

    public ProjectorConfig withTopics(String fileEventsTopic, String outcomesTopic) {
        return new ProjectorConfig(bootstrapServers, groupId, fileEventsTopic, outcomesTopic, maxRetryBackoff, instanceId,
                cassandra);
    }

    public ProjectorConfig withMaxRetryBackoff(Duration maxRetryBackoff) {
        return new ProjectorConfig(bootstrapServers, groupId, fileEventsTopic, outcomesTopic, maxRetryBackoff, instanceId,
                cassandra);
    }

    public ProjectorConfig withInstanceId(String instanceId) {
        return new ProjectorConfig(bootstrapServers, groupId, fileEventsTopic, outcomesTopic, maxRetryBackoff,
                Optional.of(instanceId), cassandra);
    }

    /** Projects the sync state to this Cassandra cluster too, before PostgreSQL. */
    public ProjectorConfig withCassandra(CassandraSettings cassandra) {
        return new ProjectorConfig(bootstrapServers, groupId, fileEventsTopic, outcomesTopic, maxRetryBackoff, instanceId,
                Optional.of(cassandra));
    }
}
