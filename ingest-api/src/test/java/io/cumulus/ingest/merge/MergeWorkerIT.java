package io.cumulus.ingest.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import io.cumulus.embedded.testing.TestServers;
import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Device;
import io.cumulus.ingest.IngestDatabase;
import io.cumulus.ingest.RunningIngestApi;
import io.cumulus.ingest.changes.BatchIntake;
import io.cumulus.ingest.chunks.BlobStore;
import io.cumulus.ingest.chunks.ChunkCatalog;
import io.cumulus.ingest.reads.ReadModel;
import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.ChangeBatchSubmitted;
import io.cumulus.schemas.ChunkRef;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.FileOp;
import io.cumulus.schemas.VersionEntry;
import io.cumulus.sync.conflict.ConflictPolicy;

/**
 * The merge worker against a real broker and PostgreSQL, over read-model rows these tests write as
 * the projector would: a copy waiting for its merge is released when the worker gives up on it, under
 * the merge's idempotency key, however often it is handled; a copy shown already, or changed since,
 * gets no batch.
 */
class MergeWorkerIT {
    private static final OffsetDateTime T0 = OffsetDateTime.of(2026, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC);
    /** A chunk no one uploaded: a version made of it cannot be read. */
    private static final String UNREADABLE = "e".repeat(64);
    private static final Duration GIVE_UP = Duration.ofSeconds(1);

    private static RunningIngestApi api;
    private static ApiClient client;
    private static KafkaProducer<String, byte[]> producer;

    private final String topic = "merge-it-" + UUID.randomUUID();
    private final List<MergeWorker> workers = new ArrayList<>();

    @BeforeAll
    static void start() {
        api = RunningIngestApi.start();
        client = api.client();
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafka().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void stopWorkers() {
        workers.forEach(MergeWorker::stop);
    }

    @AfterAll
    static void stop() {
        producer.close();
        api.close();
    }

    /** A worker in a consumer group of its own, reading this test's topic from its start. */
    private void startWorker() {
        ConfigurableApplicationContext ctx = api.context();
        ConflictMerger merger = new ConflictMerger(ctx.getBean(ReadModel.class), ctx.getBean(BlobStore.class),
                ctx.getBean(ChunkCatalog.class), ctx.getBean(BatchIntake.class), ctx.getBean(IngestDatabase.class),
                ConflictPolicy.defaults());
        MergeWorker worker = new MergeWorker(new MergeSettings(true, TestServers.kafka().bootstrapServers(),
                "merge-it-" + UUID.randomUUID(), topic, Duration.ofMillis(200), GIVE_UP), merger);
        workers.add(worker);
        worker.start();
    }

    /** notes.txt written twice on the laptop, of chunks no one can read, and the phone's concurrent copy of it. */
    private record Conflicted(Device laptop, Device phone, String copyChunk, FileEvent copy) {
        String namespace() {
            return laptop.namespace();
        }
    }

    private Conflicted aConflict(boolean mergePending) {
        Device laptop = client.newAccountWithDevice("merging", "Laptop");
        Device phone = client.registerDevice(laptop.username(), "Phone");
        String chunk = client.upload(phone, "line from the phone\n".getBytes(StandardCharsets.UTF_8));
        String ns = laptop.namespace();
        row(ns, 1, "o", "notes.txt", "UPSERT", Map.of(laptop.id(), 1L), UNREADABLE, laptop.id(), null, false);
        row(ns, 2, "o", "notes.txt", "UPSERT", Map.of(laptop.id(), 2L), UNREADABLE, laptop.id(), null, false);
        FileEvent copy = FileEvent.newBuilder().setNamespaceId(ns).setSeq(3).setFileId("conflict-b-0")
                .setPath("notes (Phone's conflicted copy 2026-01-02).txt").setOp(FileOp.UPSERT)
                .setVector(List.of(new VersionEntry(laptop.id(), 1L), new VersionEntry(phone.id(), 1L)))
                .setChunks(List.of(new ChunkRef(chunk, 20L))).setSize(20L).setDeviceId(phone.id()).setBatchId("b")
                .setChangeIndex(0).setAt(T0.toInstant().toEpochMilli()).setConflictOf("o").setMergePending(mergePending)
                .build();
        row(ns, 3, copy.getFileId(), copy.getPath(), "UPSERT", Map.of(laptop.id(), 1L, phone.id(), 1L), chunk, phone.id(),
                "o", mergePending);
        return new Conflicted(laptop, phone, chunk, copy);
    }

    /** A feed row and the file's row, as the projector writes them for one event. */
    private static void row(String ns, long seq, String fileId, String path, String op, Map<String, Long> vector,
                            String chunk, String deviceId, String conflictOf, boolean mergePending) {
        String vectorJson = vector.entrySet().stream().map(e -> "\"" + e.getKey() + "\": " + e.getValue())
                .reduce((a, b) -> a + ", " + b).map(v -> "{" + v + "}").orElseThrow();
        String chunks = op.equals("DELETE") ? "[]" : "[{\"id\": \"" + chunk + "\", \"size\": 20}]";
        api.execute("""
                insert into readmodel.feed (namespace_id, seq, file_id, path, op, vector, chunks, size, device_id, batch_id,
                                            change_index, conflict_of, at, merge_pending)
                values (?::uuid, ?, ?, ?, ?, ?::jsonb, ?::jsonb, 20, ?, ?, 0, ?, ?, ?)""",
                ns, seq, fileId, path, op, vectorJson, chunks, deviceId, "batch-" + seq, conflictOf, T0.plusSeconds(seq),
                mergePending);
        api.execute("""
                insert into readmodel.files (namespace_id, file_id, path, deleted, vector, chunks, size, seq, device_id,
                                             updated_at, merge_pending)
                values (?::uuid, ?, ?, ?, ?::jsonb, ?::jsonb, 20, ?, ?, ?, ?)
                on conflict (namespace_id, file_id) do update set deleted = excluded.deleted, vector = excluded.vector,
                    chunks = excluded.chunks, seq = excluded.seq, merge_pending = excluded.merge_pending""",
                ns, fileId, path, op.equals("DELETE"), vectorJson, chunks, seq, deviceId, T0.plusSeconds(seq), mergePending);
        // As the intake would have: each device's own counter, claimed in a batch it submitted.
        api.execute("""
                insert into ingest.device_counters (namespace_id, device, max_counter)
                select ?::uuid, e.key, e.value::bigint from jsonb_each_text(?::jsonb) as e(key, value)
                on conflict (namespace_id, device) do update
                    set max_counter = greatest(ingest.device_counters.max_counter, excluded.max_counter)""", ns, vectorJson);
    }

    private void produce(FileEvent event) {
        try {
            producer.send(new ProducerRecord<>(topic, event.getNamespaceId(), AvroSerde.fileEvents().encode(event))).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    private void createTopic() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestServers.kafka().bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The batches the account submitted under the copy's merge key, decoded from the outbox. */
    private static List<ChangeBatchSubmitted> mergeBatches(Conflicted c) throws SQLException {
        List<ChangeBatchSubmitted> batches = new ArrayList<>();
        try (Connection conn = api.postgres().dataSource().getConnection();
             PreparedStatement s = conn.prepareStatement("""
                     select o.payload from ingest.batches b join ingest.outbox o on o.batch_id = b.id
                     where b.account_id = ?::uuid and b.idempotency_key = ?""")) {
            s.setString(1, c.laptop().accountId());
            s.setString(2, "merge:" + c.copy().getFileId());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    batches.add(AvroSerde.changeBatches().decode(rs.getBytes(1)));
                }
            }
        }
        return batches;
    }

    private static long batchesOf(Conflicted c) {
        return api.count("select count(*) from ingest.batches where account_id = ?::uuid", c.laptop().accountId());
    }

    @Test
    void aCopyWaitingForAMergeThatCannotBeReadIsReleasedOnceTheWorkerGivesUpAndOnlyOnce() throws Exception {
        // given a copy waiting for its merge, whose original's versions cannot be read
        createTopic();
        Conflicted c = aConflict(true);
        produce(c.copy());

        // when the worker tries it until it gives up
        startWorker();

        // then it submits one batch under the merge key: the copy written again as it is, one counter on
        await().atMost(Duration.ofSeconds(30)).until(() -> mergeBatches(c).size() == 1);
        ChangeBatchSubmitted release = mergeBatches(c).getFirst();
        String mergeDevice = MergeDevice.idFor(UUID.fromString(c.laptop().accountId())).toString();
        assertThat(release.getDeviceId()).isEqualTo(mergeDevice);
        assertThat(release.getDeviceName()).isEqualTo(MergeDevice.NAME);
        assertThat(release.getChanges()).singleElement().satisfies(change -> {
            assertThat(change.getFileId()).isEqualTo(c.copy().getFileId());
            assertThat(change.getPath()).isEqualTo(c.copy().getPath());
            assertThat(change.getOp()).isEqualTo(FileOp.UPSERT);
            assertThat(change.getChunks()).isEqualTo(c.copy().getChunks());
            assertThat(change.getVector()).containsExactlyInAnyOrder(new VersionEntry(c.laptop().id(), 1L),
                    new VersionEntry(c.phone().id(), 1L), new VersionEntry(mergeDevice, 1L));
        });

        // and a second worker handling the same event (a redelivery) submits nothing new
        startWorker();
        Thread.sleep(GIVE_UP.multipliedBy(4).toMillis());
        assertThat(mergeBatches(c)).containsExactly(release);
        assertThat(batchesOf(c)).isEqualTo(1);
    }

    @Test
    void aCopyShownAlreadyOrChangedSinceGetsNoBatch() throws Exception {
        // given a copy not waiting for a merge (made while merging was off), and a waiting copy deleted since
        createTopic();
        Conflicted shown = aConflict(false);
        Conflicted deleted = aConflict(true);
        row(deleted.namespace(), 4, deleted.copy().getFileId(), deleted.copy().getPath(), "DELETE",
                Map.of(deleted.laptop().id(), 2L, deleted.phone().id(), 1L), null, deleted.laptop().id(), null, false);
        produce(shown.copy());
        produce(deleted.copy());
        // and after them, a copy that will be released, which shows the worker got past both
        Conflicted last = aConflict(true);
        produce(last.copy());

        // when the worker handles them, giving up on what it cannot read
        startWorker();
        await().atMost(Duration.ofSeconds(30)).until(() -> mergeBatches(last).size() == 1);

        // then neither of the first two got a batch
        assertThat(batchesOf(shown)).isZero();
        assertThat(batchesOf(deleted)).isZero();
    }
}
