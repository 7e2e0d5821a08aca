package io.cumulus.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.schemas.registry.ConfluentRegistryClient;

/**
 * Kafka serde for a generated Avro record, in Avro's single-object encoding: a two-byte marker,
 * the schema's 64-bit fingerprint, then the binary body. No registry is needed, a reader can tell
 * which schema wrote a record, and the same record always encodes to the same bytes (a replay
 * produces byte-identical topics). Records written with a released older version of the schema
 * decode too, their missing fields taking the current schema's defaults.
 *
 * <h2>With a schema registry</h2>
 * When a registry is configured ({@value #REGISTRY_PROPERTY} system property, or the
 * {@value #REGISTRY_ENV} environment variable: the base URL of a Confluent-compatible API), records are
 * written in Confluent's wire format instead: a zero byte, the schema's registry id (4 bytes, big-endian),
 * then the same binary body, so stock consumers (Confluent's and Apicurio's deserializers) decode them. The
 * schema is registered under its full name (the record-name subject strategy) on first use. Every reader
 * decodes both encodings, whatever it writes, as records written before stay in the log; a registry
 * record needs the registry to be read. A registry that cannot be reached or answers a server error is
 * asked again, with a growing pause and a WARN log each time, for up to {@link #REGISTRY_PATIENCE}
 * before the encode or decode fails: a short outage delays consumers rather than turning good records
 * into bad ones. An id the registry does not know (404) fails at once: that record is bad. See
 * docs/decisions/0037-schema-registry.md.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {
    /** System property naming the registry's Confluent-compatible API; see the class comment. */
    public static final String REGISTRY_PROPERTY = "cumulus.schema-registry";
    /** Environment variable naming the registry's Confluent-compatible API, when the property is not set. */
    public static final String REGISTRY_ENV = "CUMULUS_SCHEMA_REGISTRY";

    /** How long a registry that cannot be reached or answers a server error is asked again before giving up. */
    public static final Duration REGISTRY_PATIENCE = Duration.ofSeconds(60);
    private static final Duration FIRST_PAUSE = Duration.ofMillis(250);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(5);
    private static final Logger log = LoggerFactory.getLogger(AvroSerde.class);
    private static final byte CONFLUENT_MAGIC = 0;
    private static final Map<URI, ConfluentRegistryClient> REGISTRIES = new ConcurrentHashMap<>();

    private final Schema schema;
    private final SpecificData model;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;
    private final String schemaName;
    private final Optional<ConfluentRegistryClient> registry;
    private final Map<Integer, SpecificDatumReader<T>> readersById = new ConcurrentHashMap<>();
    private volatile Duration patience = REGISTRY_PATIENCE;

    private AvroSerde(Schema schema) {
        this(schema, configuredRegistry());
    }

    private AvroSerde(Schema schema, Optional<ConfluentRegistryClient> registry) {
        this.schema = schema;
        this.model = SpecificData.getForSchema(schema);
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema);
        ReleasedSchemas.of(schema.getFullName()).forEach(decoder::addSchema);
        this.schemaName = schema.getFullName();
        this.registry = registry;
    }

    /** This serde's records, written in Confluent's wire format through the given registry. */
    public AvroSerde<T> withRegistry(ConfluentRegistryClient registry) {
        return new AvroSerde<>(schema, Optional.of(registry));
    }

    /** The registry that serdes made from now on write through, if one is configured. */
    public static Optional<ConfluentRegistryClient> configuredRegistry() {
        String url = System.getProperty(REGISTRY_PROPERTY);
        if (url == null || url.isBlank()) {
            url = System.getenv(REGISTRY_ENV);
        }
        if (url == null || url.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(REGISTRIES.computeIfAbsent(URI.create(url.strip()), ConfluentRegistryClient::new));
    }

    public static AvroSerde<ChangeBatchSubmitted> changeBatches() {
        return new AvroSerde<>(ChangeBatchSubmitted.getClassSchema());
    }

    public static AvroSerde<ChangeOutcome> outcomes() {
        return new AvroSerde<>(ChangeOutcome.getClassSchema());
    }

    public static AvroSerde<FileEvent> fileEvents() {
        return new AvroSerde<>(FileEvent.getClassSchema());
    }

    public static AvroSerde<ConflictEvent> conflicts() {
        return new AvroSerde<>(ConflictEvent.getClassSchema());
    }

    public static AvroSerde<FileState> fileStates() {
        return new AvroSerde<>(FileState.getClassSchema());
    }

    public static AvroSerde<ChunkRefDelta> chunkRefDeltas() {
        return new AvroSerde<>(ChunkRefDelta.getClassSchema());
    }

    public static AvroSerde<PhotoEvent> photoEvents() {
        return new AvroSerde<>(PhotoEvent.getClassSchema());
    }

    public static AvroSerde<AlbumEvent> albumEvents() {
        return new AvroSerde<>(AlbumEvent.getClassSchema());
    }

    public byte[] encode(T record) {
        if (registry.isPresent()) {
            return encodeForRegistry(record, registry.get());
        }
        try {
            ByteBuffer buffer = encoder.encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + record.getSchema().getFullName(), e);
        }
    }

    public T decode(byte[] bytes) {
        if (bytes.length >= 5 && bytes[0] == CONFLUENT_MAGIC) {
            return decodeFromRegistry(bytes);
        }
        try {
            return decoder.decode(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot decode a record of " + schemaName, e);
        }
    }

    /** This serde, asking an unreachable registry again for {@code patience} instead of {@link #REGISTRY_PATIENCE}. */
    AvroSerde<T> withRegistryPatience(Duration patience) {
        this.patience = patience;
        return this;
    }

    /** The registry's answer, asked again while it cannot be reached or answers a server error, for {@link #patience}. */
    private <R> R patiently(String what, Supplier<R> call) {
        long deadline = System.nanoTime() + patience.toNanos();
        Duration pause = FIRST_PAUSE;
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (ConfluentRegistryClient.SchemaRegistryException e) {
                long left = deadline - System.nanoTime();
                if (!e.retryable() || left <= 0) {
                    throw e;
                }
                Duration wait = pause.toNanos() < left ? pause : Duration.ofNanos(left);
                log.warn("schema registry unavailable, asking again what={} attempt={} in={}ms error={}", what, attempt,
                        wait.toMillis(), e.getMessage());
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
            }
        }
    }

    private byte[] encodeForRegistry(T record, ConfluentRegistryClient registry) {
        int id = patiently("register " + schemaName, () -> registry.register(schemaName, schema));
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(64);
            out.write(CONFLUENT_MAGIC);
            out.write(ByteBuffer.allocate(4).putInt(id).array());
            BinaryEncoder body = EncoderFactory.get().directBinaryEncoder(out, null);
            new SpecificDatumWriter<T>(schema, model).write(record, body);
            body.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + schemaName, e);
        }
    }

    private T decodeFromRegistry(byte[] bytes) {
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        ConfluentRegistryClient client = registry.or(AvroSerde::configuredRegistry).orElseThrow(() -> new UncheckedIOException(
                new IOException("a record of " + schemaName + " carries registry schema id " + id
                        + " and no schema registry is configured (" + REGISTRY_PROPERTY + " or " + REGISTRY_ENV + ")")));
        SpecificDatumReader<T> reader = readersById.get(id);
        if (reader == null) {
            Schema writer = patiently("find the schema of id " + id, () -> client.schema(id));
            reader = readersById.computeIfAbsent(id, key -> new SpecificDatumReader<>(writer, schema, model));
        }
        try {
            return reader.read(null, DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null));
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException("cannot decode a record of " + schemaName + " written with registry schema id " + id,
                    e instanceof IOException io ? io : new IOException(e));
        }
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, record) -> record == null ? null : encode(record);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> bytes == null ? null : decode(bytes);
    }
}
