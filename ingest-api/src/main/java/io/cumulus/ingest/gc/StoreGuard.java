package io.cumulus.ingest.gc;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.ingest.IngestDatabase;

/**
 * Keeps the collector from deleting on the word of a derived store that was lost or reset while it
 * ran. Each store a deletion decision reads ({@code gc}: the counts; {@code readmodel}: the file
 * versions; {@code photos}: the derivatives) records, in its {@code consumer_positions}, how far it has
 * read its topic. In normal operation those positions only move forward (a rebuild's switch only
 * replaces a store by one at least as far), so a position that went back or vanished means the store
 * was emptied, dropped or reset, and what it says is not the truth.
 * <ul>
 * <li>At the start of a sweep ({@link #snapshot()}) each store's positions must cover every partition
 *     of its topic that has records; else the sweep deletes nothing ("chunk collection waits for ...").
 *     The positions read are the snapshot.</li>
 * <li>In every transaction that decides a deletion, before deciding ({@link #lostSince}), the positions
 *     are read again ({@code FOR KEY SHARE}: a TRUNCATE, DROP or DELETE of them waits for that
 *     transaction); if one went back or vanished the sweep stops.</li>
 * </ul>
 * The photo library is optional (a deployment without the photo worker has none, or an empty one): it is
 * guarded once its positions were seen covering its topic (recorded in {@code ingest.gc_guarded_stores},
 * which is not a derived store and survives their loss and restarts); from then on an absent or empty
 * photo library stops collection until a rebuild restores it. Before that it is read as it is.
 * Not thread-safe: one collector thread uses one instance.
 */
public final class StoreGuard implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StoreGuard.class);
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(10);

    /** A derived store: its schema (whose {@code consumer_positions} it keeps) and the topic it reads. */
    record Store(String schema, String topic, boolean optional) {
        String positions() {
            return schema + ".consumer_positions";
        }
    }

    /** The positions of each guarded store at the start of a sweep. */
    record Snapshot(Map<Store, Map<Integer, Long>> positions) {
    }

    private final IngestDatabase db;
    private final String bootstrapServers;
    private final List<Store> stores;
    private KafkaConsumer<byte[], byte[]> kafka;

    StoreGuard(IngestDatabase db, String bootstrapServers, List<Store> stores) {
        this.db = Objects.requireNonNull(db, "db");
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.stores = List.copyOf(stores);
    }

    /** The stores the collector's decisions read: the counts, the read model and, where it runs, the photo library. */
    public static StoreGuard of(IngestDatabase db, String bootstrapServers, String chunkRefsTopic, String fileEventsTopic) {
        return new StoreGuard(db, bootstrapServers, List.of(new Store("gc", chunkRefsTopic, false),
                new Store("readmodel", fileEventsTopic, false), new Store("photos", fileEventsTopic, true)));
    }

    /** Each guarded store's positions, or empty (logged) when one does not cover its topic: then nothing may be deleted. */
    Optional<Snapshot> snapshot() {
        Map<Store, Map<Integer, Long>> snapshot = new LinkedHashMap<>();
        Map<String, Map<Integer, Long>> ends = new HashMap<>();
        for (Store store : stores) {
            boolean exists = exists(store);
            boolean guarded = !store.optional() || guarded(store);
            if (!exists) {
                if (guarded) {
                    log.info("chunk collection waits for {}: its positions table {} is gone (lost, or being rebuilt)",
                            store.schema(), store.positions());
                    return Optional.empty();
                }
                continue;
            }
            Map<Integer, Long> positions = positions(store, false);
            Map<Integer, Long> topicEnds = ends.computeIfAbsent(store.topic(), this::ends);
            Map<Integer, Long> uncovered = new TreeMap<>();
            topicEnds.forEach((partition, end) -> {
                if (positions.getOrDefault(partition, 0L) <= 0) {
                    uncovered.put(partition, end);
                }
            });
            if (!guarded) {
                if (positions.isEmpty()) {
                    continue; // never written here: a deployment whose photo worker does not run
                }
                if (uncovered.isEmpty()) {
                    db.jdbc().sql("INSERT INTO ingest.gc_guarded_stores (store, topic) VALUES (?, ?) ON CONFLICT DO NOTHING")
                            .params(store.schema(), store.topic()).update();
                    log.info("chunk collection guards {} from now on: its positions cover topic={}", store.schema(),
                            store.topic());
                }
            }
            if (!uncovered.isEmpty()) {
                log.info("chunk collection waits for {} to cover every partition of topic={} with records "
                                + "(lost or reset, being rebuilt, or not started) partitionsUncovered={}",
                        store.schema(), store.topic(), uncovered.keySet());
                return Optional.empty();
            }
            snapshot.put(store, positions);
        }
        return Optional.of(new Snapshot(snapshot));
    }

    /**
     * Call inside the transaction that decides a deletion, before it reads anything the decision rests
     * on: why the snapshot no longer holds (a store's positions went back or vanished), or empty. The
     * positions read stay locked against deletion until the transaction ends.
     */
    Optional<String> lostSince(Snapshot snapshot) {
        for (Map.Entry<Store, Map<Integer, Long>> e : snapshot.positions().entrySet()) {
            Store store = e.getKey();
            if (!exists(store)) {
                return Optional.of(store.schema() + ": " + store.positions() + " is gone");
            }
            Map<Integer, Long> now = positions(store, true);
            for (Map.Entry<Integer, Long> before : e.getValue().entrySet()) {
                Long at = now.get(before.getKey());
                if (at == null || at < before.getValue()) {
                    return Optional.of(store.schema() + ": position of topic=" + store.topic() + " partition="
                            + before.getKey() + " went from " + before.getValue() + " to " + (at == null ? "none" : at));
                }
            }
        }
        return Optional.empty();
    }

    private boolean exists(Store store) {
        return Boolean.TRUE.equals(db.jdbc().sql("SELECT to_regclass(?) IS NOT NULL").param(store.positions())
                .query(Boolean.class).single());
    }

    private boolean guarded(Store store) {
        return db.jdbc().sql("SELECT count(*) FROM ingest.gc_guarded_stores WHERE store = ? AND topic = ?")
                .params(store.schema(), store.topic()).query(Long.class).single() > 0;
    }

    private Map<Integer, Long> positions(Store store, boolean lock) {
        Map<Integer, Long> positions = new HashMap<>();
        db.jdbc().sql("SELECT partition, next_offset FROM " + store.positions() + " WHERE topic = ?"
                        + (lock ? " FOR KEY SHARE" : ""))
                .param(store.topic())
                .query(rs -> {
                    positions.put(rs.getInt("partition"), rs.getLong("next_offset"));
                });
        return positions;
    }

    /** The end offset of each partition of {@code topic} that has records (none when the topic does not exist). */
    private Map<Integer, Long> ends(String topic) {
        if (kafka == null) {
            kafka = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted",
                    ConsumerConfig.CLIENT_ID_CONFIG, "cumulus-chunk-collector-guard",
                    ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) KAFKA_TIMEOUT.toMillis(),
                    ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) KAFKA_TIMEOUT.toMillis()),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }
        List<PartitionInfo> partitions = kafka.partitionsFor(topic, KAFKA_TIMEOUT);
        Map<Integer, Long> ends = new HashMap<>();
        if (partitions == null || partitions.isEmpty()) {
            return ends;
        }
        kafka.endOffsets(partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList(), KAFKA_TIMEOUT)
                .forEach((tp, end) -> {
                    if (end > 0) {
                        ends.put(tp.partition(), end);
                    }
                });
        return ends;
    }

    @Override
    public void close() {
        if (kafka != null) {
            kafka.close(Duration.ofSeconds(5));
            kafka = null;
        }
    }
}
