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
 * batches that nothing moves on. Each test runs on a broker of its own: the record it writes would
 * stop every consumer reading the topic.
 */
class AStoppedPipelineStageIsReportedIT {

    @Test
    void aProjectorOrPhotoWorkerStoppedByAnUnreadableEventIsReported() throws Exception {
        // Both read the file events, and both stop on the record: whichever the watcher sees first is reported.
        assertThat(stageStoppedByAnUnreadableRecordOn(Topics.FILE_EVENTS)).matches("stage=(projector|photos) .*")
                .contains(Topics.FILE_EVENTS);
    }

    @Test
    void aReferenceCounterStoppedByAnUncountableDeltaIsReported() throws Exception {
        assertThat(stageStoppedByAnUnreadableRecordOn(Topics.CHUNK_REFS)).startsWith("stage=chunk-ref-counter")
                .contains(Topics.CHUNK_REFS);
    }

    /** Starts a server, writes a record nobody can decode to the topic, and returns the stage reported stopped. */
    private static String stageStoppedByAnUnreadableRecordOn(String topic) throws Exception {
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

            // when a record nobody can decode lands on the topic
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrapServers()),
                    new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(topic, "key", new byte[] {1, 2, 3})).get();
            }

            // then the server reports the stage that reads it as stopped, the same way it tells its watcher
            String stage = await().atMost(Duration.ofSeconds(60)).until(stopped::poll, s -> s != null);
            assertThat(server.stoppedStage()).hasValue(stage);
            return stage;
        } finally {
            server.close();
        }
    }
}
