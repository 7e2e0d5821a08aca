package io.cumulus.photos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import io.cumulus.schemas.Topics;

/**
 * How the photo worker runs: where Kafka is, its consumer group (instances of one group share the
 * file events' partitions, as the projector's do), how many photos it derives at once, the largest
 * original it reads, and where it assembles originals while it reads them.
 *
 * @param instanceId static group membership, so a restart within the session keeps the partitions
 */
public record PhotoWorkerConfig(String bootstrapServers, String groupId, Optional<String> instanceId, int threads,
        long maxOriginalBytes, Path workDir, Duration maxRetryBackoff) {

    public static final String GROUP_ID = "cumulus-photos";
    public static final String FILE_EVENTS_TOPIC = Topics.FILE_EVENTS;
    public static final String PHOTO_EVENTS_TOPIC = Topics.PHOTO_EVENTS;
    /** Originals above this are recorded as unreadable without being read: 512 MiB. */
    public static final long DEFAULT_MAX_ORIGINAL_BYTES = 512L * 1024 * 1024;

    public PhotoWorkerConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(maxRetryBackoff, "maxRetryBackoff");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        }
        if (maxOriginalBytes < 1) {
            throw new IllegalArgumentException("maxOriginalBytes must be positive, was " + maxOriginalBytes);
        }
    }

    /** The defaults: this group, two photos at a time (one per core of a small machine). */
    public static PhotoWorkerConfig of(String bootstrapServers, Path workDir) {
        return new PhotoWorkerConfig(bootstrapServers, GROUP_ID, Optional.empty(), 2, DEFAULT_MAX_ORIGINAL_BYTES,
                workDir, Duration.ofSeconds(30));
    }

    public PhotoWorkerConfig withInstanceId(String id) {
        return new PhotoWorkerConfig(bootstrapServers, groupId, Optional.of(id), threads, maxOriginalBytes, workDir,
                maxRetryBackoff);
    }

    public PhotoWorkerConfig withGroupId(String group) {
        return new PhotoWorkerConfig(bootstrapServers, group, instanceId, threads, maxOriginalBytes, workDir,
                maxRetryBackoff);
    }

    public PhotoWorkerConfig withThreads(int n) {
        return new PhotoWorkerConfig(bootstrapServers, groupId, instanceId, n, maxOriginalBytes, workDir,
                maxRetryBackoff);
    }
}
