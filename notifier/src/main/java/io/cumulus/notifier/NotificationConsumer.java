package io.cumulus.notifier;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.ChangeOutcome;
import io.cumulus.schemas.Correlation;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.PipelineStages;
import io.cumulus.schemas.SyncDuration;
import io.cumulus.schemas.Topics;

/**
 * Reads the file-event and outcome topics and hands each poll to the {@link NotificationFanout}.
 * Every notifier instance must see every record, so it reads all partitions itself, without a
 * consumer group, starting from the end: a push is only a hint to pull, and a device that connects
 * later pulls what it missed anyway. Partitions that appear later (a topic created after the start,
 * partitions added) are read from their beginning. Every outcome read is also handed to the
 * {@link OutcomeListener}s, if any.
 */
public final class NotificationConsumer implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(NotificationConsumer.class);
    private static final List<String> TOPICS = List.of(Topics.FILE_EVENTS, Topics.OUTCOMES);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
    private static final Duration PARTITION_REFRESH = Duration.ofSeconds(30);
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

    private final String bootstrapServers;
    private final NotificationFanout fanout;
    private final List<OutcomeListener> listeners;
    private final AvroSerde<FileEvent> fileEvents = AvroSerde.fileEvents();
    private final AvroSerde<ChangeOutcome> outcomes = AvroSerde.outcomes();
    private CountDownLatch stopping;
    private volatile boolean running;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;
    private Instant nextRefresh;

    public NotificationConsumer(String bootstrapServers, NotificationFanout fanout, List<OutcomeListener> listeners) {
        this.bootstrapServers = bootstrapServers;
        this.fanout = fanout;
        this.listeners = List.copyOf(listeners);
        SyncDuration.register();
    }

    /** Assigns every partition at its current end before returning, so nothing produced afterwards is missed. */
    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                // A push must leave well under a second after the event: never let the broker sit on a fetch.
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20,
                // Topics are created with their retention by TopicSpecs, never implicitly by a reader.
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            Set<TopicPartition> initial = currentPartitions();
            consumer.assign(initial);
            consumer.seekToEnd(initial);
            initial.forEach(p -> consumer.position(p, STARTUP_TIMEOUT));
        } catch (KafkaException e) {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            throw e;
        }
        int assigned = consumer.assignment().size();
        nextRefresh = Instant.now().plus(PARTITION_REFRESH);
        stopping = new CountDownLatch(1);
        running = true;
        // Positioned: every outcome produced from here on will be read.
        listeners.forEach(OutcomeListener::reading);
        // From here on only the consumer thread touches the consumer (KafkaConsumer is single-threaded).
        thread = new Thread(this::run, "cumulus-notifier-consumer");
        thread.start();
        log.info("notifier consumer started partitions={}", assigned);
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
            while (running) {
                ConsumerRecords<byte[], byte[]> records;
                try {
                    if (consumer.assignment().isEmpty()) {
                        // The topics do not exist yet: look for them again shortly.
                        nextRefresh = Instant.now();
                        refreshPartitionsWhenDue();
                        stopping.await(POLL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                        continue;
                    }
                    records = consumer.poll(POLL_TIMEOUT);
                    refreshPartitionsWhenDue();
                } catch (WakeupException | InterruptedException e) {
                    break;
                } catch (KafkaException e) {
                    // Pushes are hints; staying up and polling again is better than leaving every device silent.
                    log.error("notifier poll failed, polling again error={}", e.toString());
                    continue;
                }
                if (!records.isEmpty()) {
                    push(records);
                }
            }
        } finally {
            // However the loop ended, no more outcomes will be read.
            listeners.forEach(OutcomeListener::stopped);
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            log.info("notifier consumer stopped");
        }
    }

    private void push(ConsumerRecords<byte[], byte[]> records) {
        List<FileEvent> events = new ArrayList<>();
        List<ChangeOutcome> verdicts = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            try (Correlation.Scope scope = Correlation.scope(record.headers())) {
                if (record.topic().equals(Topics.FILE_EVENTS)) {
                    events.add(fileEvents.decode(record.value()));
                } else {
                    verdicts.add(outcomes.decode(record.value()));
                }
            } catch (RuntimeException e) {
                // Nothing can be pushed for a record nobody can read; the projector stops on it and says so.
                log.error("undecodable record not pushed topic={} partition={} offset={} error={}", record.topic(),
                        record.partition(), record.offset(), e.toString());
            }
        }
        if (!verdicts.isEmpty()) {
            listeners.forEach(l -> l.decided(verdicts));
        }
        NotificationFanout.Pushes pushes = fanout.publish(events, verdicts);
        // Every record is stamped with its batch's acceptance time.
        records.forEach(r -> {
            PipelineStages.sinceEpoch(PipelineStages.ACCEPTED_TO_PUSHED, r.timestamp());
            SyncDuration.since(SyncDuration.UNTIL_PUSHED, r.timestamp());
        });
        // Once per batch (its first change's outcome): from acceptance until its outcome is decided and read.
        verdicts.stream().filter(v -> v.getChangeIndex() == 0)
                .forEach(v -> SyncDuration.since(SyncDuration.UNTIL_APPLIED, v.getDecidedAt()));
        log.debug("pushed namespaces={} outcomes={} frames={}", pushes.namespaceChanges(), pushes.outcomes(),
                pushes.frames());
        if (log.isDebugEnabled()) {
            Correlation.forEach(records, r -> log.debug("record pushed topic={} partition={} offset={}", r.topic(),
                    r.partition(), r.offset()));
        }
    }

    private void refreshPartitionsWhenDue() {
        if (Instant.now().isBefore(nextRefresh)) {
            return;
        }
        nextRefresh = Instant.now().plus(PARTITION_REFRESH);
        Set<TopicPartition> found = currentPartitions();
        Set<TopicPartition> added = new HashSet<>(found);
        added.removeAll(consumer.assignment());
        if (!added.isEmpty()) {
            Set<TopicPartition> all = new HashSet<>(consumer.assignment());
            all.addAll(added);
            consumer.assign(all);
            consumer.seekToBeginning(added);
            log.info("notifier reads new partitions partitions={}", added);
        }
    }

    private Set<TopicPartition> currentPartitions() {
        Set<TopicPartition> partitions = new HashSet<>();
        for (String topic : TOPICS) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic);
            if (infos != null) {
                infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
            }
        }
        return partitions;
    }
}
