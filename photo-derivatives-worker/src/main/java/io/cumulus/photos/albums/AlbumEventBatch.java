package io.cumulus.photos.albums;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

import io.cumulus.schemas.AlbumEvent;
import io.cumulus.schemas.AlbumEventKind;
import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.PoisonRecordException;

/**
 * One poll's album events, decoded, each with its partition and offset, in log order per partition,
 * and the offset after the last one of each partition.
 */
public record AlbumEventBatch(String topic, List<Positioned> events, Map<Integer, Long> nextOffsets) {

    /** An event and where it is in the topic. */
    public record Positioned(int partition, long offset, AlbumEvent event) {
    }

    public AlbumEventBatch {
        events = List.copyOf(events);
        nextOffsets = Map.copyOf(nextOffsets);
    }

    /** @throws PoisonRecordException for the first record that is not an album event as the schema's docs describe it */
    public static AlbumEventBatch decode(ConsumerRecords<byte[], byte[]> records, String topic) {
        AvroSerde<AlbumEvent> serde = AvroSerde.albumEvents();
        List<Positioned> events = new ArrayList<>();
        Map<Integer, Long> next = new TreeMap<>();
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                events.add(new Positioned(record.partition(), record.offset(), decode(serde, record)));
                next.put(record.partition(), record.offset() + 1);
            }
        }
        return new AlbumEventBatch(topic, events, next);
    }

    public int size() {
        return events.size();
    }

    private static AlbumEvent decode(AvroSerde<AlbumEvent> serde, ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            throw poison(record, "the record has no value", null);
        }
        AlbumEvent event;
        try {
            event = serde.decode(record.value());
        } catch (RuntimeException e) {
            throw poison(record, "not an AlbumEvent", e);
        }
        requireUuid(record, "namespaceId", event.getNamespaceId());
        requireUuid(record, "accountId", event.getAccountId());
        boolean albumless = event.getKind() == AlbumEventKind.FAVOURITED || event.getKind() == AlbumEventKind.UNFAVOURITED
                || event.getKind() == AlbumEventKind.UNKNOWN;
        if (!albumless) {
            requireUuid(record, "albumId", event.getAlbumId());
        }
        for (var photo : event.getPhotos()) {
            requireUuid(record, "photos.namespaceId", photo.getNamespaceId());
        }
        if (event.getBeforePhoto() != null) {
            requireUuid(record, "beforePhoto.namespaceId", event.getBeforePhoto().getNamespaceId());
        }
        return event;
    }

    private static void requireUuid(ConsumerRecord<byte[], byte[]> record, String field, String value) {
        try {
            UUID.fromString(String.valueOf(value));
        } catch (IllegalArgumentException e) {
            throw poison(record, field + " is not a UUID: " + value, e);
        }
    }

    private static PoisonRecordException poison(ConsumerRecord<byte[], byte[]> record, String reason, Throwable cause) {
        return new PoisonRecordException("project", record.topic(), record.partition(), record.offset(), reason, cause);
    }
}
