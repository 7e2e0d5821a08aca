package io.cumulus.ingest.merge;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.Correlation;
import io.cumulus.schemas.FileEvent;

/**
 * Reads {@code cumulus.file-events.v1} in its own consumer group, on its own thread, and hands each
 * conflicted copy to the {@link ConflictMerger}. It runs beside the pipeline, never in it: a slow or
 * stuck merge delays only other merges, and a merge reaches the reconciler as a batch like any
 * device's.
 *
 * <p>A copy whose event the projector has not written yet, or whose content cannot be read, is tried
 * again after a growing pause, its partition rewound to it while the others go on; after
 * {@link MergeSettings#giveUpAfter()} it is logged and, when the copy waits for its merge
 * ({@code mergePending}), released instead: written again as it is, so devices show it. A release
 * needs only PostgreSQL, and is tried until it is accepted, so no copy stays hidden while the worker
 * runs. A copy not waiting (shown already) is passed over, the two files left as they are.
 * Offsets are committed once the records before them are handled, so a restart handles at most the
 * last few again, which the merge's idempotency key makes harmless.
 */
public final class MergeWorker implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(MergeWorker.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
    private static final Duration FIRST_RETRY = Duration.ofMillis(50);

    private final MergeSettings settings;
    private final ConflictMerger merger;
    private final AvroSerde<FileEvent> fileEvents = AvroSerde.fileEvents();
    /**
     * The record each partition is waiting on: when it was first tried, the pause before the next try,
     * and, once the merge is given up, why (the copy is then being released).
     */
    private final Map<TopicPartition, Waiting> waiting = new HashMap<>();
    private CountDownLatch stopping;
    private volatile boolean running;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;

    private record Waiting(long offset, Instant since, Duration pause, Instant nextTry, Optional<String> givenUp) {
    }

    public MergeWorker(MergeSettings settings, ConflictMerger merger) {
        this.settings = settings;
        this.merger = merger;
        if (settings.enabled()) {
            MergeCounts.register();
        }
    }

    @Override
    public boolean isAutoStartup() {
        return settings.enabled();
    }

    @Override
    public synchronized void start() {
        if (running || !settings.enabled()) {
            return;
        }
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, settings.groupId(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500,
                // Topics are created with their retention by TopicSpecs, never implicitly by a reader.
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        stopping = new CountDownLatch(1);
        running = true;
        thread = new Thread(this::run, "cumulus-merge-worker");
        thread.start();
        log.info("merge worker started group={} topic={}", settings.groupId(), settings.topic());
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        stopping.countDown();
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void run() {
        try {
            consumer.subscribe(List.of(settings.topic()));
            while (running) {
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(POLL_TIMEOUT);
                } catch (WakeupException e) {
                    break;
                } catch (KafkaException e) {
                    // Merges are a convenience: staying up and polling again beats stopping them for good.
                    log.error("merge worker poll failed, polling again error={}", e.toString());
                    pause(settings.maxRetryBackoff());
                    continue;
                }
                for (TopicPartition partition : records.partitions()) {
                    handle(partition, records.records(partition));
                }
                commit();
                waitForTheNextTry();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (WakeupException e) {
            // stopping
        } catch (RuntimeException | Error e) {
            log.error("merge worker stopped by an error group={}", settings.groupId(), e);
            throw e;
        } finally {
            running = false;
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            log.info("merge worker stopped group={}", settings.groupId());
        }
    }

    /** Handles a partition's records in order; on one to try again later, rewinds the partition to it. */
    private void handle(TopicPartition partition, List<ConsumerRecord<byte[], byte[]>> records) {
        for (ConsumerRecord<byte[], byte[]> record : records) {
            // Its log lines, and the merge's batch, carry the correlation id of the edit that made the conflict.
            try (Correlation.Scope scope = Correlation.scope(record.headers())) {
                if (!handled(partition, record)) {
                    consumer.seek(partition, record.offset());
                    return;
                }
            }
        }
    }

    /** Whether the record is done with (merged, skipped, given up on); false when it is to be tried again. */
    private boolean handled(TopicPartition partition, ConsumerRecord<byte[], byte[]> record) {
        Optional<ConflictedCopy> copy;
        try {
            copy = ConflictedCopy.of(fileEvents.decode(record.value()));
        } catch (RuntimeException e) {
            // The projector stops on a record nobody can read and says so; there is nothing to merge in it.
            log.error("undecodable file event passed over topic={} partition={} offset={} error={}", record.topic(),
                    record.partition(), record.offset(), e.toString());
            return true;
        }
        if (copy.isEmpty()) {
            return true;
        }
        Waiting w = waiting.get(partition);
        if (w != null && w.offset() == record.offset() && Instant.now().isBefore(w.nextTry())) {
            return false;
        }
        Optional<String> givenUp = w != null && w.offset() == record.offset() ? w.givenUp() : Optional.empty();
        String problem;
        try {
            ConflictMerger.Attempt attempt = givenUp.isPresent() ? merger.release(copy.get(), givenUp.get())
                    : merger.handle(copy.get());
            if (!(attempt instanceof ConflictMerger.NotProjectedYet)) {
                waiting.remove(partition);
                return true;
            }
            problem = "the read model does not show it yet";
        } catch (ConflictMerger.UnreadableChunkException e) {
            MergeCounts.FAILED.increment();
            problem = e.getMessage();
        } catch (RuntimeException e) {
            MergeCounts.FAILED.increment();
            // The database away, a blob store error: worth another try, and said so every time.
            problem = e.toString();
            log.warn("conflict merge failed, will retry ns={} copy={} error={}", copy.get().namespaceId(),
                    copy.get().fileId(), e.toString(), e);
        }
        return retryLater(partition, record, copy.get(), problem);
    }

    private boolean retryLater(TopicPartition partition, ConsumerRecord<byte[], byte[]> record, ConflictedCopy copy,
                               String problem) {
        Instant now = Instant.now();
        Waiting w = waiting.get(partition);
        if (w == null || w.offset() != record.offset()) {
            w = new Waiting(record.offset(), now, FIRST_RETRY, now.plus(FIRST_RETRY), Optional.empty());
        } else {
            Duration pause = min(w.pause().multipliedBy(2), settings.maxRetryBackoff());
            w = new Waiting(w.offset(), w.since(), pause, now.plus(pause), w.givenUp());
        }
        if (w.givenUp().isEmpty() && Duration.between(w.since(), now).compareTo(settings.giveUpAfter()) > 0) {
            if (copy.mergePending()) {
                // Hidden from devices until resolved: released at once, then retried for as long as it takes.
                log.error("conflict merge given up, the copy is released ns={} file={} copy={} after={} reason={}",
                        copy.namespaceId(), copy.originalFileId(), copy.fileId(), settings.giveUpAfter(), problem);
                waiting.put(partition, new Waiting(w.offset(), now, FIRST_RETRY, now, Optional.of(problem)));
                return false;
            }
            log.error("conflict merge given up, both files kept ns={} file={} copy={} after={} reason={}",
                    copy.namespaceId(), copy.originalFileId(), copy.fileId(), settings.giveUpAfter(), problem);
            waiting.remove(partition);
            return true;
        }
        if (w.pause().compareTo(Duration.ofSeconds(1)) >= 0) {
            log.info("conflict merge waits ns={} copy={} retryIn={} reason={}", copy.namespaceId(), copy.fileId(),
                    w.pause(), problem);
        }
        waiting.put(partition, w);
        return false;
    }

    /** Sleeps until the earliest retry is due, when every partition with records is waiting on one. */
    private void waitForTheNextTry() throws InterruptedException {
        Optional<Instant> next = waiting.values().stream().map(Waiting::nextTry).min(Instant::compareTo);
        if (next.isPresent()) {
            long millis = Duration.between(Instant.now(), next.get()).toMillis();
            if (millis > 0) {
                stopping.await(Math.min(millis, POLL_TIMEOUT.toMillis()), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Commits every assigned partition's position: the records before it are handled. */
    private void commit() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition p : consumer.assignment()) {
            offsets.put(p, new OffsetAndMetadata(consumer.position(p)));
        }
        try {
            consumer.commitSync(offsets);
        } catch (CommitFailedException | RetriableException e) {
            log.warn("merge worker offset commit failed, the next one covers it group={} error={}", settings.groupId(),
                    e.toString());
        }
    }

    private void pause(Duration d) throws InterruptedException {
        stopping.await(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
