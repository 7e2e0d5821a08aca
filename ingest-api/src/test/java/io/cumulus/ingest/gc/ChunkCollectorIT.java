package io.cumulus.ingest.gc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.testing.TestServers;
import io.cumulus.gc.GcSchema;
import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Device;
import io.cumulus.ingest.IngestDatabase;
import io.cumulus.ingest.RunningIngestApi;
import io.cumulus.ingest.chunks.BlobStore;
import io.cumulus.ingest.chunks.ChunkCatalog;
import io.cumulus.ingest.chunks.ChunkId;
import io.cumulus.ingest.chunks.DerivativeStore;
import io.cumulus.ingest.gc.ChunkCollector.Step;
import io.cumulus.ingest.gc.ChunkCollector.Sweep;
import io.cumulus.sync.gc.KeepReason;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The chunk collector against the real PostgreSQL, blob directory and Kafka broker: what it deletes,
 * what it keeps and why, and that a collector stopped between any two steps of a deletion leaves
 * either a live chunk or a deletion the next sweep finishes, never a stored row without its object.
 * Times are moved back in the database instead of waited for.
 */
class ChunkCollectorIT {
    private static final Duration GRACE = Duration.ofSeconds(1);
    private static RunningIngestApi api;
    private static ApiClient client;
    private static String topic;
    /** The file events topic the collectors' read model and photo library are said to read: no records, nothing to cover. */
    private static String files;
    private static List<ChunkCollector> collectors = new ArrayList<>();

    /** What a killed collector leaves: it stops where it is, and nothing of it runs again. */
    static final class Killed extends Error {
        Killed(Step step) {
            super("collector killed after " + step);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        api = RunningIngestApi.start();
        client = api.client();
        GcSchema.migrate(api.postgres().dataSource());
        topic = newTopic();
        files = newTopic();
    }

    private static String newTopic() throws Exception {
        String name = "chunk-refs-collector-it-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestServers.kafka().bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(name, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        return name;
    }

    @AfterAll
    static void stop() {
        collectors.forEach(ChunkCollector::stop);
        api.close();
    }

    @BeforeEach
    void earlierChunksOutOfTheWay() {
        // Each test judges only its own chunks: the others' uploads look recent.
        api.execute("UPDATE ingest.chunks SET last_uploaded_at = now() + interval '1 hour' WHERE state <> 'deleting'");
    }

    private static ChunkCollector collector(ChunkCollector.StepListener steps) {
        return collector(steps, topic);
    }

    private static ChunkCollector collector(ChunkCollector.StepListener steps, String refsTopic) {
        return collector(steps, refsTopic, files);
    }

    private static ChunkCollector collector(ChunkCollector.StepListener steps, String refsTopic, String fileEventsTopic) {
        IngestDatabase db = api.context().getBean(IngestDatabase.class);
        ChunkCollector c = new ChunkCollector(new GcSettings(false, GRACE, Duration.ofSeconds(1), 100), db,
                api.context().getBean(BlobStore.class), api.context().getBean(RetainedReferences.class),
                new CountedUpTo(db, TestServers.kafka().bootstrapServers(), refsTopic),
                StoreGuard.of(db, TestServers.kafka().bootstrapServers(), refsTopic, fileEventsTopic),
                new SimpleMeterRegistry(), steps);
        collectors.add(c);
        return c;
    }

    private static ChunkCollector collector() {
        return collector(ChunkCollector.StepListener.NONE);
    }

    private static ChunkCollector killedAfter(Step at) {
        return collector((step, chunkId) -> {
            if (step == at) {
                throw new Killed(step);
            }
        });
    }

    private static Device device(String prefix) {
        return client.newAccountWithDevice(prefix + "-" + UUID.randomUUID().toString().substring(0, 8), "Laptop");
    }

    private static String upload(Device device, String text) {
        return client.upload(device, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Makes every time the rule looks at for this chunk an hour old: past any grace period. */
    private static void ageChunk(String id) {
        api.execute("UPDATE ingest.chunks SET last_uploaded_at = now() - interval '1 hour' WHERE id = ?", id);
        api.execute("UPDATE ingest.account_chunks SET last_used_at = now() - interval '1 hour' WHERE chunk_id = ?", id);
    }

    private static String state(String id) {
        return api.context().getBean(ChunkCatalog.class).stateOf(new ChunkId(id)).orElse("no row");
    }

    private static boolean objectExists(String id) {
        return api.context().getBean(BlobStore.class).exists(new ChunkId(id));
    }

    private static void setCount(String id, long count, String referencedAgo) {
        api.execute("""
                INSERT INTO gc.chunk_store (chunk_id, ref_count, last_referenced_at) VALUES (?, ?, now() - ?::interval)
                ON CONFLICT (chunk_id) DO UPDATE SET ref_count = excluded.ref_count, last_referenced_at = excluded.last_referenced_at""",
                id, count, referencedAgo);
    }

    /** No catalogue row says stored while the blob store lacks its bytes. */
    private static void noStoredRowWithoutItsObject() {
        List<String> stored = api.context().getBean(IngestDatabase.class).jdbc()
                .sql("SELECT id FROM ingest.chunks WHERE state = 'stored'").query(String.class).list();
        assertThat(stored).allSatisfy(id -> assertThat(objectExists(id)).as("object of stored chunk %s", id).isTrue());
    }

    @Test
    void anUploadNeverCommittedIsDeletedAfterTheGracePeriodAndAFreshOneIsKept() {
        // given two uploads no batch used: one from an hour ago, one just now
        Device laptop = device("never-committed");
        String old = upload(laptop, "uploaded an hour ago, never committed");
        String fresh = upload(laptop, "uploaded just now, its batch may still come");
        ageChunk(old);
        api.execute("UPDATE ingest.chunks SET last_uploaded_at = now() WHERE id = ?", fresh);

        // when the collector sweeps
        Sweep sweep = collector().sweep();

        // then the old one is gone, bytes and rows, and the fresh one is untouched
        assertThat(sweep.countsSettled()).isTrue();
        assertThat(sweep.deleted()).isEqualTo(1);
        assertThat(state(old)).isEqualTo("no row");
        assertThat(objectExists(old)).isFalse();
        assertThat(api.count("SELECT count(*) FROM ingest.account_chunks WHERE chunk_id = ?", old)).isZero();
        assertThat(state(fresh)).isEqualTo("stored");
        assertThat(objectExists(fresh)).isTrue();
    }

    @Test
    void aReferencedChunkOrOneReleasedWithinTheGraceIsKeptAndOneReleasedLongAgoIsDeleted() {
        // given three old chunks: one referenced, one released a moment ago, one released an hour ago
        Device laptop = device("counted");
        String referenced = upload(laptop, "still referenced");
        String justReleased = upload(laptop, "released a moment ago");
        String longReleased = upload(laptop, "released an hour ago");
        List.of(referenced, justReleased, longReleased).forEach(ChunkCollectorIT::ageChunk);
        setCount(referenced, 1, "1 hour");
        setCount(justReleased, 0, "0 seconds");
        setCount(longReleased, 0, "1 hour");

        // when the collector sweeps
        Sweep sweep = collector().sweep();

        // then only the one released long ago goes, its zero count with it
        assertThat(state(referenced)).isEqualTo("stored");
        assertThat(state(justReleased)).isEqualTo("stored");
        assertThat(state(longReleased)).isEqualTo("no row");
        assertThat(objectExists(longReleased)).isFalse();
        assertThat(api.count("SELECT count(*) FROM gc.chunk_store WHERE chunk_id = ?", longReleased)).isZero();
        assertThat(sweep.deleted()).isEqualTo(1);
    }

    @Test
    void aReleasedChunkIsForgottenOnlyOnceARebuildsSwitchOfTheCountsIsOver() throws Exception {
        // given an old chunk released an hour ago
        Device laptop = device("switching");
        String released = upload(laptop, "released while the counts switch");
        ageChunk(released);
        setCount(released, 0, "1 hour");

        // when a rebuild's switch holds the gc schema's switch lock, and the collector sweeps meanwhile
        CompletableFuture<Sweep> sweeping;
        try (java.sql.Connection switching = api.postgres().dataSource().getConnection()) {
            switching.setAutoCommit(false);
            try (java.sql.PreparedStatement s = switching.prepareStatement(
                    "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
                s.setString(1, GcSchema.SWITCH_LOCK + GcSchema.NAME);
                s.execute();
            }
            ChunkCollector collector = collector();
            sweeping = CompletableFuture.supplyAsync(collector::sweep);

            // then it marks the chunk but waits for the lock before deleting and forgetting it
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> api.count(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                            + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())") >= 1);
            assertThat(sweeping).isNotDone();
            assertThat(state(released)).isEqualTo("deleting");
            assertThat(objectExists(released)).isTrue();
            switching.rollback();
        }
        // and finishes once the switch is over
        sweeping.get(30, TimeUnit.SECONDS);
        assertThat(state(released)).isEqualTo("no row");
        assertThat(objectExists(released)).isFalse();
        assertThat(api.count("SELECT count(*) FROM gc.chunk_store WHERE chunk_id = ?", released)).isZero();
    }

    @Test
    void aNegativeCountOrAZeroCountThatTheFileStateContradictsNeverDeletes() {
        // given two old chunks counted wrong: one below zero, one at zero though a live file's version holds it
        Device laptop = device("miscounted");
        String negative = upload(laptop, "counted below zero");
        String held = upload(laptop, "held by a live file, counted zero");
        List.of(negative, held).forEach(ChunkCollectorIT::ageChunk);
        setCount(negative, -1, "1 hour");
        setCount(held, 0, "1 hour");
        api.execute("""
                INSERT INTO readmodel.feed (namespace_id, seq, file_id, path, op, vector, chunks, size, device_id, batch_id,
                                            change_index, at)
                VALUES (?::uuid, 1, 'f-held', 'held.txt', 'UPSERT', '{}'::jsonb, ?::jsonb, 10, ?, 'b-held', 0, now() - interval '1 hour')""",
                laptop.namespace(), "[{\"id\": \"" + held + "\", \"size\": 10}]", laptop.id());

        // when the collector sweeps
        Sweep sweep = collector().sweep();

        // then both are kept and reported
        assertThat(state(negative)).isEqualTo("stored");
        assertThat(state(held)).isEqualTo("stored");
        assertThat(sweep.kept()).containsEntry(KeepReason.NEGATIVE_COUNT, 1);
        assertThat(sweep.heldByRetainedVersions()).isEqualTo(1);
        assertThat(sweep.deleted()).isZero();
    }

    @Test
    void aPhotosDerivativesAreKeptWhileTheVersionTheyCameFromIsRetainedAndCollectedAfter() {
        // given the photo library's tables, and three derivatives no file references, stored long ago
        photoLibrary();
        Device laptop = device("photos");
        DerivativeStore derivatives = new DerivativeStore(api.context().getBean(ChunkCatalog.class),
                api.context().getBean(BlobStore.class));
        String live = derivatives.store(("thumbnail of a live photo " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8));
        String inTrash = derivatives.store(("preview of a photo in the trash " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8));
        String expired = derivatives.store(("thumbnail of a photo deleted long ago " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8));
        List.of(live, inTrash, expired).forEach(ChunkCollectorIT::ageChunk);
        // a live photo: its current version; one deleted yesterday (in the trash for 30 days); one deleted 61 days ago
        version(laptop, "live", 1, "UPSERT", "1 hour");
        version(laptop, "trashed", 2, "UPSERT", "2 days");
        version(laptop, "trashed", 3, "DELETE", "1 day");
        version(laptop, "gone", 4, "UPSERT", "62 days");
        version(laptop, "gone", 5, "DELETE", "61 days");
        api.execute("""
                INSERT INTO photos.photos (namespace_id, file_id, seq, path, content_key, size, state, taken_at,
                                           taken_at_source, thumbnail_id, preview_id)
                VALUES (?::uuid, 'live', 1, 'live.jpg', 'k', 10, 'ready', now(), 'file', ?, ?)""",
                laptop.namespace(), live, live);
        derived(laptop, "live", 1, live);
        derived(laptop, "trashed", 2, inTrash);
        derived(laptop, "gone", 4, expired);

        // when the collector sweeps
        Sweep sweep = collector().sweep();

        // then the live photo's derivative is not even a candidate, the trashed one's is kept for its version,
        // and the one whose version expired is gone, row and bytes
        assertThat(state(live)).isEqualTo("stored");
        assertThat(objectExists(live)).isTrue();
        assertThat(state(inTrash)).isEqualTo("stored");
        assertThat(objectExists(inTrash)).isTrue();
        assertThat(sweep.kept()).containsEntry(KeepReason.DERIVATIVE_OF_RETAINED_VERSION, 1);
        assertThat(state(expired)).isEqualTo("no row");
        assertThat(objectExists(expired)).isFalse();
        assertThat(sweep.heldByRetainedVersions()).isZero();

        // and the kept one is not looked at again before its version may expire (the trash's 30 days)
        java.sql.Timestamp recheck = api.context().getBean(IngestDatabase.class).jdbc()
                .sql("SELECT recheck_after FROM ingest.chunks WHERE id = ?").param(inTrash).query(java.sql.Timestamp.class).single();
        assertThat(recheck.toInstant()).isBetween(java.time.Instant.now().plus(Duration.ofHours(23)),
                java.time.Instant.now().plus(Duration.ofDays(1).plusMinutes(5)));
        Sweep next = collector().sweep();
        assertThat(next.kept()).doesNotContainKey(KeepReason.DERIVATIVE_OF_RETAINED_VERSION);
        assertThat(state(inTrash)).isEqualTo("stored");
    }

    /** The photo worker's schema, migrated as the worker migrates it, so the collector reads the tables it reads in production. */
    private static void photoLibrary() {
        io.cumulus.photos.PhotosSchema.migrate(api.postgres().dataSource());
    }

    private static void version(Device device, String fileId, long seq, String op, String ago) {
        api.execute("""
                INSERT INTO readmodel.feed (namespace_id, seq, file_id, path, op, vector, chunks, size, device_id, batch_id,
                                            change_index, at)
                VALUES (?::uuid, ?, ?, ?, ?, '{}'::jsonb, ?::jsonb, 10, ?, ?, 0, now() - ?::interval)""",
                device.namespace(), seq, fileId, fileId + ".jpg", op,
                op.equals("DELETE") ? "[]" : "[{\"id\": \"" + "0".repeat(64) + "\", \"size\": 10}]", device.id(),
                "b-" + fileId + "-" + seq, ago);
    }

    private static void derived(Device device, String fileId, long seq, String chunkId) {
        api.execute("""
                INSERT INTO photos.derivatives (namespace_id, file_id, seq, chunk_id, kind) VALUES (?::uuid, ?, ?, ?, 'thumbnail')""",
                device.namespace(), fileId, seq, chunkId);
    }

    @Test
    void aChunkOfABatchNotReconciledYetIsKeptEvenWhenItsTimesAreOld() {
        // given a chunk committed by a batch that no reconciler has applied yet (no outcome), all its times an hour old
        Device laptop = device("pending");
        byte[] content = "in a batch not reconciled yet".getBytes(StandardCharsets.UTF_8);
        String id = client.upload(laptop, content);
        var submitted = client.submit(laptop, "pending-" + id.substring(0, 8), ApiClient.oneFileBatch(laptop.namespace(),
                "f-" + id.substring(0, 8), "pending.txt", Map.of(laptop.id(), 1), id, content.length));
        assertThat(submitted.status()).as(submitted.toString()).isEqualTo(202);
        String batchId = submitted.json().get("batchId").asString();
        ageChunk(id);
        // The batch was recorded in the transaction that last used the chunk: one clock, one instant.
        api.execute("UPDATE ingest.batches SET recorded_at = (SELECT max(last_used_at) FROM ingest.account_chunks"
                + " WHERE chunk_id = ?) WHERE id = ?::uuid", id, batchId);

        // when the collector sweeps before the batch's outcome exists, and again after it
        ChunkCollector collector = collector();
        Sweep before = collector.sweep();
        String stateBefore = state(id);
        api.execute("""
                INSERT INTO readmodel.batch_outcomes (batch_id, change_index, namespace_id, device_id, file_id, path, kind,
                                                      current_vector, decided_at)
                VALUES (?, 0, ?::uuid, ?, 'f', 'pending.txt', 'STALE', '{}'::jsonb, now())""",
                batchId, laptop.namespace(), laptop.id());
        Sweep after = collector.sweep();

        // then it is kept while its references may be uncounted, and collectable once they are all counted
        assertThat(stateBefore).isEqualTo("stored");
        assertThat(before.deleted()).isZero();
        assertThat(after.deleted()).isEqualTo(1);
        assertThat(state(id)).isEqualTo("no row");
    }

    @Test
    void nothingIsJudgedWhileTheCounterHasDeltasLeftToCountAndATrailingCommitMarkerIsNoDelta() throws Exception {
        // given an old unreferenced chunk, and one committed delta on the topic the counter has not counted
        Device laptop = device("behind");
        String id = upload(laptop, "unreferenced, but a delta is on its way");
        ageChunk(id);
        String refs = newTopic();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafka().bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "collector-it-" + UUID.randomUUID()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(refs, 0, new byte[0], new byte[] {1})).get();
            producer.commitTransaction();
        }

        // when the collector sweeps, then the counter counts the delta (its position passes the record,
        // not the commit marker after it), and the collector sweeps again
        Sweep behind = collector(ChunkCollector.StepListener.NONE, refs).sweep();
        String stateWhileBehind = state(id);
        api.execute("INSERT INTO gc.consumer_positions (topic, partition, next_offset) VALUES (?, 0, 1)", refs);
        Sweep caughtUp = collector(ChunkCollector.StepListener.NONE, refs).sweep();

        // then nothing is judged while a delta is uncounted, and the chunk goes once all are counted
        assertThat(behind.countsSettled()).isFalse();
        assertThat(stateWhileBehind).isEqualTo("stored");
        assertThat(caughtUp.countsSettled()).isTrue();
        assertThat(state(id)).isEqualTo("no row");
    }

    @Test
    void aTransactionStillOpenHoldsTheCountedInstantBackToItsStart() throws Exception {
        // given a transaction that has begun (as a commit does, dating its batch and its chunks' use at its start)
        IngestDatabase db = api.context().getBean(IngestDatabase.class);
        CountedUpTo counted = new CountedUpTo(db, TestServers.kafka().bootstrapServers(), topic);
        java.time.Instant begun;
        try (java.sql.Connection open = api.postgres().dataSource().getConnection()) {
            open.setAutoCommit(false);
            try (var rs = open.createStatement().executeQuery("SELECT now()")) {
                rs.next();
                begun = rs.getTimestamp(1).toInstant();
            }

            // when the collector asks how far the counts go while it is open, and after it ended
            java.time.Instant whileOpen = counted.now(Duration.ofSeconds(10)).orElseThrow();
            open.commit();
            java.time.Instant afterwards = counted.now(Duration.ofSeconds(10)).orElseThrow();

            // then no use dated from its start on is trusted while it is open, and afterwards it no longer holds back
            assertThat(whileOpen).isBeforeOrEqualTo(begun);
            assertThat(afterwards).isAfter(begun);
        } finally {
            counted.close();
        }
    }

    @Test
    void aChunkACommitHoldsIsSkippedAndTheCommitThenKeepsIt() throws Exception {
        // given an old unreferenced chunk, and a commit that has locked it and not yet ended
        Device laptop = device("locked");
        String id = upload(laptop, "locked by a commit in progress");
        ageChunk(id);
        IngestDatabase db = api.context().getBean(IngestDatabase.class);
        ChunkCatalog catalog = api.context().getBean(ChunkCatalog.class);
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch swept = new CountDownLatch(1);
        CompletableFuture<Void> commit = CompletableFuture.runAsync(() -> db.transactions().executeWithoutResult(tx -> {
            assertThat(catalog.lockVisible(UUID.fromString(laptop.accountId()), List.of(id))).containsKey(id);
            locked.countDown();
            try {
                assertThat(swept.await(30, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            catalog.recordReferences(UUID.fromString(laptop.namespace()), List.of(id));
        }));
        assertThat(locked.await(30, TimeUnit.SECONDS)).isTrue();

        // when the collector sweeps during the commit, and again after it
        Sweep during = collector().sweep();
        swept.countDown();
        commit.get(30, TimeUnit.SECONDS);
        Sweep after = collector().sweep();

        // then the first sweep passed it by, and the second sees the use the commit recorded
        assertThat(during.deleted()).isZero();
        assertThat(after.deleted()).isZero();
        assertThat(state(id)).isEqualTo("stored");
        assertThat(objectExists(id)).isTrue();
    }

    @Test
    void aCollectorKilledAfterMarkingLeavesADeletionTheNextOneFinishesAndTheChunkCanComeBackAfter() {
        // given an old unreferenced chunk
        Device laptop = device("killed-mark");
        byte[] content = "killed after the mark".getBytes(StandardCharsets.UTF_8);
        String id = client.upload(laptop, content);
        ageChunk(id);

        // when a collector is killed right after marking it
        assertThatThrownBy(() -> killedAfter(Step.MARKED).sweep()).isInstanceOf(Killed.class);

        // then the chunk is marked, its bytes still there; an upload meanwhile is told to come back
        assertThat(state(id)).isEqualTo("deleting");
        assertThat(objectExists(id)).isTrue();
        assertThat(client.put(laptop, id, content).status()).isEqualTo(503);
        noStoredRowWithoutItsObject();

        // when the next collector sweeps
        Sweep next = collector().sweep();

        // then it finished the deletion, and the chunk can be uploaded again as new
        assertThat(next.finishedFromBefore()).isEqualTo(1);
        assertThat(state(id)).isEqualTo("no row");
        assertThat(objectExists(id)).isFalse();
        assertThat(client.put(laptop, id, content).status()).isEqualTo(201);
        assertThat(state(id)).isEqualTo("stored");
        assertThat(objectExists(id)).isTrue();
    }

    @Test
    void aMarkedChunkAnotherCollectorIsFinishingIsLeftToIt() throws Exception {
        // given a chunk left marked by a killed collector, and another collector holding its row (finishing it)
        Device laptop = device("finishing");
        String id = upload(laptop, "being finished by another collector");
        ageChunk(id);
        assertThatThrownBy(() -> killedAfter(Step.MARKED).sweep()).isInstanceOf(Killed.class);
        try (java.sql.Connection other = api.postgres().dataSource().getConnection()) {
            other.setAutoCommit(false);
            try (var lock = other.prepareStatement("SELECT id FROM ingest.chunks WHERE id = ? FOR UPDATE")) {
                lock.setString(1, id);
                lock.executeQuery().close();
            }

            // when a collector sweeps meanwhile
            Sweep meanwhile = collector().sweep();

            // then it leaves the row and its bytes to the one holding them
            assertThat(meanwhile.finishedFromBefore()).isZero();
            assertThat(state(id)).isEqualTo("deleting");
            assertThat(objectExists(id)).isTrue();
            other.rollback();
        }

        // and once that one has gone without finishing, the next sweep finishes it
        assertThat(collector().sweep().finishedFromBefore()).isEqualTo(1);
        assertThat(state(id)).isEqualTo("no row");
        assertThat(objectExists(id)).isFalse();
    }

    @Test
    void aCollectorKilledAfterDeletingTheObjectLeavesARowMarkedDeletingNeverStored() {
        // given an old unreferenced chunk
        Device laptop = device("killed-delete");
        String id = upload(laptop, "killed after deleting the bytes");
        ageChunk(id);

        // when a collector is killed right after deleting its object
        assertThatThrownBy(() -> killedAfter(Step.OBJECT_DELETED).sweep()).isInstanceOf(Killed.class);

        // then the row still says deleting (nothing may use it), never stored
        assertThat(state(id)).isEqualTo("deleting");
        assertThat(objectExists(id)).isFalse();
        noStoredRowWithoutItsObject();

        // when the next collector sweeps, then the row is forgotten
        assertThat(collector().sweep().finishedFromBefore()).isEqualTo(1);
        assertThat(state(id)).isEqualTo("no row");
    }

    @Test
    void aCollectorKilledAfterForgettingTheRowLeavesNothingToFinish() {
        // given an old unreferenced chunk
        Device laptop = device("killed-forget");
        String id = upload(laptop, "killed after forgetting the row");
        ageChunk(id);

        // when a collector is killed right after its last step
        assertThatThrownBy(() -> killedAfter(Step.FORGOTTEN).sweep()).isInstanceOf(Killed.class);

        // then the deletion is whole, and the next sweep has nothing to finish
        assertThat(state(id)).isEqualTo("no row");
        assertThat(objectExists(id)).isFalse();
        assertThat(collector().sweep().finishedFromBefore()).isZero();
        noStoredRowWithoutItsObject();
    }

    /** The topics of a collector whose stores have each read one record: the counts' deltas and the file events. */
    private record Read(String refs, String files) {
    }

    /**
     * A counter, read model and photo library that have each read the one record of their topic, as the
     * running services leave them: their positions cover every partition with records.
     */
    private static Read storesThatHaveRead() throws Exception {
        photoLibrary();
        Read read = new Read(newTopic(), newTopic());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafka().bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(read.refs(), 0, new byte[0], new byte[] {1})).get();
            producer.send(new ProducerRecord<>(read.files(), 0, new byte[0], new byte[] {1})).get();
        }
        api.execute("INSERT INTO gc.consumer_positions (topic, partition, next_offset) VALUES (?, 0, 1)", read.refs());
        api.execute("INSERT INTO readmodel.consumer_positions (topic, partition, next_offset) VALUES (?, 0, 1)", read.files());
        api.execute("INSERT INTO photos.consumer_positions (topic, partition, next_offset) VALUES (?, 0, 1)", read.files());
        return read;
    }

    /** An old thumbnail of a live photo version: only the photo library says it is needed. */
    private static String liveThumbnail(Device device, String fileId) {
        String thumbnail = new DerivativeStore(api.context().getBean(ChunkCatalog.class), api.context().getBean(BlobStore.class))
                .store(("thumbnail of " + fileId + " " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8));
        ageChunk(thumbnail);
        version(device, fileId, 1, "UPSERT", "1 hour");
        api.execute("""
                INSERT INTO photos.photos (namespace_id, file_id, seq, path, content_key, size, state, taken_at,
                                           taken_at_source, thumbnail_id, preview_id)
                VALUES (?::uuid, ?, 1, ?, 'k', 10, 'ready', now(), 'file', ?, ?)""",
                device.namespace(), fileId, fileId + ".jpg", thumbnail, thumbnail);
        derived(device, fileId, 1, thumbnail);
        return thumbnail;
    }

    @Test
    void storesEmptiedAfterASweepFoundThemCompleteStopItBeforeItDeletesAnything() throws Exception {
        // given stores that have read their topics, a chunk they count as referenced and a live photo's thumbnail
        Read read = storesThatHaveRead();
        Device laptop = device("stores-lost");
        String referenced = upload(laptop, "referenced, counted in a store about to be lost");
        ageChunk(referenced);
        setCount(referenced, 1, "1 hour");
        String thumbnail = liveThumbnail(laptop, "lost-photo");

        // when the counts, the read model and the photo library are emptied together right after the sweep
        // found the counts complete, before it judges any chunk
        ChunkCollector collector = collector((step, chunkId) -> {
            if (step == Step.COUNTS_SETTLED) {
                api.execute("TRUNCATE gc.chunk_store, gc.consumer_positions");
                api.execute("TRUNCATE readmodel.feed, readmodel.consumer_positions");
                api.execute("TRUNCATE photos.photos, photos.derivatives, photos.consumer_positions");
            }
        }, read.refs(), read.files());
        Sweep sweep = collector.sweep();

        // then the sweep stops at its first decision and deletes nothing, though every chunk now looks unreferenced
        assertThat(sweep.countsSettled()).isTrue();
        assertThat(sweep.stoppedBecause()).startsWith("gc:");
        assertThat(sweep.deleted()).isZero();
        assertThat(state(referenced)).isEqualTo("stored");
        assertThat(objectExists(referenced)).isTrue();
        assertThat(state(thumbnail)).isEqualTo("stored");
        assertThat(objectExists(thumbnail)).isTrue();

        // and the next sweep waits for the stores to cover their topics again
        assertThat(collector.sweep().countsSettled()).isFalse();
        assertThat(state(referenced)).isEqualTo("stored");
    }

    @Test
    void aPhotoLibraryEmptiedKeepsEveryDerivativeUntilItIsRebuilt() throws Exception {
        // given stores that have read their topics and a live photo's thumbnail, kept by a first sweep
        Read read = storesThatHaveRead();
        Device laptop = device("photos-lost");
        String thumbnail = liveThumbnail(laptop, "emptied-photo");
        ChunkCollector collector = collector(ChunkCollector.StepListener.NONE, read.refs(), read.files());
        assertThat(collector.sweep().countsSettled()).isTrue();
        assertThat(state(thumbnail)).isEqualTo("stored");

        // when the photo library alone is emptied, and the collector sweeps
        api.execute("TRUNCATE photos.photos, photos.derivatives, photos.consumer_positions");
        Sweep whileLost = collector.sweep();

        // then it waits: no thumbnail is judged on the word of the emptied library
        assertThat(whileLost.countsSettled()).isFalse();
        assertThat(state(thumbnail)).isEqualTo("stored");
        assertThat(objectExists(thumbnail)).isTrue();

        // when the library is rebuilt (its rows and positions back), then collection resumes and still keeps it
        api.execute("INSERT INTO photos.consumer_positions (topic, partition, next_offset) VALUES (?, 0, 1)", read.files());
        api.execute("""
                INSERT INTO photos.photos (namespace_id, file_id, seq, path, content_key, size, state, taken_at,
                                           taken_at_source, thumbnail_id, preview_id)
                VALUES (?::uuid, 'emptied-photo', 1, 'emptied-photo.jpg', 'k', 10, 'ready', now(), 'file', ?, ?)""",
                laptop.namespace(), thumbnail, thumbnail);
        derived(laptop, "emptied-photo", 1, thumbnail);
        Sweep rebuilt = collector.sweep();
        assertThat(rebuilt.countsSettled()).isTrue();
        assertThat(state(thumbnail)).isEqualTo("stored");
        assertThat(objectExists(thumbnail)).isTrue();
    }

    @Test
    void aDeploymentWhosePhotoWorkerNeverRanStillCollects() throws Exception {
        // given counts and a read model that have read their topics, and a photo library whose worker never wrote
        Read read = storesThatHaveRead();
        api.execute("DELETE FROM photos.consumer_positions WHERE topic = ?", read.files());
        Device laptop = device("no-photo-worker");
        String garbage = upload(laptop, "unreferenced, in a deployment without the photo worker");
        ageChunk(garbage);

        // when the collector sweeps
        Sweep sweep = collector(ChunkCollector.StepListener.NONE, read.refs(), read.files()).sweep();

        // then the photo library does not hold collection back
        assertThat(sweep.countsSettled()).isTrue();
        assertThat(state(garbage)).isEqualTo("no row");
        assertThat(objectExists(garbage)).isFalse();
    }
}
