package io.cumulus.gc;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import io.cumulus.schemas.Topics;

/**
 * Where the chunk GC worker reads from and how it behaves: the Kafka bootstrap servers, its consumer
 * group (which shares the partitions of the chunk-refs topic between instances; how far each one is
 * counted lives in PostgreSQL, not in the group's offsets), the topic of reference deltas, the longest
 * pause between two attempts to write
 * a poll the database refused for a transient reason, and an optional static group member id (a
 * restarted process with the same id takes its partitions back at once).
 */
public record ChunkGcConfig(
        String bootstrapServers,
        String groupId,
        String chunkRefsTopic,
        Duration maxRetryBackoff,
        Optional<String> instanceId) {

    public static final String DEFAULT_GROUP_ID = "cumulus-chunk-gc";

    public ChunkGcConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(chunkRefsTopic, "chunkRefsTopic");
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

    public static ChunkGcConfig of(String bootstrapServers) {
        return new ChunkGcConfig(bootstrapServers, DEFAULT_GROUP_ID, Topics.CHUNK_REFS, Duration.ofSeconds(5), Optional.empty());
    }

    public ChunkGcConfig withGroupId(String groupId) {
        return new ChunkGcConfig(bootstrapServers, groupId, chunkRefsTopic, maxRetryBackoff, instanceId);
    }

    public ChunkGcConfig withChunkRefsTopic(String chunkRefsTopic) {
        return new ChunkGcConfig(bootstrapServers, groupId, chunkRefsTopic, maxRetryBackoff, instanceId);
    }

    public ChunkGcConfig withMaxRetryBackoff(Duration maxRetryBackoff) {
        return new ChunkGcConfig(bootstrapServers, groupId, chunkRefsTopic, maxRetryBackoff, instanceId);
    }

    public ChunkGcConfig withInstanceId(String instanceId) {
        return new ChunkGcConfig(bootstrapServers, groupId, chunkRefsTopic, maxRetryBackoff,
                Optional.of(instanceId));
    }
}
