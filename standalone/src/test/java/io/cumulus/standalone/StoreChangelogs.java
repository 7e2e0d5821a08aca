package io.cumulus.standalone;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What a Kafka Streams application's state stores hold, read from outside the application: each
 * store's changelog topic ({@code APPLICATION-STORE-changelog}), read committed from its start to
 * its end, keeping the last value of each key (a tombstone removes it). Under exactly-once a store
 * and its changelog commit together, so once the application is idle this is exactly its stores'
 * contents, whichever instance holds them.
 */
final class StoreChangelogs {
    private static final String SUFFIX = "-changelog";

    private final String bootstrapServers;

    StoreChangelogs(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * The application id of the live generation of an application's stores: {@code base} itself, or
     * {@code base-gN} after a rebuild, whichever has the highest N among those whose changelog of
     * {@code store} exists (a switch drops the older generation's changelogs).
     */
    String liveApplicationId(String base, String store) {
        String live = base;
        int highest = 1;
        for (String topic : topics()) {
            if (topic.startsWith(base + "-g") && topic.endsWith("-" + store + SUFFIX)) {
                String generation = topic.substring(base.length() + 2, topic.length() - store.length() - SUFFIX.length() - 1);
                if (generation.chars().allMatch(Character::isDigit) && Integer.parseInt(generation) > highest) {
                    highest = Integer.parseInt(generation);
                    live = base + "-g" + generation;
                }
            }
        }
        return live;
    }

    /** The stores of an application that have a changelog, by store name. */
    Set<String> stores(String applicationId) {
        Set<String> stores = new java.util.TreeSet<>();
        for (String topic : topics()) {
            String store = topic.startsWith(applicationId + "-") && topic.endsWith(SUFFIX)
                    ? topic.substring(applicationId.length() + 1, topic.length() - SUFFIX.length()) : "";
            // another application's changelogs may share the prefix: base-g2-file-states-changelog is not base's
            if (!store.isEmpty() && !store.matches("g\\d+-.*")) {
                stores.add(store);
            }
        }
        return stores;
    }

    private Set<String> topics() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot list the topics of " + bootstrapServers, e);
        }
    }

    /** Each store's contents as a SHA-256 over its keys and values in key order, by store name. */
    Map<String, String> digests(String applicationId) {
        Map<String, String> digests = new TreeMap<>();
        for (String store : stores(applicationId)) {
            digests.put(store, digest(contents(applicationId + "-" + store + SUFFIX)));
        }
        return digests;
    }

    /** The last committed value of every key of a changelog, keys as hex, in key order. */
    Map<String, byte[]> contents(String topic) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // Under read_committed the end offsets are the last stable offsets: nothing past them is decided.
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            Map<String, byte[]> contents = new TreeMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + topic + " took over a minute");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() >= ends.get(new TopicPartition(r.topic(), r.partition()))) {
                        continue;
                    }
                    String key = HexFormat.of().formatHex(r.key());
                    if (r.value() == null) {
                        contents.remove(key);
                    } else {
                        contents.put(key, r.value());
                    }
                }
            }
            return contents;
        }
    }

    private static String digest(Map<String, byte[]> contents) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            contents.forEach((key, value) -> {
                byte[] k = HexFormat.of().parseHex(key);
                sha.update(java.nio.ByteBuffer.allocate(8).putInt(k.length).putInt(value.length).array());
                sha.update(k);
                sha.update(value);
            });
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
