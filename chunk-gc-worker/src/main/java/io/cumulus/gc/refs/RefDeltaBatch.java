package io.cumulus.gc.refs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;

import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.ChunkRefDelta;
import io.cumulus.schemas.PoisonRecordException;
import io.cumulus.sync.manifest.ChunkId;

/**
 * The decoded deltas of one poll of one topic, per partition in offset order, ready to be counted in
 * one transaction. Decoding checks everything the count relies on, so a bad record is reported with
 * its coordinates before anything of the poll is written.
 */
public record RefDeltaBatch(String topic, Map<Integer, List<RefDelta>> byPartition) {
    private static final AvroSerde<ChunkRefDelta> SERDE = AvroSerde.chunkRefDeltas();

    public RefDeltaBatch {
        TreeMap<Integer, List<RefDelta>> copy = new TreeMap<>();
        byPartition.forEach((partition, deltas) -> {
            if (!deltas.isEmpty()) {
                copy.put(partition, List.copyOf(deltas));
            }
        });
        byPartition = Collections.unmodifiableMap(copy);
    }

    /** @throws PoisonRecordException for the first record that cannot be counted */
    public static RefDeltaBatch decode(ConsumerRecords<byte[], byte[]> records, String topic) {
        Map<Integer, List<RefDelta>> byPartition = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            if (!record.topic().equals(topic)) {
                throw poison(record, "not the topic the consumer subscribed to", null);
            }
            byPartition.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(decode(record));
        }
        byPartition.values().forEach(deltas -> deltas.sort((a, b) -> Long.compare(a.offset(), b.offset())));
        return new RefDeltaBatch(topic, byPartition);
    }

    /** The number of deltas in the batch. */
    public int size() {
        return byPartition.values().stream().mapToInt(List::size).sum();
    }

    /** For each partition of the batch, the offset after its last delta: where counting resumes. */
    public Map<Integer, Long> nextOffsets() {
        Map<Integer, Long> next = new TreeMap<>();
        byPartition.forEach((partition, deltas) -> next.put(partition, deltas.getLast().offset() + 1));
        return next;
    }

    /**
     * The deltas not counted yet, added up per chunk, in chunk-id order (the order rows are locked
     * in, so that two writers never wait on each other in a cycle). A delta is not counted yet when
     * its offset is at or after its partition's entry in {@code counted} (the next offset to count;
     * a partition with no entry has counted nothing).
     */
    public List<ChunkSum> sumsFrom(Map<Integer, Long> counted) {
        TreeMap<String, ChunkSum> sums = new TreeMap<>();
        byPartition.forEach((partition, deltas) -> {
            long next = counted.getOrDefault(partition, 0L);
            for (RefDelta d : deltas) {
                if (d.offset() >= next) {
                    sums.merge(d.chunkId().value(), new ChunkSum(d.chunkId(), d.delta(), d.atMillis()),
                            (sum, one) -> sum.plus(d));
                }
            }
        });
        return List.copyOf(sums.values());
    }

    /** How many deltas of the batch are at or after their partition's entry in {@code counted}. */
    public int uncounted(Map<Integer, Long> counted) {
        int n = 0;
        for (Map.Entry<Integer, List<RefDelta>> e : byPartition.entrySet()) {
            long next = counted.getOrDefault(e.getKey(), 0L);
            n += (int) e.getValue().stream().filter(d -> d.offset() >= next).count();
        }
        return n;
    }

    private static RefDelta decode(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            throw poison(record, "no value (a tombstone on an append-only topic)", null);
        }
        ChunkRefDelta value;
        try {
            value = SERDE.decode(record.value());
        } catch (RuntimeException e) {
            // Whatever the decoder threw (bad header, unknown fingerprint, truncated body), the record is unreadable.
            throw poison(record, "not a decodable Avro single-object record", e);
        }
        ChunkId chunkId;
        try {
            chunkId = ChunkId.of(value.getChunkId());
        } catch (IllegalArgumentException e) {
            throw poison(record, e.getMessage(), e);
        }
        if (value.getDelta() != 1 && value.getDelta() != -1) {
            throw poison(record, "a reference changes by +1 or -1, not " + value.getDelta(), null);
        }
        return new RefDelta(record.offset(), chunkId, value.getDelta(), value.getAt());
    }

    private static PoisonRecordException poison(ConsumerRecord<byte[], byte[]> record, String reason, Throwable cause) {
        return new PoisonRecordException("count", record.topic(), record.partition(), record.offset(), reason, cause);
    }
}
