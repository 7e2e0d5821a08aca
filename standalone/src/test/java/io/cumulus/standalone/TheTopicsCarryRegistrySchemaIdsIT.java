package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.SchemaRegistryNode;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.schemas.Topics;
import io.cumulus.schemas.registry.ConfluentRegistryClient;
import io.cumulus.standalone.CumulusClient.Device;
import io.cumulus.standalone.CumulusClient.Response;

/**
 * {@code cumulus serve --schema-registry=URL} against a real schema registry (Apicurio, forked by the
 * harness): an edit's file event on the public topic is in Confluent's wire format, and a consumer that
 * knows only the registry (not Cumulus's classes) decodes it with the schema the id names.
 */
class TheTopicsCarryRegistrySchemaIdsIT {
    private static SchemaRegistryNode registry;
    private static StandaloneProcess server;
    private static int kafkaPort;

    @BeforeAll
    static void startCumulusWithARegistry() throws Exception {
        // the registry is built by the schema-registry-node module, in a build of the whole project
        SchemaRegistryNode.unavailableReason().filter(reason -> !"true".equals(System.getenv("CI")))
                .ifPresent(reason -> Assumptions.abort("no schema registry: " + reason));
        registry = SchemaRegistryNode.shared();
        PostgresConnection pg = TestServers.freshDatabase();
        try (ServerSocket s = new ServerSocket(0)) {
            kafkaPort = s.getLocalPort();
        }
        // its own in-process Kafka: no other Cumulus of this JVM reads these records
        server = StandaloneProcess.start(RunningCumulus.workDir("registry-"), List.of("--postgres-url=" + pg.jdbcUrl(),
                "--postgres-user=" + pg.user(), "--postgres-password=" + pg.password(), "--kafka-port=" + kafkaPort,
                "--schema-registry=" + registry.confluentApi()));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void anEditsFileEventCarriesTheRegistrysSchemaIdAndDecodesWithTheRegisteredSchema() {
        // given a device of a server writing through the registry
        CumulusClient client = new CumulusClient(server.baseUrl());
        Device laptop = client.newAccountWithDevice(server.adminToken(), "registered", "Laptop");
        byte[] content = "read me with a stock consumer\n".getBytes(StandardCharsets.UTF_8);
        String chunk = client.upload(laptop, content);

        // when it submits a file
        Response accepted = client.submit(laptop, "k-registered", CumulusClient.oneFileBatch(laptop.namespace(),
                "file-registered", "docs/registered.txt", Map.of(laptop.id(), 1), chunk, content.length));
        assertThat(accepted.status()).isEqualTo(202);

        // then its file event is magic byte 0, a schema id the registry knows, and the Avro body
        ConsumerRecord<String, byte[]> event = awaitFileEvent(laptop.namespace());
        byte[] bytes = event.value();
        assertThat(bytes[0]).isZero();
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        Schema written = new ConfluentRegistryClient(registry.confluentApi()).schema(id);
        assertThat(written.getFullName()).isEqualTo("io.cumulus.schemas.FileEvent");

        // and a generic reader given only that schema reads the edit
        GenericRecord read = decode(written, bytes);
        assertThat(read.get("path")).hasToString("docs/registered.txt");
        assertThat(read.get("namespaceId")).hasToString(laptop.namespace());
        assertThat(read.get("op")).hasToString("UPSERT");
        assertThat(read.get("seq")).isEqualTo(1L);
    }

    private static GenericRecord decode(Schema schema, byte[] bytes) {
        try {
            return new GenericDatumReader<GenericRecord>(schema)
                    .read(null, DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static ConsumerRecord<String, byte[]> awaitFileEvent(String namespace) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + kafkaPort);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "registry-it");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.FILE_EVENTS));
            List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (namespace.equals(r.key())) {
                        seen.add(r);
                    }
                });
                return !seen.isEmpty();
            });
            return seen.getFirst();
        }
    }
}
