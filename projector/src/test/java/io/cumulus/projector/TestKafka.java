package io.cumulus.projector;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.cumulus.embedded.testing.TestServers;
import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.ChangeOutcome;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.TopicSpecs;
import io.cumulus.schemas.Topics;

/** The JVM's test broker as the projector's tests use it: topics, a producer, and a group's progress. */
final class TestKafka implements AutoCloseable {
    private final String bootstrapServers = TestServers.kafka().bootstrapServers();
    private final Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    private final KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new ByteArraySerializer());

    TestKafka() {
        TopicSpecs.createMissing(admin, 3, (short) 1);
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    void createTopics(String... names) {
        List<NewTopic> topics = java.util.Arrays.stream(names).map(n -> new NewTopic(n, 1, (short) 1)).toList();
        get(admin.createTopics(topics).all());
    }

    void produce(FileEvent... events) {
        for (FileEvent e : events) {
            send(Topics.FILE_EVENTS, e.getNamespaceId(), AvroSerde.fileEvents().encode(e));
        }
    }

    void produce(ChangeOutcome... outcomes) {
        for (ChangeOutcome o : outcomes) {
            send(Topics.OUTCOMES, o.getNamespaceId(), AvroSerde.outcomes().encode(o));
        }
    }

    void send(String topic, String key, byte[] value) {
        get(producer.send(new ProducerRecord<>(topic, key, value)));
    }

    /** Whether the group has committed, for every partition of the topics, the offset of the partition's end. */
    boolean caughtUp(String groupId, Collection<String> topics) {
        Map<String, TopicDescription> described = get(admin.describeTopics(topics).allTopicNames());
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        described.values().forEach(d -> d.partitions()
                .forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
        var ends = get(admin.listOffsets(latest).all());
        Map<TopicPartition, OffsetAndMetadata> committed = get(
                admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata());
        return ends.entrySet().stream().allMatch(end -> {
            OffsetAndMetadata c = committed.get(end.getKey());
            return end.getValue().offset() == 0 || c != null && c.offset() >= end.getValue().offset();
        });
    }

    /** The offset the group has committed for a partition, or -1 when it has none. */
    long committedOffset(String groupId, TopicPartition partition) {
        OffsetAndMetadata c = get(admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata())
                .get(partition);
        return c == null ? -1 : c.offset();
    }

    @Override
    public void close() {
        producer.close();
        admin.close();
    }

    private static <T> T get(java.util.concurrent.Future<T> future) {
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
