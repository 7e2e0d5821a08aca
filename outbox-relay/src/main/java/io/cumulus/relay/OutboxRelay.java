package io.cumulus.relay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.schemas.Topics;
import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;

/**
 * Relays accepted change batches from the PostgreSQL outbox ({@code ingest.outbox}) to
 * {@code cumulus.changes.v1}, keyed by namespace id, with the Debezium embedded engine. A batch of
 * change events is marked processed only after Kafka has acknowledged every record of it, so a
 * crash re-delivers (at least once, never lost); the reconciler drops a batch it has already seen.
 */
public final class OutboxRelay implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    private static final Duration STARTUP = Duration.ofSeconds(60);

    private final RelayConfig config;
    private final KafkaProducer<String, byte[]> producer;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> new Thread(r, "outbox-relay"));
    private final CountDownLatch started = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;

    public OutboxRelay(RelayConfig config) {
        this.config = config;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 1,
                ProducerConfig.CLIENT_ID_CONFIG, "cumulus-outbox-relay"),
                new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Starts the engine and waits until its connector task runs, so that a wrong database setting
     * (no logical decoding, bad credentials) fails here with the database's own words.
     */
    public void start() {
        try {
            Files.createDirectories(config.offsetsDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the relay offsets directory " + config.offsetsDir(), e);
        }
        engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(config.debeziumProperties())
                .using(new DebeziumEngine.ConnectorCallback() {
                    @Override
                    public void taskStarted() {
                        started.countDown();
                    }
                })
                .using((success, message, error) -> {
                    if (!success) {
                        failure.set(error != null ? error : new IllegalStateException(message));
                        log.error("outbox relay stopped: {}", message, error);
                    }
                    started.countDown();
                })
                .notifying(this::relay)
                .build();
        runner.execute(engine);
        try {
            if (!started.await(STARTUP.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("the outbox relay did not start within " + STARTUP.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the outbox relay", e);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("the outbox relay could not start: " + failure.get().getMessage(), failure.get());
        }
        log.info("outbox relay started database={} slot={}", config.database(), config.slotName());
    }

    /** Why the engine stopped, when it stopped on an error; empty while it runs (or after a clean close). */
    public java.util.Optional<Throwable> failure() {
        return java.util.Optional.ofNullable(failure.get());
    }

    /** Publishes one Debezium batch; marks it processed only when Kafka has every record. */
    private void relay(List<RecordChangeEvent<SourceRecord>> events, DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        List<Future<RecordMetadata>> sent = new ArrayList<>(events.size());
        for (RecordChangeEvent<SourceRecord> event : events) {
            outboxRow(event.record()).ifPresent(row -> sent.add(
                    producer.send(new ProducerRecord<>(Topics.CHANGES, row.namespaceId(), row.payload()))));
        }
        for (Future<RecordMetadata> f : sent) {
            try {
                f.get();
            } catch (ExecutionException e) {
                // Nothing is marked processed: the engine stops and the same events come again on restart.
                throw new IllegalStateException("Kafka refused a relayed batch", e.getCause());
            }
        }
        for (RecordChangeEvent<SourceRecord> event : events) {
            committer.markProcessed(event);
        }
        committer.markBatchFinished();
        if (!sent.isEmpty()) {
            log.debug("relayed batches={}", sent.size());
        }
    }

    record OutboxRow(String namespaceId, byte[] payload) {
    }

    /** The new row of an insert (or a snapshot read); nothing for updates, deletes and other events. */
    static java.util.Optional<OutboxRow> outboxRow(SourceRecord record) {
        if (!(record.value() instanceof Struct value) || value.schema().field("op") == null) {
            return java.util.Optional.empty();
        }
        String op = value.getString("op");
        if (!op.equals("c") && !op.equals("r")) {
            return java.util.Optional.empty();
        }
        Struct after = value.getStruct("after");
        Object payload = after.get("payload");
        byte[] bytes = payload instanceof ByteBuffer buffer ? toArray(buffer) : (byte[]) payload;
        return java.util.Optional.of(new OutboxRow(after.get("namespace_id").toString(), bytes));
    }

    private static byte[] toArray(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return bytes;
    }

    @Override
    public void close() {
        if (engine != null) {
            try {
                engine.close();
            } catch (IOException e) {
                log.warn("closing the outbox relay engine failed: {}", e.toString());
            }
        }
        runner.shutdown();
        try {
            if (!runner.awaitTermination(30, TimeUnit.SECONDS)) {
                runner.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(10));
        log.info("outbox relay stopped database={}", config.database());
    }
}
