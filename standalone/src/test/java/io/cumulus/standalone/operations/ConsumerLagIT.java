package io.cumulus.standalone.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.testing.TestServers;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The lag of a group whose name changes (the reconciler's, after a rebuild) follows the new name. */
class ConsumerLagIT {

    @Test
    void aGroupsLagIsMeasuredUnderItsCurrentName() throws Exception {
        String bootstrap = TestServers.kafka().bootstrapServers();
        String topic = "lag-it-" + UUID.randomUUID();
        String before = "lag-it-group-" + UUID.randomUUID();
        String after = before + "-g2";
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty()))).all().get();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 5; i++) {
                    producer.send(new ProducerRecord<>(topic, 0, "k", "v" + i));
                }
                producer.flush();
            }
            admin.alterConsumerGroupOffsets(before, Map.of(tp, new OffsetAndMetadata(1))).all().get();
            admin.alterConsumerGroupOffsets(after, Map.of(tp, new OffsetAndMetadata(4))).all().get();

            AtomicReference<String> group = new AtomicReference<>(before);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (ConsumerLag lag = new ConsumerLag(admin, List.of(group::get), registry)) {
                // given the group measured under its first name
                lag.refresh();
                assertThat(lagOf(registry, before, topic)).isEqualTo(4.0);

                // when it is renamed (a rebuilt reconciler's new application id), the next measure follows it
                group.set(after);
                lag.refresh();
                assertThat(lagOf(registry, after, topic)).isEqualTo(1.0);
                assertThat(registry.find("cumulus.consumer.lag").tag("group", before).gauges()).isEmpty();
            }
        }
    }

    private static double lagOf(SimpleMeterRegistry registry, String group, String topic) {
        Gauge gauge = registry.find("cumulus.consumer.lag").tags("group", group, "topic", topic, "partition", "0").gauge();
        assertThat(gauge).as("lag of %s", group).isNotNull();
        return gauge.value();
    }
}
