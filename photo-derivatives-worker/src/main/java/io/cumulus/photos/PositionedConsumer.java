package io.cumulus.photos;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.schemas.PoisonRecordException;

/**
 * The poll loop the photo library's consumers share: one thread reads a topic, hands each poll to a
 * {@link Handler} that writes it with the partitions' positions in the database, and starts each
 * partition it is given where the database says applying stopped (a partition never applied starts at
 * its beginning). So neither a stale nor a lost Kafka offset can skip or repeat a record; the group's
 * offsets are committed after each poll for lag and monitoring only.
 *
 * <p>A poll the handler asks to {@linkplain Retry retry} (a store down) is read again after a pause
 * that doubles up to a bound. A record that cannot be decoded ({@link PoisonRecordException}) or any
 * other failure stops the loop, reported by {@link #failure()}.
 */
public final class PositionedConsumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PositionedConsumer.class);
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    /** What the loop does with one poll. */
    @FunctionalInterface
    public interface Handler {
        /**
         * @throws Retry when the poll must be read again after a pause
         * @throws Exception anything else stops the loop
         */
        void handle(ConsumerRecords<byte[], byte[]> records) throws Exception;
    }

    /** Where applying stopped in each of the partitions that has a position. */
    @FunctionalInterface
    public interface Positions {
        Map<Integer, Long> read(List<Integer> partitions) throws SQLException;
    }

    /** A failure worth waiting out: the poll is read again. */
    public static final class Retry extends Exception {
        public Retry(Throwable cause) {
            super(cause);
        }
    }

    private final String name;
    private final String topic;
    private final Map<String, Object> properties;
    private final Positions positions;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final Handler handler;
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile Throwable failure;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;

    /**
     * @param name what the loop is, for its thread and its log lines ("photo worker", "album projection")
     */
    public PositionedConsumer(String name, String topic, Map<String, Object> consumerProperties, Positions positions,
            Duration firstBackoff, Duration maxBackoff, Handler handler) {
        this.name = name;
        this.topic = topic;
        this.properties = Map.copyOf(consumerProperties);
        this.positions = positions;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
        this.handler = handler;
    }

    /** Starts the poll loop on its own thread. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("the " + name + " was already started");
        }
        consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        thread = new Thread(this::run, "cumulus-" + name.replace(' ', '-'));
        thread.start();
    }

    /** Why the loop stopped on its own, if it did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** Whether the loop is running: started, not closed and not stopped by a failure. */
    public boolean isRunning() {
        Thread t = thread;
        return t != null && t.isAlive() && closing.getCount() > 0;
    }

    /** Whether {@link #close} was called: a handler in a long poll may stop early. */
    public boolean isClosing() {
        return closing.getCount() == 0;
    }

    @Override
    public synchronized void close() {
        closing.countDown();
        if (thread == null) {
            return;
        }
        consumer.wakeup();
        try {
            thread.join(CLOSE_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.error("{} did not stop within {}", name, CLOSE_TIMEOUT);
        }
    }

    private void run() {
        String group = String.valueOf(properties.get("group.id"));
        try {
            consumer.subscribe(List.of(topic), new SeekToPositions());
            Duration backoff = firstBackoff;
            while (closing.getCount() > 0) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL_TIMEOUT);
                if (records.isEmpty()) {
                    continue;
                }
                try {
                    handler.handle(records);
                } catch (Retry e) {
                    log.error("{} failed, retrying group={} records={} backoff={} error={}", name, group, records.count(),
                            backoff, e.getCause() == null ? e.toString() : e.getCause().toString());
                    rewind(records);
                    closing.await(backoff.toMillis(), TimeUnit.MILLISECONDS);
                    backoff = backoff.multipliedBy(2).compareTo(maxBackoff) <= 0 ? backoff.multipliedBy(2) : maxBackoff;
                    continue;
                }
                backoff = firstBackoff;
                commitProgress(group);
            }
        } catch (WakeupException e) {
            if (closing.getCount() > 0) {
                fail(group, e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (PoisonRecordException e) {
            log.error("poison record, {} stopped topic={} partition={} offset={}", name, e.topic(), e.partition(),
                    e.offset(), e);
            failure = e;
        } catch (Exception | Error e) {
            fail(group, e);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            log.info("{} stopped group={}", name, group);
        }
    }

    /**
     * When the positions cannot be read, starting at the beginning is still correct (the handler's
     * transaction skips what its positions have passed), only slower.
     */
    private final class SeekToPositions implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            Map<Integer, Long> stored;
            try {
                stored = positions.read(partitions.stream().map(TopicPartition::partition).toList());
            } catch (SQLException e) {
                log.warn("{} positions unreadable, reading the partitions from their start partitions={} error={}", name,
                        partitions, e.toString());
                consumer.seekToBeginning(partitions);
                return;
            }
            for (TopicPartition partition : partitions) {
                Long next = stored.get(partition.partition());
                if (next == null) {
                    consumer.seekToBeginning(List.of(partition));
                } else {
                    consumer.seek(partition, next);
                }
            }
            log.info("{} partitions assigned topic={} positions={}", name, topic, stored);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // Nothing to hand over: the positions are in the database with the rows they cover.
        }
    }

    private void rewind(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            consumer.seek(partition, records.records(partition).get(0).offset());
        }
    }

    private void commitProgress(String group) {
        try {
            consumer.commitSync();
        } catch (CommitFailedException | RetriableException e) {
            log.warn("offset commit failed, will be covered by the next one group={} error={}", group, e.toString());
        }
    }

    private void fail(String group, Throwable e) {
        log.error("{} stopped by an error group={}", name, group, e);
        failure = e;
    }
}
