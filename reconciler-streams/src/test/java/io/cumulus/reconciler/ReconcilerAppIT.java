package io.cumulus.reconciler;

import static io.cumulus.reconciler.BatchBuilder.LAPTOP;
import static io.cumulus.reconciler.BatchBuilder.aBatch;
import static io.cumulus.reconciler.BatchBuilder.chunk;
import static io.cumulus.reconciler.BatchBuilder.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cumulus.embedded.testing.TestServers;
import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.ChangeBatchSubmitted;
import io.cumulus.schemas.ChangeOutcome;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.OutcomeKind;
import io.cumulus.schemas.Topics;

/** The reconciler against a real broker: exactly-once outputs visible to read_committed consumers. */
class ReconcilerAppIT {
    private static final Duration PIPELINE = Duration.ofSeconds(60);

    @TempDir
    Path stateDir;

    @Test
    void aBatchBecomesAnOutcomeAndAnEventOnceEvenWhenItIsDeliveredTwice() {
        String bootstrap = TestServers.kafka().bootstrapServers();
        String ns = "ns-it-" + UUID.randomUUID();
        ReconcilerConfig config = ReconcilerConfig.of(bootstrap, stateDir)
                .withApplicationId("reconciler-it-" + UUID.randomUUID());
        try (ReconcilerApp app = new ReconcilerApp(config);
                KafkaProducer<String, ChangeBatchSubmitted> producer = producer(bootstrap);
                KafkaConsumer<String, byte[]> consumer = readCommitted(bootstrap)) {
            // given a running reconciler
            app.start();

            // when a batch is delivered twice, then a second batch follows
            Instant now = Instant.now();
            ChangeBatchSubmitted first = aBatch().in(ns).from(LAPTOP).at(now)
                    .upsert("f1", "docs/a.txt", vector("dev-laptop", 1), chunk("v1")).build();
            ChangeBatchSubmitted second = aBatch().in(ns).from(LAPTOP).at(now)
                    .upsert("f1", "docs/a.txt", vector("dev-laptop", 2), chunk("v2")).build();
            for (ChangeBatchSubmitted batch : List.of(first, first, second)) {
                producer.send(new ProducerRecord<>(Topics.CHANGES, ns, batch));
            }
            producer.flush();

            // then read_committed consumers see one outcome per change and events 1 and 2, nothing twice
            List<ChangeOutcome> outcomes = new ArrayList<>();
            List<FileEvent> events = new ArrayList<>();
            consumer.subscribe(List.of(Topics.OUTCOMES, Topics.FILE_EVENTS));
            await().atMost(PIPELINE).until(() -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (!ns.equals(r.key())) {
                        continue; // other tests' namespaces share these topics
                    }
                    if (r.topic().equals(Topics.OUTCOMES)) {
                        outcomes.add(AvroSerde.outcomes().decode(r.value()));
                    } else {
                        events.add(AvroSerde.fileEvents().decode(r.value()));
                    }
                }
                return outcomes.stream().anyMatch(o -> o.getBatchId().equals(second.getBatchId()))
                        && events.size() >= 2;
            });
            assertThat(outcomes).extracting(ChangeOutcome::getBatchId, ChangeOutcome::getKind, ChangeOutcome::getSeq)
                    .containsExactly(
                            tuple(first.getBatchId(), OutcomeKind.APPLIED, 1L),
                            tuple(second.getBatchId(), OutcomeKind.APPLIED, 2L));
            assertThat(events).extracting(FileEvent::getSeq, FileEvent::getBatchId)
                    .containsExactly(tuple(1L, first.getBatchId()),
                            tuple(2L, second.getBatchId()));
        }
    }

    private static KafkaProducer<String, ChangeBatchSubmitted> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), AvroSerde.changeBatches().serializer());
    }

    private static KafkaConsumer<String, byte[]> readCommitted(String bootstrap) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "reconciler-it-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer());
    }
}
