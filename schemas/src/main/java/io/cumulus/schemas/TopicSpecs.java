package io.cumulus.schemas;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * How the public topics are created: all with the same partition count (namespaces and chunk ids
 * spread by key hash), history kept forever so any derived state can be rebuilt by a replay, and
 * the file-state topic compacted.
 */
public final class TopicSpecs {

    public static List<NewTopic> all(int partitions, short replicationFactor) {
        Map<String, String> keepForever = Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1",
                TopicConfig.RETENTION_BYTES_CONFIG, "-1");
        return List.of(
                new NewTopic(Topics.CHANGES, partitions, replicationFactor).configs(keepForever),
                new NewTopic(Topics.OUTCOMES, partitions, replicationFactor).configs(keepForever),
                new NewTopic(Topics.FILE_EVENTS, partitions, replicationFactor).configs(keepForever),
                new NewTopic(Topics.FILE_STATE, partitions, replicationFactor)
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                new NewTopic(Topics.CHUNK_REFS, partitions, replicationFactor).configs(keepForever),
                new NewTopic(Topics.PHOTO_EVENTS, partitions, replicationFactor).configs(keepForever),
                new NewTopic(Topics.ALBUM_EVENTS, partitions, replicationFactor).configs(keepForever));
    }

    /** Creates whichever public topics do not exist yet; existing ones are left as they are. */
    public static void createMissing(Admin admin, int partitions, short replicationFactor) {
        try {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = all(partitions, replicationFactor).stream()
                    .filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException) {
                return; // another instance created them first
            }
            throw new IllegalStateException("cannot create the Cumulus topics", e.getCause());
        }
    }

    private TopicSpecs() {
    }
}
