package io.cumulus.reconciler;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.schemas.Topics;

/**
 * A new generation of the reconciler's state stores being built beside the publishing one, in
 * three steps:
 * <ol>
 * <li>building: a second Kafka Streams application ({@code <applicationId>-g<n>}: its own group,
 *     changelogs and local state directory) runs the reconciler's own topology over the changes
 *     topic from offset 0, publishing nothing ({@link GenerationGate#shadow()}), and never past what
 *     the publishing generation has committed: its thread waits there;</li>
 * <li>{@link #switchOver()}: the publishing generation stops, its committed positions are recorded
 *     in {@link ActiveGeneration}, and this one publishes every record from those positions on, in
 *     its running stream thread;</li>
 * <li>or {@link #abort()}: this generation stops and its group, changelogs and local state are
 *     deleted; the publishing one never noticed.</li>
 * </ol>
 * Progress: {@link #positions()} (this generation's committed offsets on the changes topic) against
 * {@link #endOffsets()}.
 */
public final class ReconcilerRebuild {
    private static final Logger log = LoggerFactory.getLogger(ReconcilerRebuild.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration FOLLOW_INTERVAL = Duration.ofMillis(100);
    private static final long ADMIN_TIMEOUT_MS = 30_000;

    private final ReconcilerApp app;
    private final String bootstrapServers;
    private final int generation;
    private final String applicationId;
    private final String publishingApplicationId;
    private final GenerationGate gate = GenerationGate.shadow();
    private final Admin admin;
    private KafkaStreams streams;
    private Thread follower;
    private volatile boolean finished;

    private ReconcilerRebuild(ReconcilerApp app, ReconcilerConfig config, int generation, String publishingApplicationId) {
        this.app = app;
        this.bootstrapServers = config.bootstrapServers();
        this.generation = generation;
        this.applicationId = ActiveGeneration.applicationId(config.applicationId(), generation);
        this.publishingApplicationId = publishingApplicationId;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    static ReconcilerRebuild start(ReconcilerApp app, ReconcilerConfig config, int generation, String publishing) {
        ReconcilerRebuild rebuild = new ReconcilerRebuild(app, config, generation, publishing);
        // What an aborted or interrupted earlier attempt at this generation left behind.
        dropGroupAndChangelogs(rebuild.bootstrapServers, rebuild.applicationId);
        rebuild.streams = app.client(rebuild.applicationId, rebuild.gate);
        rebuild.streams.cleanUp();
        rebuild.follower = new Thread(rebuild::follow, "cumulus-reconciler-rebuild-g" + generation);
        rebuild.follower.setDaemon(true);
        rebuild.follower.start();
        rebuild.streams.start();
        log.info("reconciler rebuild started applicationId={} generation={} publishing={}", rebuild.applicationId,
                generation, publishing);
        return rebuild;
    }

    public int generation() {
        return generation;
    }

    /** The Kafka Streams application id of the generation being built. */
    public String applicationId() {
        return applicationId;
    }

    /** Whether it has switched or was aborted. */
    public boolean finished() {
        return finished;
    }

    /** This generation's committed position on each partition of the changes topic (0 where it has none yet). */
    public Map<TopicPartition, Long> positions() {
        Map<TopicPartition, Long> positions = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::partition));
        endOffsets().keySet().forEach(tp -> positions.put(tp, 0L));
        committed(applicationId).forEach((p, o) -> positions.put(new TopicPartition(Topics.CHANGES, p), o));
        return positions;
    }

    /** The end of each partition of the changes topic now. */
    public Map<TopicPartition, Long> endOffsets() {
        try {
            Set<TopicPartition> partitions = admin.describeTopics(Set.of(Topics.CHANGES)).allTopicNames()
                    .get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS).get(Topics.CHANGES).partitions().stream()
                    .map(p -> new TopicPartition(Topics.CHANGES, p.partition())).collect(Collectors.toSet());
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(
                    partitions.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())))
                    .all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Map<TopicPartition, Long> result = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::partition));
            ends.forEach((tp, info) -> result.put(tp, info.offset()));
            return result;
        } catch (Exception e) {
            throw failure("cannot read the end of " + Topics.CHANGES, e);
        }
    }

    /**
     * Makes this generation the publishing one: stops the publishing generation, records where it
     * stopped, and lets this one publish from there. Every record is published by exactly one of the
     * two. Call once {@link #positions()} is close to {@link #endOffsets()}: the reconciler publishes
     * nothing while this generation applies what the stopped one committed since.
     */
    public void switchOver() {
        if (finished) {
            throw new IllegalStateException("the rebuild of generation " + generation + " has already finished");
        }
        app.handOver(this);
        finished = true;
        stopFollowing();
    }

    /** Stops this generation and deletes its group, changelogs and local state; the publishing one goes on. */
    public void abort() {
        if (finished) {
            return;
        }
        finished = true;
        gate.abort();
        stopFollowing();
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(CLOSE_TIMEOUT));
        streams.cleanUp();
        dropGroupAndChangelogs(bootstrapServers, applicationId);
        log.info("reconciler rebuild aborted applicationId={} generation={}", applicationId, generation);
    }

    /** The digests of this generation's stores (it must be running). */
    public ReconcilerDigest digest() {
        return ReconcilerDigest.of(streams);
    }

    /** The Kafka Streams client's state of the generation being built. */
    public KafkaStreams.State state() {
        return streams.state();
    }

    KafkaStreams streams() {
        return streams;
    }

    void handOver(Map<Integer, Long> loudFrom) {
        gate.handOver(loudFrom);
    }

    /**
     * The committed positions of {@code group} on the changes topic, every partition included: where
     * it has committed nothing it starts from the beginning of the partition.
     */
    Map<Integer, Long> committedPositions(String group) {
        Map<Integer, Long> positions = new HashMap<>();
        try {
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts = admin.listOffsets(endOffsets().keySet()
                    .stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.earliest())))
                    .all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            starts.forEach((tp, info) -> positions.put(tp.partition(), info.offset()));
        } catch (Exception e) {
            throw failure("cannot read the start of " + Topics.CHANGES, e);
        }
        positions.putAll(committed(group));
        return positions;
    }

    /** Keeps the gate told how far the publishing generation has committed. */
    private void follow() {
        try {
            while (!finished) {
                gate.publishedUpTo(committed(publishingApplicationId));
                Thread.sleep(FOLLOW_INTERVAL.toMillis()); // polling the group's offsets: Kafka signals no commit
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("reconciler rebuild cannot follow the publishing generation applicationId={}", applicationId, e);
        }
    }

    private void stopFollowing() {
        follower.interrupt();
        admin.close(Duration.ofSeconds(5));
    }

    private Map<Integer, Long> committed(String group) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Map<Integer, Long> positions = new HashMap<>();
            offsets.forEach((tp, om) -> {
                if (tp.topic().equals(Topics.CHANGES) && om != null) {
                    positions.put(tp.partition(), om.offset());
                }
            });
            return positions;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the offsets of " + group, e);
        } catch (Exception e) {
            throw failure("cannot read the offsets of " + group, e);
        }
    }

    /** Deletes a generation's consumer group and changelog topics (each where it exists). */
    static void dropGroupAndChangelogs(String bootstrapServers, String applicationId) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            List<String> changelogs = Arrays.stream(ReconcilerDigest.STORE_NAMES)
                    .map(store -> applicationId + "-" + store + "-changelog").toList();
            // A changelog whose creation was under way when the generation stopped appears a moment later:
            // deleted until two listings in a row show none (deletion itself reaches the listing asynchronously).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int quiet = 0;
            while (quiet < 2 && System.nanoTime() < deadline) {
                Set<String> existing = admin.listTopics().names().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                List<String> doomed = changelogs.stream().filter(existing::contains).toList();
                if (doomed.isEmpty()) {
                    quiet++;
                } else {
                    quiet = 0;
                    try {
                        admin.deleteTopics(doomed).all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                            throw e;
                        }
                    }
                }
                if (quiet < 2) {
                    Thread.sleep(250); // polling the broker's listing, which no event announces
                }
            }
            try {
                admin.deleteConsumerGroups(List.of(applicationId)).all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                    // A member that has not left yet keeps the group until its session ends; its offsets expire later.
                    log.warn("consumer group not deleted group={} error={}", applicationId, e.getCause().toString());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                log.warn("changelogs not deleted applicationId={} error={}", applicationId, e.getCause().toString());
            }
        } catch (java.util.concurrent.TimeoutException e) {
            log.warn("changelogs not deleted applicationId={} error={}", applicationId, e.toString());
        }
    }

    private static IllegalStateException failure(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return new IllegalStateException(what + ": " + cause, cause);
    }
}
