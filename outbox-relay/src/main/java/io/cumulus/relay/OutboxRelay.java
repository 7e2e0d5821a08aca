package io.cumulus.relay;

import java.io.IOException;
import java.nio.ByteBuffer;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.schemas.Correlation;
import io.cumulus.schemas.PipelineStages;
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
 * <p>Several relays may run against one database; one is active at a time. The active one holds the
 * database's {@link RelayLock} and only then starts its engine (a replication slot streams to one
 * client at a time); the others are standbys that ask for the lock every second. A relay that finds
 * its lock session gone stops its engine at once, and the offsets, kept in the database
 * ({@link PostgresOffsetStore}), let whichever relay comes next resume where the last one stopped.
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
    /** Longer than the slot retries (60 × 1 s): a relay taking over may wait for the slot that long. */
    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final Duration LEADERSHIP_CHECK = Duration.ofSeconds(1);
    private static final Duration ENGINE_STOP = Duration.ofSeconds(30);
    /** The name of the relay's circuit breaker around Kafka. */
    public static final String BREAKER = "kafka-relay";
    private static final Duration FIRST_RETRY_PAUSE = Duration.ofMillis(200);
    private static final Duration MAX_RETRY_PAUSE = Duration.ofSeconds(5);

    private final RelayConfig config;
    private final KafkaProducer<String, byte[]> producer;
    private final RelayLock lock;
    private final CircuitBreaker kafka;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> new Thread(r, "outbox-relay"));
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile EngineRun active;
    /** The highest outbox row id this relay has published since it started; -1 before its first. */
    private final java.util.concurrent.atomic.AtomicLong highestPublished = new java.util.concurrent.atomic.AtomicLong(-1);
    private Thread leadership;

    /** One run of the engine, from taking the lock to giving it up. */
    private record EngineRun(DebeziumEngine<RecordChangeEvent<SourceRecord>> engine, Future<?> running,
                             CountDownLatch started, AtomicReference<Throwable> failure, AtomicBoolean stopping) {
    }

    /** A relay whose breaker is its own (not exported). */
    public OutboxRelay(RelayConfig config) {
        this(config, CircuitBreakerRegistry.ofDefaults());
    }

    /** A relay whose breaker {@value #BREAKER} is added to {@code breakers}, where its metrics are exported. */
    public OutboxRelay(RelayConfig config, CircuitBreakerRegistry breakers) {
        this.config = config;
        this.lock = new RelayLock(config);
        this.kafka = breakers.circuitBreaker(BREAKER, breakerSettings());
        // Every send ends within the delivery timeout, and a send never blocks the engine longer than max.block.ms.
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 1,
                // a change batch is mostly hex chunk ids, ids and paths: zstd halves it (docs/decisions/0018)
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd",
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
     * Becomes the active relay if no other is, and then waits until the engine's connector task runs,
     * so that a wrong database setting (no logical decoding, bad credentials) fails here with the
     * database's own words; otherwise returns as a standby. Either way it keeps watching the lock.
     */
    public void start() {
        if (lock.tryAcquire()) {
            runEngine();
        } else {
            log.info("outbox relay standby database={} slot={}", config.database(), config.slotName());
        }
        leadership = new Thread(this::lead, "outbox-relay-leadership");
        leadership.setDaemon(true);
        leadership.start();
    }

    /** Whether this relay is the active one: it holds the lock and its engine runs. */
    public boolean isActive() {
        return active != null;
    }

    /** Why the engine stopped, when it stopped on an error; empty while it runs or stands by (or after a clean close). */
    public java.util.Optional<Throwable> failure() {
        return java.util.Optional.ofNullable(failure.get());
    }

    /**
     * Every second: a standby asks for the lock and starts its engine when it gets it; the active
     * relay checks that its lock session still answers, and stops its engine when it does not, since
     * another relay may hold the lock by then. A relay whose engine failed gives the lock up and stops
     * competing, so that a healthy standby takes over.
     */
    private void lead() {
        try {
            while (!closing.await(LEADERSHIP_CHECK.toMillis(), TimeUnit.MILLISECONDS)) {
                EngineRun run = active;
                if (run == null) {
                    if (failure.get() == null && lock.tryAcquire()) {
                        log.info("outbox relay took over database={} slot={}", config.database(), config.slotName());
                        runEngine();
                    }
                } else if (run.failure().get() != null) {
                    stopEngine();
                    lock.release();
                    log.error("outbox relay gave up its lock after a failure database={}", config.database());
                } else if (!lock.isHeld()) {
                    log.warn("outbox relay lost its lock, stopping database={} slot={}", config.database(), config.slotName());
                    stopEngine();
                    lock.release();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // runEngine failed and recorded why; the lock is released, a standby takes over.
            log.error("outbox relay stopped competing for the lock database={} error={}", config.database(), e.toString());
        }
    }

    /** Starts the engine under the lock and waits for its task; on failure releases the lock and throws. */
    private void runEngine() {
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Throwable> runFailure = new AtomicReference<>();
        // An engine stopped on purpose (its lock lost, the relay closing) may end with its connection's error: not a failure.
        AtomicBoolean stopping = new AtomicBoolean();
        DebeziumEngine<RecordChangeEvent<SourceRecord>> engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(config.debeziumProperties())
                .using(new DebeziumEngine.ConnectorCallback() {
                    @Override
                    public void taskStarted() {
                        started.countDown();
                    }
                })
                .using((success, message, error) -> {
                    if (!success && !stopping.get()) {
                        Throwable why = error != null ? error : new IllegalStateException(message);
                        runFailure.set(why);
                        failure.compareAndSet(null, why);
                        log.error("outbox relay stopped: {}", message, error);
                    }
                    started.countDown();
                })
                .notifying(this::relay)
                .build();
        EngineRun run = new EngineRun(engine, runner.submit(engine), started, runFailure, stopping);
        active = run;
        String problem = null;
        try {
            if (!started.await(STARTUP.toSeconds(), TimeUnit.SECONDS)) {
                problem = "the outbox relay did not start within " + STARTUP.toSeconds() + " s";
            } else if (runFailure.get() != null) {
                problem = "the outbox relay could not start: " + runFailure.get().getMessage();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = "interrupted while starting the outbox relay";
        }
        if (problem != null) {
            IllegalStateException e = new IllegalStateException(problem, runFailure.get());
            failure.compareAndSet(null, e);
            stopEngine();
            lock.release();
            throw e;
        }
        log.info("outbox relay active database={} slot={}", config.database(), config.slotName());
    }

    private void stopEngine() {
        EngineRun run = active;
        if (run == null) {
            return;
        }
        run.stopping().set(true);
        try {
            run.engine().close();
            run.running().get(ENGINE_STOP.toSeconds(), TimeUnit.SECONDS);
        } catch (IllegalStateException e) {
            // The engine had already stopped by itself (it failed, and its completion callback said why).
            log.debug("outbox relay engine already stopped: {}", e.toString());
        } catch (IOException | ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("stopping the outbox relay engine failed: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        active = null;
    }

    /** Publishes one Debezium batch; marks it processed only when Kafka has every record. */
    private void relay(List<RecordChangeEvent<SourceRecord>> events, DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        List<OutboxRow> rows = events.stream().flatMap(e -> outboxRow(e.record()).stream()).toList();
        if (!rows.isEmpty()) {
            events.forEach(e -> committedAt(e.record()).ifPresent(at -> PipelineStages.sinceEpoch(PipelineStages.WAL_TO_RELAY, at)));
            long start = System.nanoTime();
            publish(rows);
            PipelineStages.sinceNanos(PipelineStages.RELAY_PUBLISH, start);
            rows.forEach(r -> highestPublished.accumulateAndGet(r.id(), Math::max));
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
            EngineRun run = active;
            if (closing.getCount() == 0 || (run != null && run.stopping().get())) {
                throw new InterruptedException("the outbox relay is stopping; the batch is relayed by the next active relay");
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
            // The batch's correlation id rides along as a header: the consumers' log lines about it carry it.
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.CHANGES, null, row.namespaceId(),
                    row.payload(), Correlation.addTo(new RecordHeaders(), row.correlationId()));
            try (Correlation.Scope scope = Correlation.scope(row.correlationId().orElse(null))
                    .put(Correlation.NAMESPACE_ID, row.namespaceId())) {
                log.debug("batch relayed namespaceId={} outboxId={}", row.namespaceId(), row.id());
            }
            sent.add(producer.send(record));
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

    /**
     * The highest id of the outbox rows this relay has published since it started, for the outbox lag
     * (the rows above it are not in Kafka yet); empty before its first publication. Ids are drawn in
     * the order transactions start, not the order they commit, so a row committed late below this id
     * is not counted as waiting.
     */
    public java.util.OptionalLong highestPublishedId() {
        long id = highestPublished.get();
        return id < 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(id);
    }

    /** The slot this relay streams the outbox from. */
    public String slotName() {
        return config.slotName();
    }

    /** An outbox row as the relay publishes it; {@code correlationId} is empty for a row written without one. */
    record OutboxRow(long id, String namespaceId, byte[] payload, java.util.Optional<String> correlationId) {
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
        // A row written before the column existed, or an engine still holding the table's older schema, has none.
        Object correlationId = after.schema().field("correlation_id") == null ? null : after.get("correlation_id");
        Object id = after.schema().field("id") == null ? null : after.get("id");
        return java.util.Optional.of(new OutboxRow(id instanceof Number n ? n.longValue() : -1,
                after.get("namespace_id").toString(), bytes,
                java.util.Optional.ofNullable(correlationId).map(Object::toString).filter(Correlation::isValid)));
    }

    /** When the row's transaction committed, as the database's WAL says (Debezium's {@code source.ts_ms}). */
    private static java.util.Optional<Long> committedAt(SourceRecord record) {
        if (!(record.value() instanceof Struct value) || value.schema().field("source") == null) {
            return java.util.Optional.empty();
        }
        Struct source = value.getStruct("source");
        return source == null || source.schema().field("ts_ms") == null ? java.util.Optional.empty()
                : java.util.Optional.ofNullable(source.getInt64("ts_ms"));
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
        if (leadership != null) {
            leadership.interrupt();
            try {
                leadership.join(ENGINE_STOP.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stopEngine();
        lock.release();
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
