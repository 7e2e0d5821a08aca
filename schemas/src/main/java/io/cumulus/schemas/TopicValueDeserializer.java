package io.cumulus.schemas;

import java.util.Map;
import java.util.function.Supplier;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Decodes the value of a record of any public topic by the topic it comes from, into the generated
 * Avro class, whose {@code toString()} is the record as JSON. A public no-argument class, so tools
 * that take a deserializer by name can use it, Kafka's console consumer among them:
 * {@code --property value.deserializer=io.cumulus.schemas.TopicValueDeserializer} with the schemas jar
 * on its classpath (docs/topics.md). This is the one place a consumer's decoding is chosen: see
 * {@link AvroSerde} for the encoding.
 */
public final class TopicValueDeserializer implements Deserializer<SpecificRecord> {
    private static final Map<String, Supplier<AvroSerde<? extends SpecificRecord>>> BY_TOPIC = Map.of(
            Topics.CHANGES, AvroSerde::changeBatches,
            Topics.OUTCOMES, AvroSerde::outcomes,
            Topics.FILE_EVENTS, AvroSerde::fileEvents,
            Topics.CONFLICTS, AvroSerde::conflicts,
            Topics.FILE_STATE, AvroSerde::fileStates,
            Topics.CHUNK_REFS, AvroSerde::chunkRefDeltas,
            Topics.PHOTO_EVENTS, AvroSerde::photoEvents,
            Topics.ALBUM_EVENTS, AvroSerde::albumEvents);

    private final Map<String, AvroSerde<? extends SpecificRecord>> serdes = new java.util.concurrent.ConcurrentHashMap<>();

    /** The serde of a public topic's values; an {@link IllegalArgumentException} for any other topic. */
    public static AvroSerde<? extends SpecificRecord> serdeOf(String topic) {
        Supplier<AvroSerde<? extends SpecificRecord>> serde = BY_TOPIC.get(topic);
        if (serde == null) {
            throw new IllegalArgumentException("not a public Cumulus topic: " + topic);
        }
        return serde.get();
    }

    @Override
    public SpecificRecord deserialize(String topic, byte[] data) {
        if (data == null) {
            return null; // a tombstone
        }
        return serdes.computeIfAbsent(topic, TopicValueDeserializer::serdeOf).decode(data);
    }
}
