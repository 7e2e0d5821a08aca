package io.cumulus.photos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.photos.image.Derived;
import io.cumulus.photos.image.ImageKinds;
import io.cumulus.photos.image.PhotoDeriver;
import io.cumulus.photos.image.PhotoMetadata;
import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.Correlation;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.FileOp;
import io.cumulus.schemas.PhotoEvent;
import io.cumulus.schemas.PhotoEventKind;
import io.cumulus.schemas.PoisonRecordException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;

/**
 * The photo library's worker: reads the file events, recognises images by their first bytes,
 * derives each new version's metadata, thumbnail and preview ({@link PhotoDeriver}), stores the
 * derivatives in the chunk store, records the photo in {@code photos.photos} and emits a
 * {@link PhotoEvent}.
 *
 * <p>A poll is handled in three steps. First, in offset order, each event is planned against the
 * library as the events before it leave it: a delete or a file that is no longer an image removes the
 * photo; a version with the same content as the photo's current one (a rename) reuses its derivatives;
 * a new image is derived, on a pool of {@link PhotoWorkerConfig#threads()} threads. Then the poll's
 * photo events are sent and flushed. Last, each event's rows are written in one transaction with its
 * partition's position ({@link PhotoLibrary}), so a redelivered event writes nothing; its photo event
 * may go out twice, with the same {@code eventId}. Derivatives are deterministic: a replay makes the
 * same bytes, so the same chunk ids.
 *
 * <p>An image that cannot be read (corrupt, truncated, too large, a decompression bomb) is recorded as
 * unreadable with the reason; it never stops its partition. A store that is down (the database, the
 * chunk store, Kafka) makes the poll be retried with a growing pause; an event that cannot be decoded
 * stops the worker, reported by {@link #failure()}.
 */
public final class PhotoWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PhotoWorker.class);
    private static final Duration FIRST_RETRY_BACKOFF = Duration.ofMillis(200);
    private static final AvroSerde<FileEvent> FILE_EVENTS = AvroSerde.fileEvents();
    private static final AvroSerde<PhotoEvent> PHOTO_EVENTS = AvroSerde.photoEvents();

    private final PhotoWorkerConfig config;
    private final DataSource dataSource;
    private final PhotoLibrary library;
    private final ChunkSource chunks;
    private final Originals originals;
    private final PhotoDeriver deriver;
    private final Timer deriveTime = Timer.builder("cumulus.photos.derive").description("Time to derive one photo")
            .publishPercentileHistogram().register(Metrics.globalRegistry);
    private final Counter ready = Counter.builder("cumulus.photos.derived").tag("result", "ready")
            .register(Metrics.globalRegistry);
    private final Counter unreadable = Counter.builder("cumulus.photos.derived").tag("result", "unreadable")
            .register(Metrics.globalRegistry);
    private final PositionedConsumer loop;
    private KafkaProducer<String, byte[]> producer;
    private ExecutorService pool;

    public PhotoWorker(PhotoWorkerConfig config, DataSource dataSource, ChunkSource chunks, PhotoDeriver deriver) {
        this.config = config;
        this.dataSource = dataSource;
        this.library = new PhotoLibrary(dataSource);
        this.chunks = chunks;
        this.originals = new Originals(chunks, config.workDir());
        this.deriver = deriver;
        this.loop = new PositionedConsumer("photo worker", PhotoWorkerConfig.FILE_EVENTS_TOPIC, consumerProperties(config),
                partitions -> library.positions(PhotoWorkerConfig.FILE_EVENTS_TOPIC, partitions), FIRST_RETRY_BACKOFF,
                config.maxRetryBackoff(), this::handle);
    }

    /** Makes sure the {@code photos} schema exists, then starts the poll loop on its own thread. */
    public synchronized void start() {
        if (pool != null) {
            throw new IllegalStateException("the photo worker was already started");
        }
        deriver.missingTools().ifPresent(missing -> log.warn("photo derivatives wait for their tools: {}", missing));
        PhotosSchema.migrate(dataSource);
        clearWorkDir();
        producer = new KafkaProducer<>(producerProperties(config), new StringSerializer(), new ByteArraySerializer());
        AtomicInteger n = new AtomicInteger();
        pool = Executors.newFixedThreadPool(config.threads(), r -> {
            Thread t = new Thread(r, "cumulus-photos-derive-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        loop.start();
        log.info("photo worker started group={} threads={} workDir={}", config.groupId(), config.threads(), config.workDir());
    }

    /** Why the worker stopped on its own, if it did (a poison record or a permanent error). */
    public Optional<Throwable> failure() {
        return loop.failure();
    }

    /** Whether the poll loop is running: started, not closed and not stopped by a failure. */
    public boolean isRunning() {
        return loop.isRunning();
    }

    @Override
    public synchronized void close() {
        loop.close();
        if (pool != null) {
            pool.shutdownNow();
            producer.close(Duration.ofSeconds(5));
        }
    }

    private record FileKey(UUID namespaceId, String fileId) {
    }

    /** What one event does to the library. */
    private sealed interface Step {
        ConsumerRecord<byte[], byte[]> record();
    }

    /** Nothing to write but the position. */
    private record Skip(ConsumerRecord<byte[], byte[]> record) implements Step {
    }

    /** The file leaves the library as of this version; {@code existed}: it was in it. */
    private record Remove(ConsumerRecord<byte[], byte[]> record, FileEvent event, boolean existed) implements Step {
    }

    /** The file's photo becomes this record. */
    private record Put(ConsumerRecord<byte[], byte[]> record, FileEvent event, CompletableFuture<PhotoRecord> photo)
            implements Step {
    }

    /** The library as the poll's earlier events leave it: a file's content key and photo, or absent. */
    private record Known(String contentKey, CompletableFuture<PhotoRecord> photo) {
    }

    private void handle(ConsumerRecords<byte[], byte[]> records) throws PositionedConsumer.Retry, InterruptedException {
        Map<FileKey, Optional<Known>> known = new HashMap<>();
        List<Step> steps = new ArrayList<>(records.count());
        try {
            for (ConsumerRecord<byte[], byte[]> record : records) {
                try (Correlation.Scope scope = Correlation.scope(record.headers())) {
                    steps.add(plan(record, known));
                }
            }
            List<PhotoRecord> photos = new ArrayList<>();
            List<ProducerRecord<String, byte[]>> events = new ArrayList<>();
            for (Step step : steps) {
                switch (step) {
                    case Put put -> {
                        PhotoRecord photo = put.photo().get();
                        photos.add(photo);
                        events.add(carried(event(photo, put.event().getAt()), put.record()));
                    }
                    case Remove remove when remove.existed() -> events.add(carried(removed(remove.event()), remove.record()));
                    default -> { }
                }
            }
            List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent = new ArrayList<>();
            for (ProducerRecord<String, byte[]> event : events) {
                sent.add(producer.send(event));
            }
            producer.flush();
            for (var send : sent) {
                send.get(); // a photo event Kafka did not take fails the poll, which is read again
            }
            int applied = 0;
            for (Step step : steps) {
                ConsumerRecord<byte[], byte[]> r = step.record();
                boolean wrote = library.apply(r.topic(), r.partition(), r.offset(), c -> {
                    switch (step) {
                        case Put put -> library.put(c, put.photo().join());
                        case Remove remove -> library.remove(c, UUID.fromString(remove.event().getNamespaceId()),
                                remove.event().getFileId(), remove.event().getSeq());
                        case Skip skip -> { }
                    }
                });
                applied += wrote ? 1 : 0;
                if (log.isDebugEnabled()) {
                    try (Correlation.Scope scope = Correlation.scope(r.headers())) {
                        log.debug("file event handled by the photo library partition={} offset={} step={} written={}",
                                r.partition(), r.offset(), step.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT),
                                wrote);
                    }
                }
            }
            log.debug("photo worker poll events={} photos={} applied={}", steps.size(), photos.size(), applied);
        } catch (ExecutionException e) {
            throw new PositionedConsumer.Retry(e.getCause());
        } catch (SQLException e) {
            if (PhotoLibrary.isTransient(e)) {
                throw new PositionedConsumer.Retry(e);
            }
            throw new IllegalStateException("the photo library cannot be written", e);
        } catch (RuntimeException e) {
            if (e instanceof PoisonRecordException) {
                throw e;
            }
            // The chunk store or Kafka refused for now; the poll is read again.
            throw new PositionedConsumer.Retry(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
        } finally {
            for (Step step : steps) {
                if (step instanceof Put put) {
                    put.photo().cancel(false);
                }
            }
        }
    }

    /** Plans one event against the library as the poll's earlier events leave it. */
    private Step plan(ConsumerRecord<byte[], byte[]> record, Map<FileKey, Optional<Known>> known) throws SQLException {
        FileEvent event;
        UUID namespaceId;
        try {
            event = FILE_EVENTS.decode(record.value());
            namespaceId = UUID.fromString(event.getNamespaceId());
        } catch (RuntimeException e) {
            throw new PoisonRecordException("derive photos from", record.topic(), record.partition(), record.offset(),
                    "not a file event", e);
        }
        FileKey key = new FileKey(namespaceId, event.getFileId());
        Optional<Known> current = known.get(key);
        if (current == null) {
            current = library.current(namespaceId, event.getFileId())
                    .map(p -> new Known(p.contentKey(), CompletableFuture.completedFuture(p)));
        }
        if (event.getMergePending()) {
            return new Skip(record); // not a version devices materialise; the merge writes the real one
        }
        if (event.getOp() == FileOp.DELETE || event.getChunks().isEmpty()) {
            known.put(key, Optional.empty());
            return new Remove(record, event, current.isPresent());
        }
        String contentKey = Originals.contentKey(event.getChunks());
        if (current.isPresent() && current.get().contentKey().equals(contentKey)) {
            // The same content under a later version (a rename, a touch): the same photo, the same derivatives.
            CompletableFuture<PhotoRecord> moved = current.get().photo()
                    .thenApply(p -> p.at(event.getSeq(), event.getPath()));
            known.put(key, Optional.of(new Known(contentKey, moved)));
            return new Put(record, event, moved);
        }
        Optional<String> format;
        try {
            format = ImageKinds.recognise(originals.head(event.getChunks(), ImageKinds.HEAD_BYTES));
        } catch (Originals.ChunkGoneException e) {
            log.info("file event's chunks are gone, not in the photo library namespaceId={} fileId={} seq={}",
                    namespaceId, event.getFileId(), event.getSeq());
            format = Optional.empty();
        }
        if (format.isEmpty()) {
            known.put(key, Optional.empty());
            return new Remove(record, event, current.isPresent());
        }
        CompletableFuture<PhotoRecord> photo;
        if (event.getSize() > config.maxOriginalBytes()) {
            photo = CompletableFuture.completedFuture(unreadable(event, contentKey, format.get(),
                    "larger than " + config.maxOriginalBytes() + " bytes, the largest original the library reads"));
        } else {
            String f = format.get();
            // Derived on the pool's thread, whose log lines carry the event's correlation id too.
            String correlationId = Correlation.current().orElse(null);
            photo = CompletableFuture.supplyAsync(() -> {
                try (Correlation.Scope scope = Correlation.scope(correlationId)) {
                    return derive(event, contentKey, f);
                }
            }, pool);
        }
        known.put(key, Optional.of(new Known(contentKey, photo)));
        return new Put(record, event, photo);
    }

    /** Derives one version's photo: reads the original, derives, stores the derivatives. */
    private PhotoRecord derive(FileEvent event, String contentKey, String format) {
        Path original;
        try {
            original = originals.assemble(event.getChunks());
        } catch (Originals.ChunkGoneException e) {
            unreadable.increment();
            return unreadable(event, contentKey, format, "the original is no longer in the chunk store");
        }
        try {
            Timer.Sample sample = Timer.start();
            Derived derived;
            try {
                derived = deriver.derive(original, fileTime(event));
            } catch (IllegalStateException | java.io.UncheckedIOException e) {
                // The worker's own trouble (libvips not installed, its working directory unwritable), not the
                // photo's: the poll is retried until it is mended, and no photo is recorded unreadable for it.
                throw e;
            } catch (RuntimeException e) {
                log.warn("photo could not be derived namespaceId={} fileId={} seq={}", event.getNamespaceId(),
                        event.getFileId(), event.getSeq(), e);
                derived = new Derived.Unreadable(format, "could not be read: " + e.getMessage());
            }
            sample.stop(deriveTime);
            return switch (derived) {
                case Derived.Ready r -> {
                    String thumbnailId = chunks.store(r.thumbnail());
                    String previewId = chunks.store(r.preview());
                    ready.increment();
                    log.info("photo derived namespaceId={} fileId={} seq={} format={} size={}x{}", event.getNamespaceId(),
                            event.getFileId(), event.getSeq(), r.metadata().format(), r.metadata().width(),
                            r.metadata().height());
                    yield readyRecord(event, contentKey, r.metadata(), thumbnailId, r.thumbnail().length, previewId,
                            r.preview().length);
                }
                case Derived.Unreadable u -> {
                    unreadable.increment();
                    log.info("photo unreadable namespaceId={} fileId={} seq={} format={} reason={}", event.getNamespaceId(),
                            event.getFileId(), event.getSeq(), u.format(), u.reason());
                    yield unreadable(event, contentKey, u.format() != null ? u.format() : format, u.reason());
                }
            };
        } finally {
            Originals.deleteQuietly(original);
        }
    }

    /** The earliest file time taken as a photo's date: before it, a device's clock was wrong. */
    private static final Instant EARLIEST_FILE_TIME = Instant.parse("1900-01-01T00:00:00Z");

    /**
     * When a photo without a date of its own was taken, as well as it is known: the time the device gave
     * the file, unless that is before 1900 or after the server accepted the file (a device's clock, or a
     * hostile value, that no column could hold), else the time the server accepted it.
     */
    static Instant fileTime(FileEvent event) {
        Instant accepted = Instant.ofEpochMilli(event.getAt());
        Long modified = event.getDeviceModifiedAt();
        if (modified == null || modified < EARLIEST_FILE_TIME.toEpochMilli() || modified > event.getAt() + 86_400_000L) {
            return accepted;
        }
        return Instant.ofEpochMilli(modified);
    }

    private static PhotoRecord readyRecord(FileEvent e, String contentKey, PhotoMetadata m, String thumbnailId,
            int thumbnailSize, String previewId, int previewSize) {
        return new PhotoRecord(UUID.fromString(e.getNamespaceId()), e.getFileId(), e.getSeq(), e.getPath(), contentKey,
                e.getSize(), true, null, m.format(), m.takenAt().instant(), m.takenAt().offsetMinutes(),
                m.takenAt().source().column(), m.width(), m.height(), m.orientation(), m.latitude(), m.longitude(),
                m.cameraMake(), m.cameraModel(), m.lens(), thumbnailId, thumbnailSize, previewId, previewSize);
    }

    private static PhotoRecord unreadable(FileEvent e, String contentKey, String format, String reason) {
        return new PhotoRecord(UUID.fromString(e.getNamespaceId()), e.getFileId(), e.getSeq(), e.getPath(), contentKey,
                e.getSize(), false, reason, format, fileTime(e), null, "file", null, null, null, null, null, null, null,
                null, null, null, null, null);
    }

    private static ProducerRecord<String, byte[]> event(PhotoRecord p, long at) {
        PhotoEvent event = PhotoEvent.newBuilder()
                .setEventId(p.namespaceId() + "/" + p.fileId() + "/" + p.seq())
                .setNamespaceId(p.namespaceId().toString())
                .setFileId(p.fileId())
                .setSeq(p.seq())
                .setKind(p.ready() ? PhotoEventKind.READY : PhotoEventKind.UNREADABLE)
                .setPath(p.path())
                .setAt(at)
                .setContentKey(p.contentKey())
                .setFormat(p.format())
                .setReason(p.reason())
                .setTakenAt(p.takenAt().toEpochMilli())
                .setTakenAtOffsetMinutes(p.takenAtOffset())
                .setTakenAtSource(p.takenAtSource())
                .setWidth(p.width())
                .setHeight(p.height())
                .setLatitude(p.latitude())
                .setLongitude(p.longitude())
                .setCameraMake(p.cameraMake())
                .setCameraModel(p.cameraModel())
                .setLens(p.lens())
                .setThumbnailId(p.thumbnailId())
                .setPreviewId(p.previewId())
                .setSize(p.size())
                .setOrientation(p.orientation())
                .setThumbnailSize(p.thumbnailSize())
                .setPreviewSize(p.previewSize())
                .build();
        return new ProducerRecord<>(PhotoWorkerConfig.PHOTO_EVENTS_TOPIC, p.namespaceId().toString(),
                PHOTO_EVENTS.encode(event));
    }

    /** The photo event with the correlation id of the file event it comes from. */
    private static ProducerRecord<String, byte[]> carried(ProducerRecord<String, byte[]> event,
                                                          ConsumerRecord<byte[], byte[]> from) {
        return new ProducerRecord<>(event.topic(), event.partition(), event.timestamp(), event.key(), event.value(),
                Correlation.carried(from.headers()));
    }

    private static ProducerRecord<String, byte[]> removed(FileEvent e) {
        PhotoEvent event = PhotoEvent.newBuilder()
                .setEventId(e.getNamespaceId() + "/" + e.getFileId() + "/" + e.getSeq())
                .setNamespaceId(e.getNamespaceId())
                .setFileId(e.getFileId())
                .setSeq(e.getSeq())
                .setKind(PhotoEventKind.REMOVED)
                .setPath(e.getPath())
                .setAt(e.getAt())
                .build();
        return new ProducerRecord<>(PhotoWorkerConfig.PHOTO_EVENTS_TOPIC, e.getNamespaceId(), PHOTO_EVENTS.encode(event));
    }

    private void clearWorkDir() {
        try {
            Files.createDirectories(config.workDir());
            try (Stream<Path> leftovers = Files.list(config.workDir())) {
                leftovers.filter(p -> p.getFileName().toString().startsWith("original-")).forEach(Originals::deleteQuietly);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot use the photo worker's working directory " + config.workDir(), e);
        }
    }

    private static Map<String, Object> consumerProperties(PhotoWorkerConfig config) {
        Map<String, Object> p = new HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, config.groupId(),
                // The reconciler writes the file events in Kafka transactions: only committed ones are history.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                // A photo takes a fifth of a second or more: few per poll, and time enough for a slow one.
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 32,
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 900_000,
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000,
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000));
        config.instanceId().ifPresent(id -> p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
        return p;
    }

    private static Map<String, Object> producerProperties(PhotoWorkerConfig config) {
        return Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd",
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    }
}
