package io.cumulus.reconciler;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

import io.cumulus.sync.conflict.ConflictPolicy;
import io.cumulus.sync.history.RetentionPolicy;

/**
 * How the reconciler runs: its Kafka Streams application id (which names its consumer group,
 * transactional producers and internal topics), the brokers, the directory of its local state
 * stores, how many partitions the public topics get if it has to create them, and an optional static
 * group member id (a restarted instance with the same id gets its tasks back at once, without
 * waiting for the crashed one's session to time out), and the replication factor of the topics it
 * creates (its internal ones, and public ones that are missing): {@value #BROKER_DEFAULT_REPLICATION}
 * takes the cluster's {@code default.replication.factor}; and whether the merge worker runs
 * ({@code textMerge}, as {@code cumulus.merge.enabled} of the API instances), which decides whether
 * copies of concurrent text edits are marked as waiting for it.
 */
public record ReconcilerConfig(String applicationId, String bootstrapServers, Path stateDir,
        int partitionsIfMissing, Optional<String> instanceId, ConflictPolicy conflicts, RetentionPolicy retention,
        int replicationFactor, boolean textMerge) {

    /** Kafka's "the broker's default" in a topic creation request. */
    public static final int BROKER_DEFAULT_REPLICATION = -1;

    public static final String DEFAULT_APPLICATION_ID = "cumulus-reconciler";
    public static final int DEFAULT_PARTITIONS = 4;

    public ReconcilerConfig {
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(conflicts, "conflicts");
        Objects.requireNonNull(retention, "retention");
        if (applicationId.isBlank()) {
            throw new IllegalArgumentException("applicationId must not be blank");
        }
        if (replicationFactor < 1 && replicationFactor != BROKER_DEFAULT_REPLICATION) {
            throw new IllegalArgumentException("replicationFactor must be >= 1 or " + BROKER_DEFAULT_REPLICATION
                    + ", was " + replicationFactor);
        }
        if (partitionsIfMissing < 1) {
            throw new IllegalArgumentException("partitionsIfMissing must be >= 1, was " + partitionsIfMissing);
        }
    }

    public static ReconcilerConfig of(String bootstrapServers, Path stateDir) {
        return new ReconcilerConfig(DEFAULT_APPLICATION_ID, bootstrapServers, stateDir, DEFAULT_PARTITIONS, Optional.empty(),
                ConflictPolicy.defaults(), RetentionPolicy.defaults(), BROKER_DEFAULT_REPLICATION, true);
    }

    public ReconcilerConfig withApplicationId(String applicationId) {
        return new ReconcilerConfig(applicationId, bootstrapServers, stateDir, partitionsIfMissing, instanceId, conflicts, retention,
                replicationFactor, textMerge);
    }

    public ReconcilerConfig withPartitionsIfMissing(int partitions) {
        return new ReconcilerConfig(applicationId, bootstrapServers, stateDir, partitions, instanceId, conflicts, retention,
                replicationFactor, textMerge);
    }

    public ReconcilerConfig withInstanceId(String id) {
        return new ReconcilerConfig(applicationId, bootstrapServers, stateDir, partitionsIfMissing, Optional.of(id), conflicts,
                retention, replicationFactor, textMerge);
    }

    /** How concurrent edits are resolved, by file type. */
    public ReconcilerConfig withConflictPolicy(ConflictPolicy policy) {
        return new ReconcilerConfig(applicationId, bootstrapServers, stateDir, partitionsIfMissing, instanceId, policy,
                retention, replicationFactor, textMerge);
    }

    /** How long old versions and deleted files keep their chunks. */
    public ReconcilerConfig withRetention(RetentionPolicy policy) {
        return new ReconcilerConfig(applicationId, bootstrapServers, stateDir, partitionsIfMissing, instanceId, conflicts,
                policy, replicationFactor, textMerge);
    }

    /** The replication factor of the topics the reconciler creates; {@value #BROKER_DEFAULT_REPLICATION} for the cluster's default. */
    public ReconcilerConfig withReplicationFactor(int factor) {
        return new ReconcilerConfig(applicationId, bootstrapServers, stateDir, partitionsIfMissing, instanceId, conflicts,
                retention, factor, textMerge);
    }

    /** Whether the merge worker runs beside this reconciler ({@code --merge=on|off}); on by default. */
    public ReconcilerConfig withTextMerge(boolean enabled) {
        return new ReconcilerConfig(applicationId, bootstrapServers, stateDir, partitionsIfMissing, instanceId, conflicts,
                retention, replicationFactor, enabled);
    }

    /**
     * The Kafka Streams properties. Exactly-once, because a batch's outputs and state updates must
     * commit together or not at all. No record caches, because a commit is what makes outputs
     * visible to read_committed consumers. A quiet server commits as soon as the reconciler has
     * caught up with the relay: the processor asks for it ({@link ReconcileProcessor}). Behind a
     * backlog, the thread processes for one commit interval after each commit ends, then commits
     * everything in one transaction: 500 ms, because a commit costs tens to hundreds of milliseconds
     * whatever it holds (the broker fsyncs every partition it touches, then writes and fsyncs its
     * markers), so the longer the thread processes between commits, the more batches each commit
     * carries and the faster a backlog drains. (With the transaction protocol version 2 every new
     * transaction's first writes were also refused and retried 100 ms later while the previous
     * commit's markers were written: the brokers Cumulus starts use version 1, see
     * docs/decisions/0021-transaction-protocol-version-1.md.)
     */
    public Properties streamsProperties() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 500);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, replicationFactor);
        // Nothing the reconciler writes is visible before its transaction commits, and a commit flushes whatever the
        // producer holds: lingering costs no latency, and a transaction's records then go out in a few large requests
        // instead of one per millisecond, each of which the broker appends and fsyncs partition by partition.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 1_000);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 512 * 1024);
        // Its outputs (file events, outcomes, states, chunk references) and its changelogs are mostly ids and
        // paths repeated from record to record: zstd makes a batch of them a fraction of its size on disk and on
        // the wire (docs/decisions/0018).
        p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "zstd");
        // A crashed instance holds its tasks until its session times out: keep that short.
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 3_000);
        instanceId.ifPresent(id -> p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), id));
        return p;
    }
}
