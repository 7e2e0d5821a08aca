package io.cumulus.reconciler;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Which generation of the reconciler's stores publishes, and from which change offsets on: one
 * record in a one-partition compacted topic named after the application id ({@code
 * <applicationId>-generation}), read at every start. Kept in Kafka beside the stores' changelogs,
 * so it survives the loss of the state directory, which is what a rebuild recovers from. No record:
 * generation 1, the application id itself, publishing everything.
 *
 * @param generation 1, 2, ...; generation {@code n > 1} runs as {@code <applicationId>-g<n>}
 * @param loudFrom   per changes partition, the first offset this generation published (the previous
 *                   generation published everything below)
 */
record ActiveGeneration(int generation, Map<Integer, Long> loudFrom) {
    private static final String KEY = "active";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    ActiveGeneration {
        loudFrom = Map.copyOf(loudFrom);
    }

    static String topic(String applicationId) {
        return applicationId + "-generation";
    }

    /** The Kafka Streams application id of generation {@code n} of the application {@code base}. */
    static String applicationId(String base, int n) {
        return n == 1 ? base : base + "-g" + n;
    }

    GenerationGate gate() {
        return generation == 1 && loudFrom.isEmpty() ? GenerationGate.live() : GenerationGate.handedOver(loudFrom);
    }

    /** The last generation recorded, or generation 1 when none is. */
    static ActiveGeneration read(String bootstrapServers, String applicationId) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new StringDeserializer())) {
            String topic = topic(applicationId);
            if (consumer.partitionsFor(topic, TIMEOUT).isEmpty()) {
                return new ActiveGeneration(1, Map.of());
            }
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), TIMEOUT).get(tp);
            String last = null;
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (consumer.position(tp, TIMEOUT) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot read " + topic + " within " + TIMEOUT);
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (KEY.equals(r.key()) && r.value() != null) {
                        last = r.value();
                    }
                }
            }
            return last == null ? new ActiveGeneration(1, Map.of()) : parse(last);
        } catch (org.apache.kafka.common.errors.UnknownTopicOrPartitionException e) {
            return new ActiveGeneration(1, Map.of());
        }
    }

    /** Records this generation as the publishing one, durably (every in-sync replica) before it returns. */
    void write(String bootstrapServers, String applicationId, int replicationFactor) {
        String topic = topic(applicationId);
        try (Admin admin = Admin.create(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Optional<Short> rf = replicationFactor == ReconcilerConfig.BROKER_DEFAULT_REPLICATION ? Optional.empty()
                    : Optional.of((short) replicationFactor);
            admin.createTopics(Set.of(new NewTopic(topic, Optional.of(1), rf).configs(Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                    .all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create " + topic, e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + topic, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot create " + topic + " within " + TIMEOUT, e);
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, 0, KEY, format())).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot record the reconciler's generation in " + topic, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while recording the reconciler's generation", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot record the reconciler's generation within " + TIMEOUT, e);
        }
    }

    /** {@code 2 0:1234 1:987 ...}: the generation, then partition:offset pairs. */
    String format() {
        StringBuilder b = new StringBuilder().append(generation);
        new TreeMap<>(loudFrom).forEach((p, o) -> b.append(' ').append(p).append(':').append(o));
        return b.toString();
    }

    static ActiveGeneration parse(String text) {
        String[] parts = text.trim().split(" ");
        Map<Integer, Long> loud = new TreeMap<>();
        for (int i = 1; i < parts.length; i++) {
            int colon = parts[i].indexOf(':');
            loud.put(Integer.parseInt(parts[i].substring(0, colon)), Long.parseLong(parts[i].substring(colon + 1)));
        }
        return new ActiveGeneration(Integer.parseInt(parts[0]), loud);
    }
}
