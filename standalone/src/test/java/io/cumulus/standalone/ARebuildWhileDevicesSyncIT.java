package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.standalone.CumulusClient.Device;
import tools.jackson.databind.JsonNode;

/**
 * Every projection rebuilt while two devices of one account keep syncing (their own files, a file
 * both edit, now and then a photo): the rebuilds switch without losing an edit, the devices
 * converge, and once everything is idle the stores the rebuilds left (and the live workers carried
 * on) equal the stores a second rebuild computes from the topics alone.
 */
class ARebuildWhileDevicesSyncIT {
    private static final List<String> PROJECTIONS = List.of("readmodel", "chunk-refs", "photos", "reconciler");
    /** The projections whose topics every edit writes to: a rebuild of them must have caught up on some. */
    private static final List<String> CAUGHT_UP = List.of("readmodel", "chunk-refs");

    private static StandaloneServer server;
    private static CumulusClient client;
    private static DerivedTables tables;
    private static StoreChangelogs changelogs;
    private static AdminRebuilds rebuilds;

    @BeforeAll
    static void start() {
        server = CollectingCumulus.get();
        client = new CumulusClient(server.baseUrl());
        tables = new DerivedTables(server.postgres().dataSource());
        changelogs = new StoreChangelogs(server.bootstrapServers());
        rebuilds = new AdminRebuilds(client, CollectingCumulus.adminToken());
    }

    @Test
    void devicesSyncingThroughEveryRebuildConvergeAndLoseNoEdit() throws Exception {
        // given two devices of one account that keep syncing, and have made a few edits already
        String user = "sync-" + UUID.randomUUID().toString().substring(0, 8);
        Device laptopLogin = client.newAccountWithDevice(CollectingCumulus.adminToken(), user, "Laptop");
        Device phoneLogin = client.registerDevice(user, "Phone");
        SyncingDevice laptop = new SyncingDevice(client, laptopLogin, "laptop", true, 8);
        SyncingDevice phone = new SyncingDevice(client, phoneLogin, "phone", false, 1);
        List<Thread> threads = List.of(new Thread(laptop, "laptop"), new Thread(phone, "phone"));
        threads.forEach(Thread::start);
        awaitEdits(laptop, phone, 10);

        // when every projection is rebuilt at once while they go on
        int editsBefore = laptop.edits().size() + phone.edits().size();
        List<JsonNode> finished = rebuildAtOnce(PROJECTIONS);
        // and the read model and the counts again, until each has had a rebuild during which records were
        // written to its topics (so its switch caught up on what the live worker wrote meanwhile)
        Set<String> caughtUp = new HashSet<>();
        for (int round = 1; round <= 10; round++) {
            finished.stream().filter(s -> writtenWhileItRan(s) > 0).forEach(s -> caughtUp.add(s.get("projection").asString()));
            List<String> again = CAUGHT_UP.stream().filter(p -> !caughtUp.contains(p)).toList();
            if (again.isEmpty()) {
                break;
            }
            finished = rebuildAtOnce(again);
        }
        int editsDuring = laptop.edits().size() + phone.edits().size() - editsBefore;
        // and the devices go on after the switches, then stop
        awaitEdits(laptop, phone, laptop.edits().size() + phone.edits().size() + 10);
        laptop.stop();
        phone.stop();
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(60).toMillis());
        }
        assertThat(laptop.failure()).isEmpty();
        assertThat(phone.failure()).isEmpty();
        System.out.printf("[rebuild-sync] %d edits before the rebuilds, %d while they ran, %d in all, %d conflicts%n",
                editsBefore, editsDuring, laptop.edits().size() + phone.edits().size(),
                java.util.stream.Stream.concat(laptop.edits().stream(), phone.edits().stream())
                        .filter(e -> e.kind().equals("CONFLICT")).count());
        assertThat(editsDuring).as("edits made while the rebuilds ran").isPositive();
        assertThat(caughtUp).as("rebuilds during which records were written to their topics").containsAll(CAUGHT_UP);

        // then the devices converge on what the server lists
        Settled live = Settled.await(tables, changelogs);
        laptop.pull();
        phone.pull();
        assertThat(laptop.liveFiles()).isEqualTo(phone.liveFiles()).isEqualTo(listed(laptopLogin));
        // and no edit is lost: each one is in the history, the file's own or its conflicted copy's
        JsonNode feed = feed(laptopLogin);
        Set<String> batches = new HashSet<>();
        Set<String> chunks = new HashSet<>();
        feed.forEach(c -> {
            batches.add(c.get("batchId").asString());
            c.get("chunks").forEach(ch -> chunks.add(ch.get("id").asString()));
        });
        for (SyncingDevice device : List.of(laptop, phone)) {
            for (SyncingDevice.Edit edit : device.edits()) {
                assertThat(batches).as("the batch of %s", edit).contains(edit.batchId());
                assertThat(chunks).as("the content of %s", edit).contains(edit.chunkId());
            }
        }
        // and the collector, sweeping all along on a one-second grace period, deleted no chunk the history holds
        Map<String, String> catalogued = new ChunkTables(server).states();
        assertThat(chunks).allSatisfy(chunk -> assertThat(catalogued).containsEntry(chunk, "stored"));
        // and each of a device's own files holds its last edit
        for (SyncingDevice.Edit last : lastEditOfOwnFiles(laptop, phone)) {
            assertThat(laptop.liveFiles().get(last.fileId())).contains(last.chunkId());
        }

        // and the stores the rebuilds left, carried on by the live workers, equal a rebuild from the topics alone
        for (String projection : PROJECTIONS) {
            rebuilds.rebuild(projection);
        }
        Settled fresh = Settled.await(tables, changelogs);
        assertThat(fresh.tables().digests()).as(() -> live.tables().differences(fresh.tables()))
                .isEqualTo(live.tables().digests());
        assertThat(fresh.stores()).isEqualTo(live.stores());
        assertThat(finished).extracting(s -> s.get("generation").asInt()).allMatch(g -> g >= 2);
    }

    /**
     * Starts a rebuild of each projection at once, waits until all have switched, and answers their last
     * statuses, each with {@code writtenWhileItRan}: the records its topics gained from just before it
     * started until it switched.
     */
    private static List<JsonNode> rebuildAtOnce(List<String> projections) {
        Map<String, Long> endsBefore = endOffsets();
        List<String> ids = projections.stream().map(rebuilds::start).toList();
        List<JsonNode> finished = new ArrayList<>();
        for (String id : ids) {
            tools.jackson.databind.node.ObjectNode status = (tools.jackson.databind.node.ObjectNode) rebuilds.awaitDone(id);
            long written = 0;
            for (JsonNode p : status.get("partitions")) {
                written += p.get("total").asLong()
                        - endsBefore.getOrDefault(p.get("topic").asString() + "/" + p.get("partition").asInt(), 0L);
            }
            status.put("writtenWhileItRan", written);
            System.out.printf("[rebuild-sync] %s: %d records written to its topics while it ran%n",
                    status.get("projection").asString(), written);
            finished.add(status);
        }
        return finished;
    }

    private static long writtenWhileItRan(JsonNode rebuild) {
        return rebuild.get("writtenWhileItRan").asLong();
    }

    /** The end offset (last stable offset) of every partition of every Cumulus topic, by {@code topic/partition}. */
    private static Map<String, Long> endOffsets() {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.listTopics(Duration.ofSeconds(30)).forEach((topic, infos) -> {
                if (topic.startsWith("cumulus.")) {
                    infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
                }
            });
            Map<String, Long> ends = new TreeMap<>();
            consumer.endOffsets(partitions, Duration.ofSeconds(30)).forEach((tp, end) -> ends.put(tp.topic() + "/" + tp.partition(), end));
            return ends;
        }
    }

    private static void awaitEdits(SyncingDevice laptop, SyncingDevice phone, int atLeast) {
        await("edits").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            laptop.failure().ifPresent(t -> { throw new AssertionError("the laptop stopped", t); });
            phone.failure().ifPresent(t -> { throw new AssertionError("the phone stopped", t); });
            return laptop.edits().size() + phone.edits().size() >= atLeast;
        });
    }

    private static List<SyncingDevice.Edit> lastEditOfOwnFiles(SyncingDevice... devices) {
        Map<String, SyncingDevice.Edit> last = new TreeMap<>();
        for (SyncingDevice device : devices) {
            for (SyncingDevice.Edit edit : device.edits()) {
                if (!edit.fileId().equals(SyncingDevice.SHARED)) {
                    last.put(edit.fileId(), edit);
                }
            }
        }
        return List.copyOf(last.values());
    }

    private static JsonNode feed(Device reader) {
        List<JsonNode> all = new ArrayList<>();
        long after = 0;
        while (true) {
            JsonNode changes = client.get(reader, "/v1/namespaces/" + reader.namespace() + "/changes?after=" + after)
                    .json().get("changes");
            if (changes.isEmpty()) {
                return CumulusClient.JSON.valueToTree(all);
            }
            changes.forEach(all::add);
            after = changes.get(changes.size() - 1).get("seq").asLong();
        }
    }

    private static Map<String, String> listed(Device reader) {
        Map<String, String> files = new TreeMap<>();
        client.get(reader, "/v1/namespaces/" + reader.namespace() + "/files").json().get("files")
                .forEach(f -> files.put(f.get("fileId").asString(), f.get("path").asString() + " " + f.get("chunks")));
        return files;
    }
}
