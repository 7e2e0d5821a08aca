package io.cumulus.standalone.rebuild;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;

import io.cumulus.reconciler.ReconcilerApp;
import io.cumulus.reconciler.ReconcilerRebuild;
import io.cumulus.schemas.Topics;

/**
 * {@code reconciler}: the reconciler's Kafka Streams state stores, rebuilt by a second Kafka Streams
 * application that runs the reconciler's own topology over the changes topic without publishing
 * ({@link ReconcilerRebuild}); available in the process that runs the reconciler. The job's consumer
 * reads the changes topic only to measure progress: {@link Generation#apply} returns once the new
 * generation has committed past the records it is handed. The switch stops the publishing generation
 * and lets the new one publish from where the stopped one committed
 * (docs/decisions/0035-rebuilding-the-reconciler-and-sync-state.md).
 */
public final class ReconcilerProjection implements Projection {
    private static final long WAIT_STEP_MS = 100;

    private final ReconcilerApp reconciler;

    public ReconcilerProjection(ReconcilerApp reconciler) {
        this.reconciler = reconciler;
    }

    @Override
    public String name() {
        return "reconciler";
    }

    @Override
    public String description() {
        return "the reconciler's state stores, Kafka Streams application " + reconciler.applicationId();
    }

    @Override
    public List<String> topics() {
        return List.of(Topics.CHANGES);
    }

    @Override
    public int liveGeneration() {
        return reconciler.generation();
    }

    @Override
    public Generation newGeneration() {
        ReconcilerRebuild rebuild = reconciler.rebuild();
        return new Generation() {
            @Override
            public int number() {
                return rebuild.generation();
            }

            @Override
            public String location() {
                return "Kafka Streams application " + rebuild.applicationId();
            }

            @Override
            public void apply(ConsumerRecords<byte[], byte[]> records) throws InterruptedException {
                Map<TopicPartition, Long> past = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    past.merge(new TopicPartition(r.topic(), r.partition()), r.offset() + 1, Math::max);
                }
                // The new generation's own stream thread applies them; this waits until it has committed them.
                while (!reached(rebuild.positions(), past)) {
                    KafkaStreams.State state = rebuild.state();
                    if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING
                            || state == KafkaStreams.State.PENDING_ERROR) {
                        throw new IllegalStateException("the rebuilt reconciler stopped: " + state);
                    }
                    Thread.sleep(WAIT_STEP_MS); // its commits are not signalled outside Kafka: poll the group's offsets
                }
            }

            @Override
            public Map<TopicPartition, Long> positions() {
                return rebuild.positions();
            }

            @Override
            public void switchOver(CatchUp catchUp) {
                // No catch-up under a lock here: the new generation applies, silently, everything the stopped
                // one committed, and publishes from there (ReconcilerRebuild#switchOver).
                rebuild.switchOver();
            }

            @Override
            public void drop() {
                rebuild.abort();
            }
        };
    }

    @Override
    public Digest digest() {
        return new Digest(reconciler.digest().stores());
    }

    private static boolean reached(Map<TopicPartition, Long> at, Map<TopicPartition, Long> targets) {
        return targets.entrySet().stream().allMatch(e -> at.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }
}
