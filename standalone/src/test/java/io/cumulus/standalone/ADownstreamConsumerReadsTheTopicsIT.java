package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.testing.TestServers;
import io.cumulus.examples.topics.TopicConsumer;
import io.cumulus.schemas.Topics;
import io.cumulus.standalone.CumulusClient.Device;
import io.cumulus.standalone.CumulusClient.Response;
import tools.jackson.databind.JsonNode;

/**
 * The contract of docs/topics.md, from the outside: a running Cumulus, an edit and a conflict made
 * through the API, then the example consumer and Kafka's stock console consumer read the file events
 * and the conflicts. Both consumers read every namespace of the shared broker; lines are picked by this
 * test's namespace.
 */
class ADownstreamConsumerReadsTheTopicsIT {
    private static final CumulusClient client = RunningCumulus.client();
    private static Device laptop;
    private static String fileId;

    /** One account: the laptop writes report.bin twice, the phone edits the first version concurrently. */
    @BeforeAll
    static void anEditAndAConflict() {
        String user = "downstream" + UUID.randomUUID().toString().substring(0, 8);
        laptop = client.newAccountWithDevice(RunningCumulus.adminToken(), user, "Laptop");
        Device phone = client.registerDevice(user, "Phone");
        fileId = "report-" + user;
        submit(laptop, Map.of(laptop.id(), 1), "first version");
        submit(laptop, Map.of(laptop.id(), 2), "the laptop's edit");
        JsonNode outcome = submit(phone, Map.of(laptop.id(), 1, phone.id(), 1), "the phone's edit");
        assertThat(outcome.get("kind").asString()).isEqualTo("CONFLICT");
    }

    private static JsonNode submit(Device device, Map<String, Integer> vector, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        String chunk = client.upload(device, bytes);
        Response accepted = client.submit(device, "k-" + UUID.randomUUID(),
                CumulusClient.oneFileBatch(device.namespace(), fileId, "report.bin", vector, chunk, bytes.length));
        assertThat(accepted.status()).isEqualTo(202);
        // done: the reconciler's transaction holding the batch's events has committed
        return EditFlowsThroughThePipelineIT.awaitDone(client, device, accepted.json().get("batchId").asString())
                .get("changes").get(0);
    }

    @Test
    void theExampleConsumerPrintsOneLinePerEventAndConflict() {
        // when the example consumer's main runs from the beginning until the topics are quiet
        List<String> lines = printedBy(() -> TopicConsumer.main(new String[] {
                "--bootstrap-server", TestServers.kafka().bootstrapServers(), "--from-beginning",
                "--exit-when-idle", "3000"}));

        // then it printed the namespace's three file events (two versions and the conflicted copy) and the conflict
        List<String> ours = lines.stream().filter(l -> l.contains(" ns=" + laptop.namespace() + " ")).toList();
        assertThat(ours).filteredOn(l -> l.startsWith("file-event ")).hasSize(3)
                .anySatisfy(l -> assertThat(l).contains("seq=1 UPSERT \"report.bin\" file=" + fileId,
                        "vector={" + laptop.id() + ":1}"))
                .anySatisfy(l -> assertThat(l).contains("seq=3 UPSERT", "conflictOf=" + fileId));
        assertThat(ours).filteredOn(l -> l.startsWith("conflict ")).singleElement().satisfies(l -> assertThat(l)
                .contains("KEPT_BOTH", "outcome=CONFLICT", "file=" + fileId, "stored={" + laptop.id() + ":2}",
                        "base={" + laptop.id() + ":1}", "seqs=[3]")
                .containsPattern("incoming=\\{[^ ]*" + laptop.id() + ":1[^ ]*\\}"));
    }

    @Test
    void kafkasStockConsoleConsumerReadsKeysAndPayloads() throws Exception {
        // when Kafka's console consumer runs as an operator would, its default formatter printing raw values
        List<String> raw = consoleConsumer(Topics.FILE_EVENTS);
        // then every event of the namespace is there, keyed by namespace id, the payload's strings readable
        // (Avro writes strings as plain UTF-8; the lines hold the binary around them, but no newline: the
        // fingerprint is fixed and these small numbers encode to other bytes)
        assertThat(raw).filteredOn(l -> l.startsWith(laptop.namespace() + "\t")).hasSize(3)
                .allSatisfy(l -> assertThat(l).contains(fileId))
                .filteredOn(l -> l.contains("report.bin")).hasSize(2);

        // and with the schemas jar on its classpath and the schemas module's deserializer, it prints JSON
        List<String> decoded = consoleConsumer(Topics.CONFLICTS,
                "--property", "value.deserializer=io.cumulus.schemas.TopicValueDeserializer");
        assertThat(decoded).filteredOn(l -> l.startsWith(laptop.namespace() + "\t")).singleElement()
                .satisfies(l -> assertThat(l).contains("\"resolution\": \"KEPT_BOTH\"",
                        "\"storedVector\": [{\"deviceId\": \"" + laptop.id() + "\", \"counter\": 2}]",
                        "\"baseVector\": [{\"deviceId\": \"" + laptop.id() + "\", \"counter\": 1}]"));
    }

    /**
     * Runs {@code org.apache.kafka.tools.consumer.ConsoleConsumer} in a JVM of its own, on the classpath the
     * example module resolved for it (kafka-tools at the build's Kafka version, the schemas jar), from the
     * beginning of {@code topic} until it is quiet; returns its output lines.
     */
    private static List<String> consoleConsumer(String topic, String... extra) throws IOException, InterruptedException {
        Path classpathFile = Path.of(System.getProperty("cumulus.console-consumer.classpath",
                "../examples/topic-consumer/target/console-consumer.classpath"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", Files.readString(classpathFile).trim(), "org.apache.kafka.tools.consumer.ConsoleConsumer",
                "--bootstrap-server", TestServers.kafka().bootstrapServers(), "--topic", topic, "--from-beginning",
                "--timeout-ms", "5000", "--isolation-level", "read_committed",
                "--property", "print.key=true"));
        command.addAll(List.of(extra));
        Path out = Files.createTempFile(RunningCumulus.workDir("console-consumer-"), "out", ".txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("console consumer finished").isTrue();
        return Files.readAllLines(out, StandardCharsets.ISO_8859_1);
    }

    /** The lines {@code main} printed on standard output. */
    private static List<String> printedBy(Runnable main) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            main.run();
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
