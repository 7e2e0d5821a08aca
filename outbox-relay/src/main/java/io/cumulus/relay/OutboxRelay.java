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
import org.apache.kafka.common.errors.RetriableException;
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
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;

/**
 * Relays accepted change batches from the PostgreSQL outbox ({@code ingest.outbox}) to
 * {@code cumulus.changes.v1}, keyed by namespace id, with the Debezium embedded engine. A batch of
 * change events is marked processed only after Kafka has acknowledged every record of it, so a
 * crash re-delivers (at least once, never lost); the reconciler drops a batch it has already seen.
 *
 * <p>Publishing goes through a circuit breaker ({@value #BREAKER}, in the registry the process
 * exports as metrics) and bounded producer timeouts. While Kafka is unreachable the relay does not
 * stop: it holds the batch (and with it the replication slot's position), tries again after a
 * growing pause, and while the breaker is open does not call Kafka at all; the outbox keeps every
 * accepted batch meanwhile, so nothing acknowledged waits anywhere but in PostgreSQL. A refusal that
 * retrying cannot cure (a record too large, no authorisation) still stops the relay, and
 * {@link #failure()} says why.
 */
public final class OutboxRelay implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    private static final Duration STARTUP = Duration.ofSeconds(60);
    /** The name of the relay's circuit breaker around Kafka. */
    public static final String BREAKER = "kafka-relay";
    private static final Duration FIRST_RETRY_PAUSE = Duration.ofMillis(200);
    private static final Duration MAX_RETRY_PAUSE = Duration.ofSeconds(5);

    private final RelayConfig config;
    private final KafkaProducer<String, byte[]> producer;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> new Thread(r, "outbox-relay"));
    private final CountDownLatch started = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final CircuitBreaker kafka;
    private DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;

    /** A relay whose breaker is its own (not exported). */
    public OutboxRelay(RelayConfig config) {
        this(config, CircuitBreakerRegistry.ofDefaults());
    }

    /** A relay whose breaker {@value #BREAKER} is added to {@code breakers}, where its metrics are exported. */
    public OutboxRelay(RelayConfig config, CircuitBreakerRegistry breakers) {
        this.config = config;
        this.kafka = breakers.circuitBreaker(BREAKER, breakerSettings());
        // Every send ends within the delivery timeout, and a send never blocks the engine longer than max.block.ms.
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 1,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000,
                ProducerConfig.CLIENT_ID_CONFIG, "cumulus-outbox-relay"),
                new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * The breaker opens when 3 of the last 5 publishing attempts met a Kafka that was unreachable
     * or too slow (a {@link RetriableException}), waits 10 s, then lets one attempt probe it.
     */
    static CircuitBreakerConfig breakerSettings() {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(5)
                .minimumNumberOfCalls(3)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(10))
                .permittedNumberOfCallsInHalfOpenState(1)
                .recordExceptions(RetriableException.class)
                .build();
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
        List<OutboxRow> rows = events.stream().flatMap(e -> outboxRow(e.record()).stream()).toList();
        if (!rows.isEmpty()) {
            publish(rows);
        }
        for (RecordChangeEvent<SourceRecord> event : events) {
            committer.markProcessed(event);
        }
        committer.markBatchFinished();
        if (!rows.isEmpty()) {
            log.debug("relayed batches={}", rows.size());
        }
    }

    /**
     * Sends the rows until Kafka has acknowledged all of them, through the breaker. A retry may
     * publish a row twice (the first attempt may have landed in part): the reconciler drops a
     * batch it has seen.
     */
    private void publish(List<OutboxRow> rows) throws InterruptedException {
        Duration pause = FIRST_RETRY_PAUSE;
        while (true) {
            if (closing.getCount() == 0) {
                throw new InterruptedException("the outbox relay is closing; the batch is relayed after the next start");
            }
            if (!kafka.tryAcquirePermission()) {
                // Open: Kafka failed again and again; wait for the breaker to let a probe through.
                pause(MAX_RETRY_PAUSE);
                continue;
            }
            long start = System.nanoTime();
            try {
                sendAll(rows);
                kafka.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                if (pause.compareTo(FIRST_RETRY_PAUSE) > 0) {
                    log.info("outbox relay publishing again batches={}", rows.size());
                }
                return;
            } catch (RetriableException e) {
                kafka.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
                log.warn("outbox relay cannot reach Kafka, retrying batches={} pause={} breaker={} error={}",
                        rows.size(), pause, kafka.getState(), e.toString());
                pause(pause);
                pause = pause.multipliedBy(2).compareTo(MAX_RETRY_PAUSE) > 0 ? MAX_RETRY_PAUSE : pause.multipliedBy(2);
            } catch (RuntimeException e) {
                kafka.releasePermission();
                // Nothing is marked processed: the engine stops and the same events come again on restart.
                throw new IllegalStateException("Kafka refused a relayed batch", e);
            }
        }
    }

    /** Sends every row and waits for Kafka's acknowledgements; a failed one is rethrown as the producer reported it. */
    private void sendAll(List<OutboxRow> rows) throws InterruptedException {
        List<Future<RecordMetadata>> sent = new ArrayList<>(rows.size());
        for (OutboxRow row : rows) {
            sent.add(producer.send(new ProducerRecord<>(Topics.CHANGES, row.namespaceId(), row.payload())));
        }
        for (Future<RecordMetadata> f : sent) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException cause) {
                    throw cause;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    private void pause(Duration d) throws InterruptedException {
        closing.await(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The state of the relay's breaker around Kafka. */
    public CircuitBreaker.State breakerState() {
        return kafka.getState();
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
        closing.countDown();
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
