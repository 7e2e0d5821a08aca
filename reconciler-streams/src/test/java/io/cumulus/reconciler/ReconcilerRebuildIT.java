package io.cumulus.reconciler;

import static io.cumulus.reconciler.BatchBuilder.LAPTOP;
import static io.cumulus.reconciler.BatchBuilder.PHONE;
import static io.cumulus.reconciler.BatchBuilder.aBatch;
import static io.cumulus.reconciler.BatchBuilder.chunk;
import static io.cumulus.reconciler.BatchBuilder.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cumulus.embedded.testing.TestServers;
import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.ChangeBatchSubmitted;
import io.cumulus.schemas.ChangeOutcome;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.Topics;

/**
 * A rebuilt generation of the reconciler's stores equals the publishing one, takes over without
 * publishing anything twice or skipping anything, and stays the publishing one across a restart.
 */
class ReconcilerRebuildIT {
    private static final Duration PIPELINE = Duration.ofSeconds(60);

    @TempDir
    static Path stateDir;

    private static String bootstrap;
    private static KafkaProducer<String, ChangeBatchSubmitted> producer;
    private static KafkaConsumer<String, byte[]> reader;
    private static final List<ChangeOutcome> outcomes = new ArrayList<>();
    private static final List<FileEvent> events = new ArrayList<>();
    private static final String NS = UUID.randomUUID().toString();

    @BeforeAll
    static void connect() {
        bootstrap = TestServers.kafka().bootstrapServers();
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), AvroSerde.changeBatches().serializer());
        reader = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "rebuild-it-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer());
        reader.subscribe(List.of(Topics.OUTCOMES, Topics.FILE_EVENTS));
    }

    @AfterAll
    static void disconnect() {
        producer.close();
        reader.close();
    }

    @Test
    void aRebuiltGenerationEqualsTheLiveOneAndTakesOverPublishingEachRecordOnce() throws InterruptedException {
        ReconcilerConfig config = ReconcilerConfig.of(bootstrap, stateDir.resolve("a"))
                .withApplicationId("rebuild-it-" + UUID.randomUUID());
        Instant t = Instant.parse("2026-06-01T10:00:00Z");
        ChangeBatchSubmitted first = aBatch().in(NS).from(LAPTOP).at(t)
                .upsert("f1", "docs/a.txt", vector("dev-laptop", 1), chunk("a1"))
                .upsert("f2", "photos/b.jpg", vector("dev-laptop", 1), chunk("b1")).build();
        ChangeBatchSubmitted edit = aBatch().in(NS).from(LAPTOP).at(t.plusSeconds(1))
                .upsert("f1", "docs/a.txt", vector("dev-laptop", 2), chunk("a2")).build();
        ChangeBatchSubmitted concurrent = aBatch().in(NS).from(PHONE).at(t.plusSeconds(2))
                .upsert("f2", "photos/b.jpg", vector("dev-laptop", 1, "dev-phone", 1), chunk("b2")).build();
        ChangeBatchSubmitted conflicting = aBatch().in(NS).from(LAPTOP).at(t.plusSeconds(3))
                .upsert("f2", "photos/b.jpg", vector("dev-laptop", 2), chunk("b3")).build();
        ChangeBatchSubmitted after = aBatch().in(NS).from(LAPTOP).at(t.plusSeconds(5))
                .upsert("f3", "docs/c.txt", vector("dev-laptop", 3), chunk("c1")).build();
        ChangeBatchSubmitted later = aBatch().in(NS).from(PHONE).at(t.plusSeconds(6))
                .upsert("f3", "docs/c.txt", vector("dev-laptop", 3, "dev-phone", 1), chunk("c2")).build();
        ChangeBatchSubmitted delete = aBatch().in(NS).from(PHONE).at(t.plusSeconds(4))
                .delete("f1", "docs/a.txt", vector("dev-laptop", 2, "dev-phone", 1)).build();

        try (ReconcilerApp app = new ReconcilerApp(config)) {
            // given a live reconciler that has reconciled edits, a conflict and a delete
            app.start();
            send(first, edit, concurrent, conflicting, delete);
            awaitOutcomesOf(delete);
            ReconcilerDigest live = awaitQuiet(app);

            // when its stores are rebuilt beside it
            ReconcilerRebuild rebuild = app.rebuild();
            assertThat(rebuild.generation()).isEqualTo(2);
            await().atMost(PIPELINE).until(() -> rebuild.positions().equals(rebuild.endOffsets()));
            await().atMost(PIPELINE).untilAsserted(() -> assertThat(rebuild.digest()).isEqualTo(live));

            // then, switched to, it is the publishing generation with the same stores, and at no moment of the
            // switch does the reconciler look stopped to a watcher (a process stops when its reconciler stops)
            java.util.Set<KafkaStreams.State> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
            java.util.concurrent.atomic.AtomicBoolean switching = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread watcher = new Thread(() -> {
                while (switching.get()) {
                    seen.add(app.state());
                    Thread.onSpinWait();
                }
            });
            watcher.start();
            try {
                rebuild.switchOver();
            } finally {
                switching.set(false);
            }
            watcher.join();
            assertThat(seen).as("the states a watcher saw during the switch")
                    .doesNotContain(KafkaStreams.State.PENDING_SHUTDOWN, KafkaStreams.State.NOT_RUNNING,
                            KafkaStreams.State.PENDING_ERROR, KafkaStreams.State.ERROR);
            assertThat(app.generation()).isEqualTo(2);
            await().atMost(PIPELINE).until(() -> app.state() == KafkaStreams.State.RUNNING);
            assertThat(app.digest()).isEqualTo(live);

            // and it reconciles what comes next, dropping a redelivered old batch as the old generation would have
            send(edit, after);
            awaitOutcomesOf(after);
        }

        try (ReconcilerApp restarted = new ReconcilerApp(config)) {
            // and after a restart the rebuilt generation still publishes, from where it was
            restarted.start();
            assertThat(restarted.generation()).isEqualTo(2);
            send(later);
            awaitOutcomesOf(later);
        }

        // every record was published once: one outcome per change, and the events numbered 1..n without a repeat
        assertThat(outcomes).extracting(ChangeOutcome::getBatchId).containsExactly(first.getBatchId(),
                first.getBatchId(), edit.getBatchId(), concurrent.getBatchId(), conflicting.getBatchId(),
                delete.getBatchId(), after.getBatchId(), later.getBatchId());
        assertThat(events).extracting(FileEvent::getSeq)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, events.size()).boxed().toList());
    }

    @Test
    void anAbortedRebuildLeavesTheLiveGenerationPublishing() throws Exception {
        ReconcilerConfig config = ReconcilerConfig.of(bootstrap, stateDir.resolve("b"))
                .withApplicationId("rebuild-it-abort-" + UUID.randomUUID());
        String ns = UUID.randomUUID().toString();
        try (ReconcilerApp app = new ReconcilerApp(config)) {
            app.start();
            ReconcilerRebuild rebuild = app.rebuild();
            rebuild.abort();

            ChangeBatchSubmitted batch = aBatch().in(ns).from(LAPTOP).at(Instant.parse("2026-06-01T10:00:00Z"))
                    .upsert("f1", "a.txt", vector("dev-laptop", 1), chunk("x")).build();
            producer.send(new ProducerRecord<>(Topics.CHANGES, ns, batch));
            producer.flush();
            List<String> decided = new ArrayList<>();
            await().atMost(PIPELINE).until(() -> {
                for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(100))) {
                    if (r.topic().equals(Topics.OUTCOMES) && ns.equals(r.key())) {
                        decided.add(AvroSerde.outcomes().decode(r.value()).getBatchId());
                    }
                }
                return !decided.isEmpty();
            });
            assertThat(app.generation()).isEqualTo(1);
            assertThat(rebuild.finished()).isTrue();
            try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(admin.listTopics().names().get())
                        .noneMatch(n -> n.startsWith(rebuild.applicationId() + "-")));
            }
        }
    }

    @Test
    void aRebuildIsRefusedWhileAReconcilerOfAnotherProcessIsInTheGroup() {
        String applicationId = "rebuild-it-two-" + UUID.randomUUID();
        ReconcilerConfig configA = ReconcilerConfig.of(bootstrap, stateDir.resolve("c-a"))
                .withApplicationId(applicationId).withInstanceId("node-a");
        ReconcilerConfig configB = ReconcilerConfig.of(bootstrap, stateDir.resolve("c-b"))
                .withApplicationId(applicationId).withInstanceId("node-b");
        String ns = UUID.randomUUID().toString();
        try (ReconcilerApp a = new ReconcilerApp(configA)) {
            // given a reconciler alone in its group, rebuilding
            a.start();
            await().atMost(PIPELINE).until(() -> a.state() == KafkaStreams.State.RUNNING);
            ReconcilerRebuild rebuild = a.rebuild();
            try (ReconcilerApp b = new ReconcilerApp(configB)) {
                // when a second reconciler instance of another process joins the group
                b.start();
                await().atMost(PIPELINE).until(() -> ReconcilerGroup.members(bootstrap, applicationId).size() == 2
                        && a.state() == KafkaStreams.State.RUNNING && b.state() == KafkaStreams.State.RUNNING);

                // then the hand-over is refused, naming it, and the publishing generation goes on
                org.assertj.core.api.Assertions.assertThatThrownBy(rebuild::switchOver)
                        .isInstanceOf(ReconcilerGroup.OtherInstance.class)
                        .hasMessageContaining("another reconciler instance (instance id node-b-1")
                        .hasMessageContaining("is in group " + applicationId + "; stop it or run the rebuild there");
                assertThat(a.generation()).isEqualTo(1);
                assertThat(a.state()).isEqualTo(KafkaStreams.State.RUNNING);
                rebuild.abort();

                // and so is a new rebuild
                org.assertj.core.api.Assertions.assertThatThrownBy(a::rebuild)
                        .isInstanceOf(ReconcilerGroup.OtherInstance.class)
                        .hasMessageContaining("instance id node-b-1");
                assertThat(a.generation()).isEqualTo(1);

                // and a change is published once, by the one generation the two instances share
                ChangeBatchSubmitted batch = aBatch().in(ns).from(LAPTOP).at(Instant.parse("2026-06-01T10:00:00Z"))
                        .upsert("f1", "a.txt", vector("dev-laptop", 1), chunk("x")).build();
                producer.send(new ProducerRecord<>(Topics.CHANGES, ns, batch));
                producer.flush();
                List<String> decided = new ArrayList<>();
                await().atMost(PIPELINE).until(() -> {
                    drainOutcomes(ns, decided);
                    return !decided.isEmpty() && caughtUp(applicationId);
                });
                drainOutcomes(ns, decided);
                assertThat(decided).containsExactly(batch.getBatchId());
            }
        }
    }

    private static void send(ChangeBatchSubmitted... batches) {
        for (ChangeBatchSubmitted batch : batches) {
            producer.send(new ProducerRecord<>(Topics.CHANGES, NS, batch));
        }
        producer.flush();
    }

    private static void awaitOutcomesOf(ChangeBatchSubmitted batch) {
        await().atMost(PIPELINE).until(() -> {
            for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(100))) {
                if (!NS.equals(r.key())) {
                    continue;
                }
                if (r.topic().equals(Topics.OUTCOMES)) {
                    outcomes.add(AvroSerde.outcomes().decode(r.value()));
                } else {
                    events.add(AvroSerde.fileEvents().decode(r.value()));
                }
            }
            return outcomes.stream().anyMatch(o -> o.getBatchId().equals(batch.getBatchId()));
        });
    }

    /** Reads the outcomes of namespace {@code ns} up to the outcomes topic's current (committed) end. */
    private static void drainOutcomes(String ns, List<String> decided) {
        Map<org.apache.kafka.common.TopicPartition, Long> ends = reader.endOffsets(reader.assignment());
        await().atMost(PIPELINE).until(() -> {
            for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(100))) {
                if (r.topic().equals(Topics.OUTCOMES) && ns.equals(r.key())) {
                    decided.add(AvroSerde.outcomes().decode(r.value()).getBatchId());
                }
            }
            return ends.entrySet().stream().allMatch(e -> reader.position(e.getKey()) >= e.getValue());
        });
    }

    /** Whether {@code group} has committed every change there is: its outputs are all visible. */
    private static boolean caughtUp(String group) throws Exception {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            var partitions = admin.describeTopics(List.of(Topics.CHANGES)).allTopicNames().get().get(Topics.CHANGES)
                    .partitions();
            var ends = admin.listOffsets(partitions.stream().collect(java.util.stream.Collectors.toMap(
                    p -> new org.apache.kafka.common.TopicPartition(Topics.CHANGES, p.partition()),
                    p -> org.apache.kafka.clients.admin.OffsetSpec.latest()))).all().get();
            // A partition it never had a record of has no committed offset.
            return ends.entrySet().stream().allMatch(e -> (committed.containsKey(e.getKey())
                    ? committed.get(e.getKey()).offset() : 0L) >= e.getValue().offset());
        }
    }

    /** The live digest once two reads a moment apart agree: the reconciler has nothing left to do. */
    private static ReconcilerDigest awaitQuiet(ReconcilerApp app) {
        ReconcilerDigest[] last = {null};
        await().atMost(PIPELINE).pollInterval(Duration.ofMillis(500)).until(() -> {
            ReconcilerDigest now = app.digest();
            boolean same = now.equals(last[0]);
            last[0] = now;
            return same;
        });
        return last[0];
    }
}
