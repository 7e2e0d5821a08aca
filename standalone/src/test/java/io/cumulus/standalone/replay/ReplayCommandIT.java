package io.cumulus.standalone.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.testing.TestServers;
import io.cumulus.schemas.Topics;

/**
 * {@code cumulus admin replay} against a real broker: it publishes exactly the range asked for, by
 * offsets or by times, records unchanged, and refuses Cumulus's own topics and bad ranges without
 * publishing anything.
 */
class ReplayCommandIT {
    private static final Instant T0 = Instant.parse("2026-05-01T12:00:00Z");
    private static final String SOURCE = "downstream.source-" + UUID.randomUUID();
    private static String bootstrap;

    @BeforeAll
    static void aSourceTopicOfTwoPartitions() throws Exception {
        bootstrap = TestServers.kafka().bootstrapServers();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(Set.of(new NewTopic(SOURCE, Optional.of(2), Optional.empty()))).all().get();
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap), new StringSerializer(), new StringSerializer())) {
            for (int p = 0; p < 2; p++) {
                for (int i = 0; i < 10; i++) {
                    RecordHeaders headers = new RecordHeaders();
                    headers.add("trace", ("t-" + p + "-" + i).getBytes(StandardCharsets.UTF_8));
                    producer.send(new ProducerRecord<>(SOURCE, p, T0.plusSeconds(i).toEpochMilli(), "k" + i,
                            "v-" + p + "-" + i, headers));
                }
            }
            producer.flush();
        }
    }

    @Test
    void anOffsetRangeOfOnePartitionIsPublishedExactlyWithKeysValuesHeadersAndTimesUnchanged() {
        String into = "downstream.copy-" + UUID.randomUUID();

        Run run = replay("--topic", SOURCE, "--from", "3", "--to", "7", "--partition", "1", "--into", into);

        assertThat(run.exit()).as(run.err()).isEqualTo(ReplayCommand.DONE);
        assertThat(run.out()).contains("done, 4 record(s)");
        List<ConsumerRecord<String, String>> copied = readAll(into, 4);
        assertThat(copied).extracting(ConsumerRecord::value).containsExactly("v-1-3", "v-1-4", "v-1-5", "v-1-6");
        assertThat(copied).extracting(ConsumerRecord::key).containsExactly("k3", "k4", "k5", "k6");
        assertThat(copied).extracting(ConsumerRecord::partition).containsOnly(1);
        assertThat(copied).extracting(ConsumerRecord::timestamp).containsExactly(T0.plusSeconds(3).toEpochMilli(),
                T0.plusSeconds(4).toEpochMilli(), T0.plusSeconds(5).toEpochMilli(), T0.plusSeconds(6).toEpochMilli());
        assertThat(copied).extracting(r -> new String(r.headers().lastHeader("trace").value(), StandardCharsets.UTF_8))
                .containsExactly("t-1-3", "t-1-4", "t-1-5", "t-1-6");
    }

    @Test
    void aTimeRangeIsPublishedFromEveryPartition() {
        String into = "downstream.times-" + UUID.randomUUID();

        Run run = replay("--topic=" + SOURCE, "--from=" + T0.plusSeconds(8), "--to=" + T0.plusSeconds(60), "--into=" + into);

        assertThat(run.exit()).as(run.err()).isEqualTo(ReplayCommand.DONE);
        assertThat(readAll(into, 4)).extracting(ConsumerRecord::value)
                .containsExactlyInAnyOrder("v-0-8", "v-0-9", "v-1-8", "v-1-9");
    }

    @Test
    void aRecordKafkaRefusesFailsTheReplayWithItsError() throws Exception {
        String into = "downstream.tiny-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(Set.of(new NewTopic(into, Optional.of(2), Optional.empty())
                    .configs(Map.of("max.message.bytes", "16")))).all().get();
        }

        Run run = replay("--topic", SOURCE, "--from", "0", "--to", "2", "--partition", "0", "--into", into);

        assertThat(run.exit()).as(run.out()).isEqualTo(ReplayCommand.FAILED);
        assertThat(run.err()).contains("publishing into " + into + " failed after 0 acknowledged record(s)")
                .containsIgnoringCase("larger than");
        assertThat(run.out()).doesNotContain("done");
        assertThat(endOffset(into)).isZero();
    }

    @Test
    void cumulusOwnTopicsAndBadRangesAreRefusedAndNothingIsPublished() throws Exception {
        long before = endOffset(Topics.FILE_EVENTS);

        Run intoCumulus = replay("--topic", SOURCE, "--from", "0", "--to", "5", "--into", Topics.FILE_EVENTS);
        Run backwards = replay("--topic", SOURCE, "--from", "7", "--to", "3", "--into", "downstream.never");
        Run noSuchTopic = replay("--topic", "downstream.missing-" + UUID.randomUUID(), "--from", "0", "--to", "5",
                "--into", "downstream.never");
        Run notAnOffset = replay("--topic", SOURCE, "--from", "yesterday", "--to", "5", "--into", "downstream.never");
        Run noPartition = replay("--topic", SOURCE, "--from", "0", "--to", "5", "--partition", "7", "--into",
                "downstream.never");

        assertThat(List.of(intoCumulus, backwards, noSuchTopic, notAnOffset, noPartition))
                .allSatisfy(run -> assertThat(run.exit()).isEqualTo(ReplayCommand.REFUSED));
        assertThat(intoCumulus.err()).contains("refusing to publish into " + Topics.FILE_EVENTS);
        assertThat(backwards.err()).contains("--from is after --to");
        assertThat(noSuchTopic.err()).contains("no topic downstream.missing-");
        assertThat(notAnOffset.err()).contains("neither an offset");
        assertThat(noPartition.err()).contains("has no partition 7");
        assertThat(endOffset(Topics.FILE_EVENTS)).isEqualTo(before);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            assertThat(admin.listTopics().names().get()).doesNotContain("downstream.never");
        }
    }

    @Test
    void aBrokerThatDoesNotAnswerIsSaidPlainlyWithoutAStackTrace() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int exit = ReplayCommand.run(List.of("--topic", SOURCE, "--from", "0", "--to", "2", "--into", "downstream.never",
                "--kafka-bootstrap=127.0.0.1:" + closedPort), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(exit).isEqualTo(ReplayCommand.FAILED);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("no Kafka broker answers at 127.0.0.1:" + closedPort)
                .contains("--kafka-bootstrap")
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("done");
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run replay(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--kafka-bootstrap=" + bootstrap);
        int exit = ReplayCommand.run(all, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Every record of the topic, once {@code expected} are there (and a moment more, to see no extra one). */
    private static List<ConsumerRecord<String, String>> readAll(String topic, int expected) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "replay-it-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            records.sort(java.util.Comparator.comparing((ConsumerRecord<String, String> r) -> r.partition())
                    .thenComparingLong(ConsumerRecord::offset));
            return records;
        }
    }

    private static long endOffset(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            if (!admin.listTopics().names().get().contains(topic)) {
                return -1;
            }
            int n = admin.describeTopics(Set.of(topic)).allTopicNames().get().get(topic).partitions().size();
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> specs = new java.util.HashMap<>();
            for (int p = 0; p < n; p++) {
                specs.put(new TopicPartition(topic, p), org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
            return admin.listOffsets(specs).all().get().values().stream().mapToLong(i -> i.offset()).sum();
        }
    }
}
