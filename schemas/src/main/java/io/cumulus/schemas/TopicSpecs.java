package io.cumulus.schemas;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the public topics are created and checked: all with the same partition count (namespaces and chunk
 * ids spread by key hash), history kept forever so any derived state can be rebuilt by a replay, and the
 * file-state topic compacted.
 *
 * <h2>Checked on start</h2>
 * {@link #ensure} creates the missing topics and compares the existing ones with these specs
 * ({@link #check}): a retention or cleanup policy that can be set without losing a record is set and
 * logged; a history topic that is compacted is refused, since compaction may already have dropped
 * events no replay can bring back; a partition count other than the one asked for is logged and kept,
 * since adding partitions to a keyed topic would send a namespace's later records to another partition
 * than its earlier ones, and Kafka cannot remove partitions.
 */
public final class TopicSpecs {
    private static final Logger log = LoggerFactory.getLogger(TopicSpecs.class);
    private static final Duration METADATA_WAIT = Duration.ofSeconds(30);

    /** The topic configs this class requires; any other config of a topic is the operator's. */
    static final Set<String> CHECKED_CONFIGS = Set.of(TopicConfig.CLEANUP_POLICY_CONFIG,
            TopicConfig.RETENTION_MS_CONFIG, TopicConfig.RETENTION_BYTES_CONFIG);

    public static List<NewTopic> all(int partitions, short replicationFactor) {
        Map<String, String> keepForever = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, "-1", TopicConfig.RETENTION_BYTES_CONFIG, "-1");
        return List.of(
                new NewTopic(Topics.CHANGES, partitions, replicationFactor).configs(keepForever),
                new NewTopic(Topics.OUTCOMES, partitions, replicationFactor).configs(keepForever),
                new NewTopic(Topics.FILE_EVENTS, partitions, replicationFactor).configs(keepForever),
                new NewTopic(Topics.CONFLICTS, partitions, replicationFactor).configs(keepForever),
                new NewTopic(Topics.FILE_STATE, partitions, replicationFactor)
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                new NewTopic(Topics.CHUNK_REFS, partitions, replicationFactor).configs(keepForever),
                new NewTopic(Topics.PHOTO_EVENTS, partitions, replicationFactor).configs(keepForever),
                new NewTopic(Topics.ALBUM_EVENTS, partitions, replicationFactor).configs(keepForever));
    }

    /** Whether the topic holds history (kept forever, never compacted) rather than latest state. */
    static boolean isHistory(NewTopic spec) {
        return TopicConfig.CLEANUP_POLICY_DELETE.equals(spec.configs().get(TopicConfig.CLEANUP_POLICY_CONFIG));
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
            if (e.getCause() instanceof TopicExistsException) {
                return; // another instance created them first
            }
            throw new IllegalStateException("cannot create the Cumulus topics", e.getCause());
        }
    }

    /**
     * Creates the missing public topics, then checks every one against its spec: sets the configs that
     * differ and can be fixed, logs each change and each notice, and throws {@link TopicsMisconfiguredException}
     * naming every topic it cannot repair. Returns what it found.
     */
    public static List<TopicFinding> ensure(Admin admin, int partitions, short replicationFactor) {
        createMissing(admin, partitions, replicationFactor);
        List<NewTopic> specs = all(partitions, replicationFactor);
        try {
            Set<String> names = specs.stream().map(NewTopic::name).collect(Collectors.toSet());
            Map<String, TopicDescription> described = describeOnceKnown(admin, names);
            Map<ConfigResource, Config> configs = admin.describeConfigs(names.stream()
                    .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList()).all().get();
            List<TopicFinding> findings = new ArrayList<>();
            for (NewTopic spec : specs) {
                Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()));
                Map<String, String> actual = new HashMap<>();
                for (String name : CHECKED_CONFIGS) {
                    ConfigEntry entry = config.get(name);
                    if (entry != null && entry.value() != null) {
                        actual.put(name, entry.value());
                    }
                }
                findings.addAll(check(spec, described.get(spec.name()).partitions().size(), actual));
            }
            apply(admin, findings);
            return findings;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the Cumulus topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot check the Cumulus topics", e.getCause());
        }
    }

    /**
     * Describes the topics, waiting up to {@link #METADATA_WAIT} for topics created a moment ago: a
     * broker knows a new topic only once the controller's metadata has reached it.
     */
    private static Map<String, TopicDescription> describeOnceKnown(Admin admin, Set<String> names)
            throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + METADATA_WAIT.toNanos();
        while (true) {
            try {
                return admin.describeTopics(names).allTopicNames().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /**
     * Compares one existing topic ({@code partitions}, and its effective values of the checked configs)
     * with its spec. Pure, so each rule is tested without a broker.
     */
    public static List<TopicFinding> check(NewTopic spec, int partitions, Map<String, String> actualConfigs) {
        List<TopicFinding> findings = new ArrayList<>();
        String topic = spec.name();
        if (partitions != spec.numPartitions()) {
            findings.add(new TopicFinding.Notice(topic, "has " + partitions + " partitions, " + spec.numPartitions()
                    + " were asked for; kept, since adding partitions to a keyed topic would move a key's later"
                    + " records to another partition than its earlier ones"));
        }
        String policy = actualConfigs.getOrDefault(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
        if (isHistory(spec) && policyIncludes(policy, TopicConfig.CLEANUP_POLICY_COMPACT)) {
            findings.add(new TopicFinding.Refusal(topic, "cleanup.policy is " + policy + " but the topic holds history"
                    + " that must be kept whole for replays; compaction may already have dropped events. Restore the"
                    + " topic from a backup, or recreate it and rebuild it, with cleanup.policy=delete"));
            return findings;
        }
        for (Map.Entry<String, String> required : spec.configs().entrySet()) {
            String actual = actualConfigs.get(required.getKey());
            if (!required.getValue().equals(actual)) {
                findings.add(new TopicFinding.Fix(topic, required.getKey(), actual, required.getValue()));
            }
        }
        return findings;
    }

    private static boolean policyIncludes(String policy, String wanted) {
        for (String p : policy.split(",")) {
            if (p.trim().equals(wanted)) {
                return true;
            }
        }
        return false;
    }

    private static void apply(Admin admin, List<TopicFinding> findings) throws InterruptedException, ExecutionException {
        Map<ConfigResource, Collection<AlterConfigOp>> alterations = new HashMap<>();
        for (TopicFinding finding : findings) {
            switch (finding) {
                case TopicFinding.Fix fix -> alterations.computeIfAbsent(
                        new ConfigResource(ConfigResource.Type.TOPIC, fix.topic()), r -> new ArrayList<>())
                        .add(new AlterConfigOp(new ConfigEntry(fix.config(), fix.required()), AlterConfigOp.OpType.SET));
                case TopicFinding.Notice notice -> log.warn("topic differs from its spec, kept topic={} reason={}",
                        notice.topic(), notice.reason());
                case TopicFinding.Refusal refusal -> log.error("topic cannot be used topic={} reason={}",
                        refusal.topic(), refusal.reason());
            }
        }
        List<TopicFinding.Refusal> refusals = findings.stream()
                .filter(TopicFinding.Refusal.class::isInstance).map(TopicFinding.Refusal.class::cast).toList();
        if (!refusals.isEmpty()) {
            throw new TopicsMisconfiguredException(refusals);
        }
        if (!alterations.isEmpty()) {
            admin.incrementalAlterConfigs(alterations).all().get();
            findings.stream().filter(TopicFinding.Fix.class::isInstance).forEach(fix -> {
                TopicFinding.Fix f = (TopicFinding.Fix) fix;
                log.warn("topic config fixed topic={} config={} from={} to={}", f.topic(), f.config(), f.actual(),
                        f.required());
            });
        }
    }

    private TopicSpecs() {
    }
}
