package io.cumulus.projector;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;

import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.ChangeOutcome;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.PoisonRecordException;

/**
 * The decoded records of one poll, in the order they were read, ready to be written to the read
 * model in one transaction. Decoding checks everything the database would otherwise reject later
 * (namespace ids are uuids), so a bad record is reported with its coordinates before anything of the
 * poll is written.
 */
record ProjectionBatch(List<FileEvent> events, List<ChangeOutcome> outcomes) {
    private static final AvroSerde<FileEvent> FILE_EVENTS = AvroSerde.fileEvents();
    private static final AvroSerde<ChangeOutcome> OUTCOMES = AvroSerde.outcomes();

    ProjectionBatch {
        events = List.copyOf(events);
        outcomes = List.copyOf(outcomes);
    }

    /** @throws PoisonRecordException for the first record that cannot be projected */
    static ProjectionBatch decode(ConsumerRecords<byte[], byte[]> records, ProjectorConfig config) {
        List<FileEvent> events = new ArrayList<>();
        List<ChangeOutcome> outcomes = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            if (record.topic().equals(config.fileEventsTopic())) {
                FileEvent event = decode(record, FILE_EVENTS);
                requireUuid(record, event.getNamespaceId());
                events.add(event);
            } else if (record.topic().equals(config.outcomesTopic())) {
                ChangeOutcome outcome = decode(record, OUTCOMES);
                requireUuid(record, outcome.getNamespaceId());
                outcomes.add(outcome);
            } else {
                throw poison(record, "not a topic the projector subscribed to", null);
            }
        }
        return new ProjectionBatch(events, outcomes);
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
