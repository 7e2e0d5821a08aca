package io.cumulus.standalone.operations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

/**
 * How far each consumer group of this process's services is behind its topics, per partition, as
 * {@code cumulus_consumer_lag_records{group,topic,partition}}: the partition's end (its last stable
 * offset, as the read-committed consumers see it) minus the group's committed position. Read with the
 * admin client every {@link #EVERY}, so it needs nothing from the consumers themselves and covers a
 * Kafka Streams application (the reconciler, under its application id) as any other group. A process
 * whose services share a group with other processes reports the whole group: take the maximum per
 * partition across processes. A group's name is asked for at each measure: the reconciler's changes
 * with the generation of its stores that publishes (a rebuild switches it to another application id).
 * {@code cumulus_consumer_lag_age_seconds} says how old the figures are,
 * so a lag that stopped being measured is not mistaken for none.
 */
public final class ConsumerLag implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsumerLag.class);
    static final Duration EVERY = Duration.ofSeconds(5);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Admin admin;
    private final List<Supplier<String>> groups;
    private final MultiGauge lag;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cumulus-consumer-lag");
        t.setDaemon(true);
        return t;
    });
    private volatile long measuredAtNanos = System.nanoTime();
    private volatile boolean failing;

    /** @param groups the groups measured, each asked for its current name at every measure */
    public ConsumerLag(Admin admin, List<Supplier<String>> groups, MeterRegistry registry) {
        this.admin = admin;
        this.groups = List.copyOf(groups);
        this.lag = MultiGauge.builder("cumulus.consumer.lag").baseUnit("records")
                .description("Records of a partition the consumer group has not committed yet").register(registry);
        Gauge.builder("cumulus.consumer.lag.age", this, c -> (System.nanoTime() - c.measuredAtNanos) / 1e9)
                .baseUnit("seconds").description("Time since the consumer lag was last measured").register(registry);
    }

    /** Measures now, then every {@link #EVERY}. */
    public ConsumerLag start() {
        scheduler.scheduleWithFixedDelay(this::refresh, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    void refresh() {
        List<String> names = new ArrayList<>();
        try {
            groups.forEach(group -> names.add(group.get()));
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            for (String group : names) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
                committed.forEach((tp, offset) -> {
                    if (offset != null) {
                        latest.put(tp, OffsetSpec.latest());
                    }
                });
                Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(latest,
                        new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                ends.forEach((tp, end) -> rows.add(MultiGauge.Row.of(Tags.of("group", group, "topic", tp.topic(),
                        "partition", Integer.toString(tp.partition())), Math.max(0, end.offset() - committed.get(tp).offset()))));
            }
            lag.register(rows, true);
            measuredAtNanos = System.nanoTime();
            if (failing) {
                log.info("consumer lag measured again groups={}", names);
                failing = false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // Kept as last measured (its age grows); said once, not every few seconds.
            if (!failing) {
                log.warn("consumer lag not measured, trying again groups={} error={}", names, e.toString());
                failing = true;
            }
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
