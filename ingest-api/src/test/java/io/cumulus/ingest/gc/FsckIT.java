package io.cumulus.ingest.gc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.gc.GcSchema;
import io.cumulus.ingest.IngestDatabase;
import io.cumulus.ingest.chunks.ChunkCatalog;
import io.cumulus.ingest.chunks.ChunkId;
import io.cumulus.ingest.chunks.StoredBlob;
import io.cumulus.ingest.gc.ChunkFinding.Repair;
import io.cumulus.ingest.resilience.StoreBreakers;
import io.cumulus.projector.ReadModelSchema;
import io.cumulus.sync.history.RetentionPolicy;

/**
 * fsck against the real stores: a fresh PostgreSQL database with the ingest, read model and counter
 * schemas, a local blob directory, and the test broker with an empty chunk-refs topic of its own (the
 * counter has counted everything), each put into one situation by writing rows and files directly.
 */
class FsckIT {
    private static final Duration GRACE = Duration.ofHours(1);
    private static final Duration OLD = Duration.ofHours(3);
    private static final Duration FRESH = Duration.ofMinutes(1);

    private PostgresConnection postgres;
    private IngestDatabase db;
    private ChunkStoreFixture store;
    private RetainedReferences retained;
    private String topic;
    private Fsck fsck;

    @BeforeEach
    void freshStore() throws Exception {
        postgres = TestServers.freshDatabase();
        db = IngestDatabase.migrated(postgres.dataSource(), StoreBreakers.registry(Duration.ofSeconds(5)).circuitBreaker("postgres"));
        ReadModelSchema.migrate(postgres.dataSource());
        GcSchema.migrate(postgres.dataSource());
        store = new ChunkStoreFixture(postgres.dataSource(), TestServers.workDir("fsck-blobs-"));
        topic = "fsck-chunk-refs-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafka().bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
        }
        retained = new RetainedReferences(db, RetentionPolicy.defaults());
        fsck = new Fsck(db, store.blobs(), new ChunkCatalog(db), retained, GRACE,
                new Fsck.Counter(TestServers.kafka().bootstrapServers(), topic, Duration.ofSeconds(2)));
    }

    @AfterEach
    void close() {
        postgres.close();
    }

    /** A chunk as it should be: its object, a stored row, held by the files' versions and counted so. */
    private String healthyChunk(String content, String... fileIds) {
        String id = store.object(content, OLD);
        store.catalogued(id, content.length(), "stored", OLD).counted(id, fileIds.length);
        for (String file : fileIds) {
            store.version(file, "UPSERT", OLD, id);
        }
        return id;
    }

    @Test
    void aConsistentStoreHasNoFindings() {
        // given chunks held by one and by two files, and an old version still retained
        healthyChunk("one file", "f1");
        healthyChunk("two files", "f2", "f3");
        String older = healthyChunk("an older version", "f4");
        store.version("f4", "UPSERT", FRESH, store.object("the current version", OLD));
        store.catalogued(ChunkStoreFixture.idOf("the current version"), 19, "stored", OLD)
                .counted(ChunkStoreFixture.idOf("the current version"), 1);

        // when fsck checks it, and repairs it
        FsckReport report = fsck.run(false);
        FsckReport repaired = fsck.run(true);

        // then every view agrees and nothing was touched
        for (FsckReport r : List.of(report, repaired)) {
            assertThat(r.countsCompared()).as(r.countsNote()).isTrue();
            assertThat(r.clean()).isTrue();
            assertThat(List.of(r.danglingReferences(), r.countsTooLow(), r.countsTooHigh(), r.uncataloguedObjects(),
                    r.missingObjects())).allSatisfy(s -> assertThat(s.total()).isZero());
            assertThat(r.objectsListed()).isEqualTo(4);
            assertThat(r.catalogueRows()).isEqualTo(4);
            assertThat(r.filesRead()).isEqualTo(4);
            assertThat(r.chunksHeld()).isEqualTo(4);
        }
        assertThat(store.hasObject(older)).isTrue();
    }

    @Test
    void aLeakedObjectOlderThanTheGracePeriodIsDeletedAndAFreshOneKept() {
        // given two objects no row and no version knows of, one older than the grace period
        String old = store.object("leaked long ago", OLD);
        String fresh = store.object("leaked just now", FRESH);

        // when fsck checks, then both are reported, only the old one as needing a repair
        FsckReport report = fsck.run(false);
        assertThat(report.uncataloguedObjects().samples()).extracting(ChunkFinding::chunkId, ChunkFinding::repair,
                ChunkFinding::needsAttention).containsExactlyInAnyOrder(tuple(old, Repair.DELETE_OBJECT, true),
                tuple(fresh, Repair.NONE, false));
        assertThat(report.unresolved()).isEqualTo(1);
        assertThat(store.hasObject(old)).isTrue();

        // when it repairs, then the old one is gone (and its temporary mark with it), the fresh one kept
        FsckReport repaired = fsck.run(true);
        assertThat(store.hasObject(old)).isFalse();
        assertThat(store.stateOf(old)).isEmpty();
        assertThat(store.hasObject(fresh)).isTrue();
        assertThat(repaired.uncataloguedObjects().resolved()).isEqualTo(1);
        assertThat(repaired.unresolved()).isZero();
        assertThat(repaired.clean()).isTrue();
    }

    @Test
    void anUncataloguedObjectARetainedVersionHoldsIsCataloguedAgainAndNeverDeleted() {
        // given old objects without rows, held by a current version, by an old retained version and by a
        // file in the trash
        String current = store.object("held by a current version", OLD);
        String history = store.object("held by an old version", OLD);
        String trash = store.object("held by a deleted file", OLD);
        store.version("cur", "UPSERT", OLD, current).counted(current, 1);
        store.version("hist", "UPSERT", OLD, history).version("hist", "UPSERT", FRESH, current).counted(history, 1)
                .counted(current, 2);
        store.version("bin", "UPSERT", OLD, trash).version("bin", "DELETE", FRESH).counted(trash, 1);

        // when fsck repairs
        FsckReport report = fsck.run(true);

        // then each is catalogued again as stored with its size, readable by the namespace's members, and kept
        assertThat(report.uncataloguedObjects().samples()).extracting(ChunkFinding::chunkId, ChunkFinding::repair,
                        ChunkFinding::resolved)
                .containsExactlyInAnyOrder(tuple(current, Repair.RECATALOGUE, true), tuple(history, Repair.RECATALOGUE, true),
                        tuple(trash, Repair.RECATALOGUE, true));
        for (String id : List.of(current, history, trash)) {
            assertThat(store.hasObject(id)).isTrue();
            assertThat(store.stateOf(id)).contains("stored");
            assertThat(store.accountRowsOf(id)).isEqualTo(1);
        }
        assertThat(store.sizeOf(trash)).contains((long) "held by a deleted file".length());
        assertThat(report.danglingReferences().total()).isZero();
        assertThat(fsck.run(false).clean()).isTrue();
    }

    @Test
    void anUncataloguedDerivativeOfARetainedPhotoVersionIsCataloguedAgainAndOneOfAnExpiredVersionDeleted() {
        // given the thumbnails of two photos, their objects without rows: one photo deleted yesterday (in the
        // trash), one deleted 61 days ago (its versions expired)
        io.cumulus.photos.PhotosSchema.migrate(postgres.dataSource());
        String kept = store.object("thumbnail of a photo in the trash", OLD);
        String expired = store.object("thumbnail of a photo deleted long ago", OLD);
        String photo = store.object("the photo in the trash", OLD);
        store.catalogued(photo, 22, "stored", OLD).counted(photo, 1);
        store.version("trashed", "UPSERT", Duration.ofDays(2), photo).version("trashed", "DELETE", Duration.ofDays(1));
        store.version("gone", "UPSERT", Duration.ofDays(62)).version("gone", "DELETE", Duration.ofDays(61));
        store.execute("INSERT INTO photos.derivatives (namespace_id, file_id, seq, chunk_id, kind) VALUES (?, 'trashed', 1, ?, 'thumbnail')",
                store.namespace, kept);
        store.execute("INSERT INTO photos.derivatives (namespace_id, file_id, seq, chunk_id, kind) VALUES (?, 'gone', 3, ?, 'thumbnail')",
                store.namespace, expired);

        // when fsck repairs
        FsckReport report = fsck.run(true);

        // then the retained version's thumbnail is catalogued again and kept, the expired one's deleted
        assertThat(report.uncataloguedObjects().samples()).extracting(ChunkFinding::chunkId, ChunkFinding::resolved)
                .containsExactlyInAnyOrder(tuple(kept, true), tuple(expired, true));
        assertThat(store.hasObject(kept)).isTrue();
        assertThat(store.stateOf(kept)).contains("stored");
        assertThat(store.hasObject(expired)).isFalse();
        assertThat(store.stateOf(expired)).isEmpty();
    }

    @Test
    void aCountTooLowIsRaisedToTheFilesHoldingTheChunk() {
        // given a chunk two files hold counted once, and one with no count row at all
        String low = healthyChunk("counted too low", "a", "b");
        store.counted(low, 1);
        String uncounted = healthyChunk("never counted", "c");
        store.execute("DELETE FROM gc.chunk_store WHERE chunk_id = ?", uncounted);

        // when fsck checks, then both are too low; when it repairs, they are raised
        FsckReport report = fsck.run(false);
        assertThat(report.countsTooLow().samples()).extracting(ChunkFinding::chunkId, ChunkFinding::expected,
                ChunkFinding::counted).containsExactlyInAnyOrder(tuple(low, 2L, 1L), tuple(uncounted, 1L, 0L));
        assertThat(store.countOf(low)).contains(1L);

        FsckReport repaired = fsck.run(true);
        assertThat(repaired.countsTooLow().resolved()).isEqualTo(2);
        assertThat(store.countOf(low)).contains(2L);
        assertThat(store.countOf(uncounted)).contains(1L);
        assertThat(fsck.run(false).clean()).isTrue();
    }

    @Test
    void aCountRepairWaitsWhileARebuildSwitchesTheCountsToANewGeneration() throws Exception {
        // given a chunk two files hold counted once
        String low = healthyChunk("counted too low while switching", "a", "b");
        store.counted(low, 1);

        // when a rebuild's switch holds the gc schema's switch lock, and fsck repairs meanwhile
        java.util.concurrent.CompletableFuture<FsckReport> repairing;
        try (java.sql.Connection switching = postgres.dataSource().getConnection()) {
            switching.setAutoCommit(false);
            try (java.sql.PreparedStatement s = switching.prepareStatement(
                    "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
                s.setString(1, GcSchema.SWITCH_LOCK + GcSchema.NAME);
                s.execute();
            }
            repairing = java.util.concurrent.CompletableFuture.supplyAsync(() -> fsck.run(true));

            // then the repair waits for the lock, and has written nothing
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> waitingAdvisoryLocks() == 1);
            assertThat(repairing).isNotDone();
            assertThat(store.countOf(low)).contains(1L);
            switching.rollback();
        }
        // and it raises the count once the switch is over
        FsckReport repaired = repairing.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(repaired.countsTooLow().resolved()).isEqualTo(1);
        assertThat(store.countOf(low)).contains(2L);
    }

    /** Advisory locks some session of this test's database waits for. */
    private long waitingAdvisoryLocks() throws java.sql.SQLException {
        try (java.sql.Connection c = postgres.dataSource().getConnection();
                java.sql.Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                        + " AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aCountTooHighIsReportedAndLeftAlone() {
        // given a chunk one file holds counted three times
        String high = healthyChunk("counted too high", "a");
        store.counted(high, 3);

        // when fsck repairs
        FsckReport report = fsck.run(true);

        // then it is reported, not lowered, and needs no attention
        assertThat(report.countsTooHigh().samples()).singleElement().satisfies(f -> {
            assertThat(f.chunkId()).isEqualTo(high);
            assertThat(f.expected()).isEqualTo(1);
            assertThat(f.counted()).isEqualTo(3);
            assertThat(f.repair()).isEqualTo(Repair.NONE);
        });
        assertThat(store.countOf(high)).contains(3L);
        assertThat(report.clean()).isTrue();
    }

    @Test
    void aDanglingReferenceIsReportedAndNothingOfItIsTouched() {
        // given a chunk a file holds, catalogued and counted, whose bytes are gone
        String lost = healthyChunk("lost bytes", "a");
        store.blobs().delete(new ChunkId(lost));

        // when fsck repairs
        FsckReport report = fsck.run(true);

        // then it is a dangling reference that stays unresolved, and its row and count are kept
        assertThat(report.danglingReferences().samples()).singleElement().satisfies(f -> {
            assertThat(f.chunkId()).isEqualTo(lost);
            assertThat(f.problem()).contains("no object");
            assertThat(f.resolved()).isFalse();
        });
        assertThat(report.missingObjects().samples()).extracting(ChunkFinding::chunkId, ChunkFinding::repair)
                .containsExactly(tuple(lost, Repair.NONE));
        assertThat(report.unresolved()).isEqualTo(1);
        assertThat(store.stateOf(lost)).contains("stored");
        assertThat(store.countOf(lost)).contains(1L);
    }

    @Test
    void aHeldChunkTheCollectorIsDeletingIsReportedAtRisk() {
        String id = store.object("being collected", OLD);
        store.catalogued(id, 15, "deleting", OLD).version("a", "UPSERT", OLD, id).counted(id, 1);

        FsckReport report = fsck.run(true);

        assertThat(report.danglingReferences().samples()).extracting(ChunkFinding::chunkId, ChunkFinding::catalogue)
                .containsExactly(tuple(id, "deleting"));
        assertThat(store.hasObject(id)).isTrue();
    }

    @Test
    void aStoredRowWhoseObjectIsGoneIsDeletedOnceOldAndHeldByNothing() {
        // given stored rows without objects that no version holds, used long ago and just now
        String old = ChunkStoreFixture.idOf("gone long ago");
        String recent = ChunkStoreFixture.idOf("gone just now");
        store.catalogued(old, 13, "stored", OLD).catalogued(recent, 13, "stored", FRESH);

        // when fsck repairs
        FsckReport report = fsck.run(true);

        // then only the old row goes, with its account rows
        assertThat(report.missingObjects().samples()).extracting(ChunkFinding::chunkId, ChunkFinding::resolved)
                .containsExactlyInAnyOrder(tuple(old, true), tuple(recent, false));
        assertThat(store.stateOf(old)).isEmpty();
        assertThat(store.accountRowsOf(old)).isZero();
        assertThat(store.stateOf(recent)).contains("stored");
        assertThat(report.clean()).isTrue();
    }

    @Test
    void whileTheCounterIsBehindNoCountIsComparedAndNothingIsDeleted() throws Exception {
        // given a delta on the chunk-refs topic that the counter has not counted, a wrong count and an old leak
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafka().bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, 0, new byte[] {1}, new byte[] {2})).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
        String low = healthyChunk("counted too low", "a", "b");
        store.counted(low, 0);
        String leak = store.object("leaked long ago", OLD);

        // when fsck repairs
        FsckReport report = fsck.run(true);

        // then it says why the counts were not compared, still lists the objects, and deletes nothing
        assertThat(report.countsCompared()).isFalse();
        assertThat(report.countsNote()).contains("behind");
        assertThat(report.countsTooLow().total()).isZero();
        assertThat(report.uncataloguedObjects().samples()).extracting(ChunkFinding::chunkId, ChunkFinding::repair)
                .containsExactly(tuple(leak, Repair.NONE));
        assertThat(store.hasObject(leak)).isTrue();
        assertThat(store.countOf(low)).contains(0L);
        assertThat(report.clean()).isFalse();
    }

    @Test
    void aRepairChecksItsFindingAgainJustBeforeItActs() {
        // given findings made from a snapshot: two leaked objects and a stored row without object
        String uploading = store.object("an upload begins", OLD);
        String committed = store.object("a version appears", OLD);
        String back = ChunkStoreFixture.idOf("uploaded again");
        store.catalogued(back, 14, "stored", OLD);
        Instant now = Instant.now();
        FsckFindings findings = FsckFindings.compare(Map.of(), Optional.of(Map.of()),
                Map.of(back, new FsckFindings.CatalogueRow("stored", now.minus(OLD))),
                Map.of(uploading, new StoredBlob(new ChunkId(uploading), 15, now.minus(OLD)),
                        committed, new StoredBlob(new ChunkId(committed), 17, now.minus(OLD))), now, GRACE);
        assertThat(findings.all()).extracting(ChunkFinding::repair)
                .containsOnly(Repair.DELETE_OBJECT, Repair.DELETE_ROW).hasSize(3);

        // when, before the repairs run, an upload of the first begins, a version holding the second reaches
        // the feed, and the third's bytes are stored again
        store.catalogued(uploading, 15, "uploading", FRESH);
        store.version("new", "UPSERT", FRESH, committed);
        store.object("uploaded again", OLD);
        FsckFindings repaired = new FsckRepairs(db, store.blobs(), new ChunkCatalog(db), retained, GRACE)
                .apply(findings, () -> Optional.of(Instant.now()));

        // then no byte is deleted: the upload keeps its row, the held object is catalogued, the row stays
        assertThat(List.of(uploading, committed, back)).allSatisfy(id -> assertThat(store.hasObject(id)).isTrue());
        assertThat(store.stateOf(uploading)).contains("uploading");
        assertThat(store.stateOf(committed)).contains("stored");
        assertThat(store.accountRowsOf(committed)).isEqualTo(1);
        assertThat(store.stateOf(back)).contains("stored");
        assertThat(repaired.all()).allSatisfy(f -> assertThat(f.outcome()).doesNotStartWith("repaired"));
    }
}
