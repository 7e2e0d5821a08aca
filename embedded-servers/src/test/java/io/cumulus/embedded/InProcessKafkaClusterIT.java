package io.cumulus.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.testing.TestServers;

class InProcessKafkaClusterIT {

    @Test
    void withOneOfThreeBrokersStoppedAcknowledgedWritesGoOnAndTheBrokerRejoinsWhenRestarted() throws Exception {
        try (InProcessKafkaCluster cluster = InProcessKafkaCluster.start(TestServers.workDir("kafka-cluster-"), 3);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            // given a topic replicated to all three brokers, written with acks=all in a transaction
            admin.createTopics(List.of(new NewTopic("replicated", 3, (short) 3))).all().get();
            assertThat(admin.describeCluster().nodes().get()).hasSize(3);
            try (KafkaProducer<String, String> producer = transactionalProducer(cluster, "before")) {
                send(producer, "before");
            }

            // when one broker stops
            cluster.stop(2);
            assertThat(cluster.isRunning(2)).isFalse();

            // then writes with acks=all (two replicas in sync are enough), transactions and a group's reads go on
            try (KafkaProducer<String, String> producer = transactionalProducer(cluster, "during")) {
                send(producer, "during");
            }
            assertThat(readAll(cluster, "reader-during", 2)).containsExactlyInAnyOrder("before", "during");

            // and when it starts again on its directory and ports, it catches up and is back in every replica set
            cluster.restart(2);
            await().atMost(60, TimeUnit.SECONDS).untilAsserted(() -> {
                TopicDescription replicated = admin.describeTopics(Set.of("replicated")).allTopicNames().get()
                        .get("replicated");
                for (TopicPartitionInfo p : replicated.partitions()) {
                    assertThat(p.isr()).extracting(n -> n.id()).contains(2);
                }
            });
            cluster.stop(1);
            try (KafkaProducer<String, String> producer = transactionalProducer(cluster, "after")) {
                send(producer, "after");
            }
            assertThat(readAll(cluster, "reader-after", 3)).containsExactlyInAnyOrder("before", "during", "after");
        }
    }

    private static KafkaProducer<String, String> transactionalProducer(InProcessKafkaCluster cluster, String id) {
        KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "cluster-it-" + id), new StringSerializer(), new StringSerializer());
        producer.initTransactions();
        return producer;
    }

    private static void send(KafkaProducer<String, String> producer, String value) throws Exception {
        producer.beginTransaction();
        producer.send(new ProducerRecord<>("replicated", value, value)).get(30, TimeUnit.SECONDS);
        producer.commitTransaction();
    }

    private static List<String> readAll(InProcessKafkaCluster cluster, String group, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("replicated"));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                return values.size() >= expected;
            });
            consumer.commitSync();
        }
        return values;
    }
}
