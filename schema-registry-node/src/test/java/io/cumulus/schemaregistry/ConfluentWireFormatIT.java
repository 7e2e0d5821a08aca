package io.cumulus.schemaregistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.apicurio.registry.serde.Default4ByteIdHandler;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.config.SerdeConfig;
import io.cumulus.embedded.testing.SchemaRegistryNode;
import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.ChunkRef;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.FileOp;
import io.cumulus.schemas.Topics;
import io.cumulus.schemas.VersionEntry;
import io.cumulus.schemas.registry.ConfluentRegistryClient;

/**
 * Cumulus's records in Confluent's wire format, through a real Apicurio Registry: a stock consumer
 * (Apicurio's own Avro deserializer, configured for Confluent's 4-byte ids) decodes what Cumulus writes,
 * and Cumulus's readers decode both that and the single-object encoding of the records already in the log.
 */
class ConfluentWireFormatIT {
    private static SchemaRegistryNode registry;
    private static ConfluentRegistryClient client;

    @BeforeAll
    static void startRegistry() {
        registry = SchemaRegistryNode.shared();
        client = new ConfluentRegistryClient(registry.confluentApi());
    }

    @AfterAll
    static void noRegistryConfiguredForOtherTests() {
        System.clearProperty(AvroSerde.REGISTRY_PROPERTY);
    }

    private static FileEvent anEvent() {
        return FileEvent.newBuilder()
                .setNamespaceId("ns").setSeq(7).setFileId("f").setPath("a/b.txt").setOp(FileOp.UPSERT)
                .setVector(List.of(new VersionEntry("d1", 2L)))
                .setChunks(List.of(new ChunkRef("ab".repeat(32), 10L)))
                .setSize(10).setDeviceId("d1").setBatchId("b").setChangeIndex(0).setAt(1000L)
                .build();
    }

    @Test
    void aRecordCumulusWritesIsDecodedByApicuriosOwnDeserializer() {
        // given a file event serialized by Cumulus with the registry configured
        byte[] bytes = AvroSerde.fileEvents().withRegistry(client).serializer().serialize(Topics.FILE_EVENTS, anEvent());

        // then it is in Confluent's wire format: magic byte 0, the id the registry gave the schema, the body
        int id = client.register(FileEvent.getClassSchema().getFullName(), FileEvent.getClassSchema());
        assertThat(bytes[0]).isZero();
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);

        // and Apicurio's deserializer, knowing nothing of Cumulus, reads it through the registry
        try (AvroKafkaDeserializer<GenericRecord> stock = new AvroKafkaDeserializer<>()) {
            stock.configure(Map.of(
                    SerdeConfig.REGISTRY_URL, registry.registryApi().toString(),
                    SerdeConfig.ID_HANDLER, Default4ByteIdHandler.class.getName(),
                    SerdeConfig.USE_ID, "contentId"), false);
            GenericRecord read = stock.deserialize(Topics.FILE_EVENTS, bytes);

            assertThat(read.getSchema().getFullName()).isEqualTo("io.cumulus.schemas.FileEvent");
            assertThat(read.get("path")).hasToString("a/b.txt");
            assertThat(read.get("seq")).isEqualTo(7L);
            assertThat(read.get("op")).hasToString("UPSERT");
            assertThat(((GenericRecord) ((List<?>) read.get("chunks")).getFirst()).get("size")).isEqualTo(10L);
        }
    }

    @Test
    void aReaderDecodesBothTheRegistryEncodingAndTheSingleObjectEncodingOfOlderRecords() {
        byte[] old = AvroSerde.fileEvents().encode(anEvent());
        byte[] registered = AvroSerde.fileEvents().withRegistry(client).encode(anEvent());
        assertThat(old[0]).isEqualTo((byte) 0xC3);
        assertThat(registered[0]).isZero();

        AvroSerde<FileEvent> reader = AvroSerde.fileEvents().withRegistry(client);
        assertThat(reader.decode(old)).isEqualTo(anEvent());
        assertThat(reader.decode(registered)).isEqualTo(anEvent());
    }

    @Test
    void aRecordWrittenWithAnOlderRegisteredSchemaDecodesWithTodaysDefaults() throws Exception {
        // given an event written by release v1 (no mergePending field) under v1's registry id
        Schema v1 = releasedFileEventV1();
        assertThat(v1.getField("mergePending")).isNull();
        int v1Id = client.register("cumulus-it-file-event-v1", v1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(v1Id).array());
        BinaryEncoder body = EncoderFactory.get().directBinaryEncoder(out, null);
        new GenericDatumWriter<Object>(v1, GenericData.get()).write(anEvent(), body);
        body.flush();

        // when today's reader decodes it
        FileEvent read = AvroSerde.fileEvents().withRegistry(client).decode(out.toByteArray());

        // then it is the same event, not waiting for a merge
        assertThat(read).isEqualTo(anEvent());
        assertThat(read.getMergePending()).isFalse();
    }

    private static Schema releasedFileEventV1() throws Exception {
        try (var in = FileEvent.class.getClassLoader().getResourceAsStream("io/cumulus/schemas/released/v1/FileEvent.avsc")) {
            Schema.Parser parser = new Schema.Parser();
            parser.addTypes(List.of(VersionEntry.getClassSchema(), ChunkRef.getClassSchema(), FileOp.getClassSchema()));
            return parser.parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void theRegistryIsChosenByConfigurationForEverySerdeMadeAfterwards() {
        System.setProperty(AvroSerde.REGISTRY_PROPERTY, registry.confluentApi().toString());
        try {
            byte[] bytes = AvroSerde.fileEvents().encode(anEvent());

            assertThat(bytes[0]).isZero();
            assertThat(AvroSerde.fileEvents().decode(bytes)).isEqualTo(anEvent());
        } finally {
            System.clearProperty(AvroSerde.REGISTRY_PROPERTY);
        }
    }

    @Test
    void aRegistryRecordWithoutARegistryConfiguredIsRejectedWithItsId() {
        byte[] registered = AvroSerde.fileEvents().withRegistry(client).encode(anEvent());

        assertThatThrownBy(() -> AvroSerde.fileEvents().decode(registered))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("registry schema id")
                .hasMessageContaining(AvroSerde.REGISTRY_PROPERTY);
    }
}
