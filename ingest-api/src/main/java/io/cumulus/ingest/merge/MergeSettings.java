package io.cumulus.ingest.merge;

import java.time.Duration;
import java.util.Objects;

import io.cumulus.schemas.Topics;

/**
 * How the merge worker runs: whether at all ({@code cumulus.merge.enabled}), the Kafka bootstrap
 * servers, its consumer group (whose offsets say how far conflicted copies are handled), the topic
 * of file events, the longest pause between two tries of a copy that cannot be handled yet, and how
 * long a copy is tried before it is left as it is.
 */
public record MergeSettings(boolean enabled, String bootstrapServers, String groupId, String topic,
                            Duration maxRetryBackoff, Duration giveUpAfter) {

    public static final String DEFAULT_GROUP_ID = "cumulus-merge";

    public MergeSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(topic, "topic");
        if (enabled && bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("the merge worker needs cumulus.kafka.bootstrap-servers");
        }
        if (!maxRetryBackoff.isPositive() || !giveUpAfter.isPositive()) {
            throw new IllegalArgumentException("retry pauses must be positive");
        }
    }

    public static MergeSettings of(boolean enabled, String bootstrapServers) {
        return new MergeSettings(enabled, bootstrapServers, DEFAULT_GROUP_ID, Topics.FILE_EVENTS, Duration.ofSeconds(10),
                Duration.ofMinutes(10));
    }
}
