package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.Topics;
import io.cumulus.standalone.CumulusClient.Device;
import io.cumulus.standalone.rebuild.RebuildCommand;

/**
 * {@code cumulus admin rebuild reconciler} against the running server: it switches to the rebuilt
 * stores, and the edits made after the switch are reconciled on top of them, every file event of the
 * namespace published once, numbered without a gap.
 */
class ReconcilerRebuildThroughTheServerIT {

    @Test
    void theReconcilersStoresAreRebuiltAndTheHistoryGoesOnWithoutARepeatOrAGap() {
        // given a device's edits, reconciled
        StandaloneServer server = RunningCumulus.get();
        CumulusClient client = RunningCumulus.client();
        Device laptop = client.newAccountWithDevice(RunningCumulus.adminToken(), "rr" + Long.toHexString(System.nanoTime()),
                "Laptop");
        edit(client, laptop, "f1", "a.txt", 1);
        edit(client, laptop, "f2", "b.txt", 1);
        edit(client, laptop, "f1", "a.txt", 2);

        // when the operator rebuilds the reconciler's stores
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RebuildCommand.run(List.of("reconciler", "--data-dir=" + server.dataDir(), "--port=" + server.httpPort()),
                Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        // then it switched, and later edits build on the rebuilt state: f1's next version, and a stale one refused
        assertThat(code).as(out + "\n" + err).isEqualTo(RebuildCommand.DONE);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("reconciler switched to generation");
        edit(client, laptop, "f1", "a.txt", 3);
        edit(client, laptop, "f3", "c.txt", 1);
        assertThat(events(server.bootstrapServers(), laptop.namespace(), 5)).extracting(FileEvent::getSeq)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 5).boxed().toList());
    }

    private static void edit(CumulusClient client, Device device, String fileId, String path, int counter) {
        byte[] content = (fileId + " v" + counter).getBytes(StandardCharsets.UTF_8);
        String chunk = client.upload(device, content);
        String batchId = client.submit(device, fileId + "-" + counter + "-" + UUID.randomUUID(), CumulusClient.oneFileBatch(
                device.namespace(), fileId, path, Map.of(device.id(), counter), chunk, content.length))
                .json().get("batchId").asString();
        EditFlowsThroughThePipelineIT.awaitDone(client, device, batchId);
    }

    /** The namespace's file events as published (read_committed), once {@code expected} have come and a moment more. */
    private static List<FileEvent> events(String bootstrap, String namespace, int expected) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "reconciler-rebuild-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.FILE_EVENTS));
            List<FileEvent> events = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (namespace.equals(r.key())) {
                        events.add(AvroSerde.fileEvents().decode(r.value()));
                    }
                }
                if (events.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(1).toNanos();
                }
            }
            return events;
        }
    }
}
