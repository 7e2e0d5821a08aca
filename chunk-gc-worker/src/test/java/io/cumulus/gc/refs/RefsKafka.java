package io.cumulus.gc.refs;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.cumulus.embedded.testing.TestServers;
import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.ChunkRefDelta;

/**
 * The JVM's test broker as these tests use it: a chunk-refs topic of their own (so a poison record
 * stays in its test), a producer keyed by chunk id as the reconciler's, end offsets, and a group's
 * Kafka offsets.
 */
final class RefsKafka implements AutoCloseable {
    static final int PARTITIONS = 3;

    private final String bootstrapServers = TestServers.kafka().bootstrapServers();
    private final Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    private final KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new ByteArraySerializer());

    String bootstrapServers() {
        return bootstrapServers;
    }

    /** A new topic with {@link #PARTITIONS} partitions. */
    String newTopic() {
        String name = "chunk-refs-it-" + UUID.randomUUID();
        get(admin.createTopics(List.of(new NewTopic(name, PARTITIONS, (short) 1))).all());
        return name;
    }

    void produce(String topic, ChunkRefDelta... deltas) {
        for (ChunkRefDelta d : deltas) {
            get(producer.send(new ProducerRecord<>(topic, d.getChunkId(), AvroSerde.chunkRefDeltas().encode(d))));
        }
    }

    /** Sends raw bytes to one partition; returns the record's offset. */
    long produceRaw(String topic, int partition, byte[] value) {
        RecordMetadata m = get(producer.send(new ProducerRecord<>(topic, partition, "raw", value)));
        return m.offset();
    }

    /** The end offset of every partition of the topic (the offset the next record will get). */
    Map<Integer, Long> endOffsets(String topic) {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<Integer, Long> ends = new HashMap<>();
        get(admin.listOffsets(latest).all()).forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
        return ends;
    }

    /** The group's committed Kafka offset of every partition of the topic it has one for. */
    Map<Integer, Long> committedOffsets(String groupId, String topic) {
        Map<Integer, Long> committed = new HashMap<>();
        get(admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata()).forEach((tp, o) -> {
            if (tp.topic().equals(topic) && o != null) {
                committed.put(tp.partition(), o.offset());
            }
        });
        return committed;
    }

    /** Sets the (empty) group's Kafka offsets of the topic back to the start of every partition. */
    void resetGroupOffsets(String groupId, String topic) {
        Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            start.put(new TopicPartition(topic, p), new OffsetAndMetadata(0));
        }
        get(admin.alterConsumerGroupOffsets(groupId, start).all());
    }

    @Override
    public void close() {
        producer.close();
        admin.close();
    }

    private static <T> T get(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }
}
