package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.schemas.Topics;

/**
 * When a stage of the pipeline stops for good, the server says which one instead of accepting
 * batches that nothing moves on. It runs on a broker of its own: the record it writes would stop
 * every projector reading the topic.
 */
class AStoppedPipelineStageIsReportedIT {

    @Test
    void aProjectorStoppedByAnUnreadableEventIsReported() throws Exception {
        // given a standalone server with its own in-process broker
        PostgresConnection pg = TestServers.freshDatabase();
        Path dataDir = RunningCumulus.workDir("stage-");
        StandaloneServer server = StandaloneServer.create(StandaloneSettings.from(List.of(
                "--data-dir=" + dataDir, "--port=0", "--kafka-port=0", "--postgres-url=" + pg.jdbcUrl(),
                "--postgres-user=" + pg.user(), "--postgres-password=" + pg.password()), Map.of()), line -> { });
        BlockingQueue<String> stopped = new LinkedBlockingQueue<>();
        try {
            server.run(stopped::add);
            assertThat(server.stoppedStage()).isEmpty();

            // when a record nobody can decode lands on the file-events topic
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrapServers()),
                    new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(Topics.FILE_EVENTS, "ns", new byte[] {1, 2, 3})).get();
            }

            // then the server reports the projector as stopped
            String stage = await().atMost(Duration.ofSeconds(60)).until(stopped::poll, s -> s != null);
            assertThat(stage).startsWith("stage=projector");
            assertThat(server.stoppedStage()).hasValueSatisfying(s -> assertThat(s).startsWith("stage=projector"));
        } finally {
            server.close();
        }
    }
}
