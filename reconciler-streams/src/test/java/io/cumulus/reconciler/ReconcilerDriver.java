package io.cumulus.reconciler;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.ChangeBatchSubmitted;
import io.cumulus.schemas.ChangeOutcome;
import io.cumulus.schemas.ChunkRefDelta;
import io.cumulus.schemas.ConflictEvent;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.FileState;
import io.cumulus.schemas.Topics;
import io.cumulus.sync.conflict.ConflictPolicy;
import io.cumulus.sync.history.RetentionPolicy;

/**
 * The reconciler topology in a {@link TopologyTestDriver}, configured like the real app, with typed
 * access to its outputs. Reading an output topic consumes what was read.
 */
final class ReconcilerDriver implements AutoCloseable {
    /** Input records are stamped an hour after the batch, so outputs stamped with acceptedAt prove where their time comes from. */
    private static final Duration INPUT_RECORD_DELAY = Duration.ofHours(1);

    private final TopologyTestDriver driver;
    private final TestInputTopic<String, ChangeBatchSubmitted> changes;

    ReconcilerDriver(Path stateDir) {
        this(stateDir, RetentionPolicy.defaults());
    }

    ReconcilerDriver(Path stateDir, RetentionPolicy retention) {
        this(stateDir, retention, true);
    }

    /** {@code textMerge}: whether a merge worker runs beside the reconciler ({@code --merge}). */
    ReconcilerDriver(Path stateDir, RetentionPolicy retention, boolean textMerge) {
        ReconcilerConfig config = ReconcilerConfig.of("unused:9092", stateDir)
                .withApplicationId("reconciler-test-" + UUID.randomUUID());
        this.driver = new TopologyTestDriver(ReconcilerTopology.build(ConflictPolicy.defaults(), retention, textMerge),
                config.streamsProperties());
        this.changes = driver.createInputTopic(Topics.CHANGES, new StringSerializer(),
                AvroSerde.changeBatches().serializer());
    }

    void submit(ChangeBatchSubmitted batch) {
        changes.pipeInput(batch.getNamespaceId(), batch,
                Instant.ofEpochMilli(batch.getAcceptedAt()).plus(INPUT_RECORD_DELAY));
    }

    /** Submits a batch as the relay publishes it with these record headers. */
    void submit(ChangeBatchSubmitted batch, org.apache.kafka.common.header.Headers headers) {
        changes.pipeInput(new TestRecord<>(batch.getNamespaceId(), batch, headers,
                Instant.ofEpochMilli(batch.getAcceptedAt()).plus(INPUT_RECORD_DELAY)));
    }

    /** Submits a batch and forgets every output so far, so a test sees only what the next batch does. */
    void submitAndForget(ChangeBatchSubmitted batch) {
        submit(batch);
        outcomes();
        events();
        states();
        chunkRefs();
        conflicts();
    }

    List<ChangeOutcome> outcomes() {
        return values(Topics.OUTCOMES, AvroSerde.outcomes());
    }

    List<ConflictEvent> conflicts() {
        return values(Topics.CONFLICTS, AvroSerde.conflicts());
    }

    List<FileEvent> events() {
        return values(Topics.FILE_EVENTS, AvroSerde.fileEvents());
    }

    List<KeyValue<String, FileState>> states() {
        return keyValues(Topics.FILE_STATE, AvroSerde.fileStates());
    }

    List<KeyValue<String, ChunkRefDelta>> chunkRefs() {
        return keyValues(Topics.CHUNK_REFS, AvroSerde.chunkRefDeltas());
    }

    List<TestRecord<byte[], byte[]>> rawRecords(String topic) {
        return driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .readRecordsToList();
    }

    private <T extends org.apache.avro.specific.SpecificRecord> List<T> values(String topic, AvroSerde<T> serde) {
        return driver.createOutputTopic(topic, new StringDeserializer(), serde.deserializer()).readValuesToList();
    }

    private <T extends org.apache.avro.specific.SpecificRecord> List<KeyValue<String, T>> keyValues(String topic,
            AvroSerde<T> serde) {
        return driver.createOutputTopic(topic, new StringDeserializer(), serde.deserializer()).readKeyValuesToList();
    }

    @Override
    public void close() {
        driver.close();
    }
}
