package io.cumulus.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cumulus.embedded.InProcessKafka;
import io.cumulus.schemas.TopicFinding;
import io.cumulus.schemas.TopicSpecs;
import io.cumulus.schemas.Topics;
import io.cumulus.schemas.TopicsMisconfiguredException;

/**
 * The public topics checked on start, on a broker of its own (the topics are created wrongly on purpose,
 * and their names are fixed): what can be fixed is, a compacted history topic stops the reconciler.
 */
class TopicCheckIT {
    @TempDir
    static Path dir;
    private static InProcessKafka kafka;
    private static Admin admin;

    @BeforeAll
    static void startBroker() {
        kafka = InProcessKafka.start(dir.resolve("kafka"), 0);
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    @AfterAll
    static void stopBroker() {
        admin.close();
        kafka.close();
    }

    @Test
    void wronglyCreatedTopicsAreFixedWhereSafeAndACompactedHistoryRefusesTheStart() throws Exception {
        // given topics created wrongly before Cumulus first starts: a week of file events, a state topic that
        // deletes, outcomes with 2 partitions
        admin.createTopics(List.of(
                new NewTopic(Topics.FILE_EVENTS, 4, (short) 1).configs(Map.of("retention.ms", "604800000")),
                new NewTopic(Topics.FILE_STATE, 4, (short) 1).configs(Map.of("cleanup.policy", "delete")),
                new NewTopic(Topics.OUTCOMES, 2, (short) 1))).all().get();

        // when the topics are ensured
        List<TopicFinding> findings = TopicSpecs.ensure(admin, 4, (short) 1);

        // then the configs were set, the partition count kept and said, the missing topics created
        assertThat(findings).contains(
                new TopicFinding.Fix(Topics.FILE_EVENTS, "retention.ms", "604800000", "-1"),
                new TopicFinding.Fix(Topics.FILE_STATE, "cleanup.policy", "delete", "compact"));
        assertThat(findings).filteredOn(TopicFinding.Notice.class::isInstance).extracting(TopicFinding::topic)
                .containsExactly(Topics.OUTCOMES);
        // (a config change reaches the broker's metadata a moment after it is acknowledged)
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(config(Topics.FILE_EVENTS).get("retention.ms").value()).isEqualTo("-1");
            assertThat(config(Topics.FILE_STATE).get("cleanup.policy").value()).isEqualTo("compact");
        });
        assertThat(admin.describeTopics(Set.of(Topics.OUTCOMES)).allTopicNames().get().get(Topics.OUTCOMES)
                .partitions()).hasSize(2);
        assertThat(admin.listTopics().names().get()).contains(Topics.CONFLICTS, Topics.CHUNK_REFS);
        // and a second check finds nothing left to fix
        assertThat(TopicSpecs.ensure(admin, 4, (short) 1)).allMatch(TopicFinding.Notice.class::isInstance);

        // given the chunk reference history compacted by someone
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, Topics.CHUNK_REFS),
                List.of(new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.SET))))
                .all().get();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(config(Topics.CHUNK_REFS).get("cleanup.policy").value()).isEqualTo("compact"));

        // when the reconciler starts, then it refuses, naming the topic, and does not run
        ReconcilerConfig config = ReconcilerConfig.of(kafka.bootstrapServers(), dir.resolve("streams"))
                .withApplicationId("topic-check-it-" + UUID.randomUUID()).withReplicationFactor(1);
        try (ReconcilerApp app = new ReconcilerApp(config)) {
            assertThatThrownBy(app::start).isInstanceOf(TopicsMisconfiguredException.class)
                    .hasMessageContaining(Topics.CHUNK_REFS).hasMessageContaining("cleanup.policy is compact");
            assertThat(app.state()).isEqualTo(KafkaStreams.State.NOT_RUNNING);
        }
        // and the topic was left as it was, for an operator to decide
        assertThat(config(Topics.CHUNK_REFS).get("cleanup.policy").value()).isEqualTo("compact");
    }

    private static Config config(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get().get(resource);
    }
}
