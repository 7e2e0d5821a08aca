package io.cumulus.projector;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.ChangeOutcome;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.PoisonRecordException;

/**
 * The decoded records of one poll, in the order they were read, ready to be written to the read
 * model in one transaction. Decoding checks everything the database would otherwise reject later
 * (namespace ids are uuids), so a bad record is reported with its coordinates before anything of the
 * poll is written. Each event and outcome keeps where it was read ({@code eventsAt}, {@code outcomesAt},
 * index for index), so the writer can leave out what the read model's positions have passed.
 */
record ProjectionBatch(List<FileEvent> events, List<ChangeOutcome> outcomes, List<At> eventsAt, List<At> outcomesAt) {
    private static final AvroSerde<FileEvent> FILE_EVENTS = AvroSerde.fileEvents();
    private static final AvroSerde<ChangeOutcome> OUTCOMES = AvroSerde.outcomes();

    /** Where a record was read. */
    record At(TopicPartition partition, long offset) {
    }

    ProjectionBatch {
        events = List.copyOf(events);
        outcomes = List.copyOf(outcomes);
        eventsAt = List.copyOf(eventsAt);
        outcomesAt = List.copyOf(outcomesAt);
        if (events.size() != eventsAt.size() || outcomes.size() != outcomesAt.size()) {
            throw new IllegalArgumentException("every record needs its coordinates");
        }
    }

    /** For each partition of the batch, the offset after its last record: where projecting resumes. */
    Map<TopicPartition, Long> nextOffsets() {
        Map<TopicPartition, Long> next = new HashMap<>();
        for (List<At> ats : List.of(eventsAt, outcomesAt)) {
            for (At at : ats) {
                next.merge(at.partition(), at.offset() + 1, Math::max);
            }
        }
        return next;
    }

    /** For each partition of the batch, the offset of its first record. */
    Map<TopicPartition, Long> firstOffsets() {
        Map<TopicPartition, Long> first = new HashMap<>();
        for (List<At> ats : List.of(eventsAt, outcomesAt)) {
            for (At at : ats) {
                first.merge(at.partition(), at.offset(), Math::min);
            }
        }
        return first;
    }

    /**
     * The records at or after their partition's position in {@code applied} (the next offset to
     * project; a partition without one has projected nothing): the part of the batch not in the read
     * model yet.
     */
    ProjectionBatch notBefore(Map<TopicPartition, Long> applied) {
        List<FileEvent> e = new ArrayList<>();
        List<At> eAt = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            if (eventsAt.get(i).offset() >= applied.getOrDefault(eventsAt.get(i).partition(), 0L)) {
                e.add(events.get(i));
                eAt.add(eventsAt.get(i));
            }
        }
        List<ChangeOutcome> o = new ArrayList<>();
        List<At> oAt = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomesAt.get(i).offset() >= applied.getOrDefault(outcomesAt.get(i).partition(), 0L)) {
                o.add(outcomes.get(i));
                oAt.add(outcomesAt.get(i));
            }
        }
        return new ProjectionBatch(e, o, eAt, oAt);
    }

    int size() {
        return events.size() + outcomes.size();
    }

    /** @throws PoisonRecordException for the first record that cannot be projected */
    static ProjectionBatch decode(ConsumerRecords<byte[], byte[]> records, ProjectorConfig config) {
        List<FileEvent> events = new ArrayList<>();
        List<ChangeOutcome> outcomes = new ArrayList<>();
        List<At> eventsAt = new ArrayList<>();
        List<At> outcomesAt = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            At at = new At(new TopicPartition(record.topic(), record.partition()), record.offset());
            if (record.topic().equals(config.fileEventsTopic())) {
                FileEvent event = decode(record, FILE_EVENTS);
                requireUuid(record, event.getNamespaceId());
                events.add(event);
                eventsAt.add(at);
            } else if (record.topic().equals(config.outcomesTopic())) {
                ChangeOutcome outcome = decode(record, OUTCOMES);
                requireUuid(record, outcome.getNamespaceId());
                outcomes.add(outcome);
                outcomesAt.add(at);
            } else {
                throw poison(record, "not a topic the projector subscribed to", null);
            }
        }
        return new ProjectionBatch(events, outcomes, eventsAt, outcomesAt);
    }

    boolean isEmpty() {
        return events.isEmpty() && outcomes.isEmpty();
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> T decode(ConsumerRecord<byte[], byte[]> record,
            AvroSerde<T> serde) {
        if (record.value() == null) {
            throw poison(record, "no value (a tombstone on an append-only topic)", null);
        }
        try {
            return serde.decode(record.value());
        } catch (RuntimeException e) {
            // Whatever the decoder threw (bad header, unknown fingerprint, truncated body), the record is unreadable.
            throw poison(record, "not a decodable Avro single-object record", e);
        }
    }

    private static void requireUuid(ConsumerRecord<byte[], byte[]> record, String namespaceId) {
        try {
            UUID.fromString(namespaceId);
        } catch (IllegalArgumentException e) {
            throw poison(record, "namespace id '" + namespaceId + "' is not a uuid", e);
        }
    }

    private static PoisonRecordException poison(ConsumerRecord<byte[], byte[]> record, String reason, Throwable cause) {
        return new PoisonRecordException("project", record.topic(), record.partition(), record.offset(), reason, cause);
    }
}
