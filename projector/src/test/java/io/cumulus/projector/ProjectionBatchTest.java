package io.cumulus.projector;

import static io.cumulus.projector.TestRecords.anEvent;
import static io.cumulus.projector.TestRecords.anOutcome;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.PoisonRecordException;
import io.cumulus.schemas.Topics;

class ProjectionBatchTest {
    private static final ProjectorConfig CONFIG = ProjectorConfig.of("unused:9092");
    private final UUID namespace = UUID.randomUUID();

    @Test
    void eventsAndOutcomesAreDecodedInOrder() {
        // given two events and an outcome
        FileEvent first = anEvent(namespace, 1, "f1").build();
        FileEvent second = anEvent(namespace, 2, "f2").build();
        var outcome = anOutcome(namespace, "b1", 0).build();
        ConsumerRecords<byte[], byte[]> records = records(
                record(Topics.FILE_EVENTS, 0, 10, AvroSerde.fileEvents().encode(first)),
                record(Topics.FILE_EVENTS, 0, 11, AvroSerde.fileEvents().encode(second)),
                record(Topics.OUTCOMES, 2, 7, AvroSerde.outcomes().encode(outcome)));

        // when
        ProjectionBatch batch = ProjectionBatch.decode(records, CONFIG);

        // then
        assertThat(batch.events()).containsExactly(first, second);
        assertThat(batch.outcomes()).containsExactly(outcome);
    }

    @Test
    void anUndecodableValueIsAPoisonRecordWithItsCoordinates() {
        // given garbage after a good event
        ConsumerRecords<byte[], byte[]> records = records(
                record(Topics.FILE_EVENTS, 3, 41, AvroSerde.fileEvents().encode(anEvent(namespace, 1, "f").build())),
                record(Topics.FILE_EVENTS, 3, 42, "not avro".getBytes(StandardCharsets.UTF_8)));

        // when / then
        assertThatThrownBy(() -> ProjectionBatch.decode(records, CONFIG))
                .isInstanceOfSatisfying(PoisonRecordException.class, e -> {
                    assertThat(e.topic()).isEqualTo(Topics.FILE_EVENTS);
                    assertThat(e.partition()).isEqualTo(3);
                    assertThat(e.offset()).isEqualTo(42);
                });
    }

    @Test
    void anOutcomeOnTheFileEventTopicIsAPoisonRecord() {
        // given a record of the wrong schema: its fingerprint is not FileEvent's
        byte[] outcome = AvroSerde.outcomes().encode(anOutcome(namespace, "b", 0).build());

        // when / then
        assertThatThrownBy(() -> ProjectionBatch.decode(records(record(Topics.FILE_EVENTS, 0, 5, outcome)), CONFIG))
                .isInstanceOf(PoisonRecordException.class)
                .hasMessageContaining(Topics.FILE_EVENTS + "-0@5");
    }

    @Test
    void aTombstoneIsAPoisonRecord() {
        assertThatThrownBy(() -> ProjectionBatch.decode(records(record(Topics.OUTCOMES, 1, 9, null)), CONFIG))
                .isInstanceOf(PoisonRecordException.class)
                .hasMessageContaining(Topics.OUTCOMES + "-1@9");
    }

    @Test
    void aNamespaceIdThatIsNotAUuidIsAPoisonRecord() {
        // given an event whose namespace id the uuid column could not hold
        byte[] event = AvroSerde.fileEvents().encode(anEvent(namespace, 1, "f").setNamespaceId("home").build());

        // when / then
        assertThatThrownBy(() -> ProjectionBatch.decode(records(record(Topics.FILE_EVENTS, 0, 0, event)), CONFIG))
                .isInstanceOf(PoisonRecordException.class)
                .hasMessageContaining("'home' is not a uuid");
    }

    private static ConsumerRecord<byte[], byte[]> record(String topic, int partition, long offset, byte[] value) {
        return new ConsumerRecord<>(topic, partition, offset, null, value);
    }

    @SafeVarargs
    private static ConsumerRecords<byte[], byte[]> records(ConsumerRecord<byte[], byte[]>... records) {
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> byPartition = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            byPartition.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), p -> new ArrayList<>()).add(r);
        }
        return new ConsumerRecords<>(byPartition, Map.of());
    }
}
