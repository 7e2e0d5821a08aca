package io.cumulus.projector;

import static io.cumulus.projector.TestRecords.anEvent;
import static io.cumulus.projector.TestRecords.anOutcome;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.schemas.ChangeOutcome;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.FileOp;
import io.cumulus.schemas.OutcomeKind;
import io.cumulus.schemas.PoisonRecordException;
import io.cumulus.schemas.Topics;

/** The projector against a real broker and a real PostgreSQL: rows appear, and redeliveries change nothing. */
class ProjectorIT {
    private static final Duration PROJECTED = Duration.ofSeconds(60);
    private static final List<String> TOPICS = List.of(Topics.FILE_EVENTS, Topics.OUTCOMES);
    private static TestKafka kafka;

    private final UUID namespace = UUID.randomUUID();
    private final PostgresConnection postgres = TestServers.freshDatabase();
    private final DataSource db = postgres.dataSource();

    @BeforeAll
    static void topics() {
        kafka = new TestKafka();
    }

    @AfterEach
    void closeDatabase() {
        postgres.close();
    }

    @AfterAll
    static void closeKafka() {
        kafka.close();
    }

    private Projector projector(String group) {
        Projector projector = new Projector(ProjectorConfig.of(kafka.bootstrapServers()).withGroupId(group), db);
        projector.start();
        return projector;
    }

    private static String aGroup() {
        return "projector-it-" + UUID.randomUUID();
    }

    @Test
    void fileEventsAndOutcomesBecomeFeedFileAndOutcomeRows() throws Exception {
        // given a file created, another created, the first deleted, and two verdicts
        FileEvent created = anEvent(namespace, 1, "f1").build();
        FileEvent other = anEvent(namespace, 2, "f2").setConflictOf("f1").build();
        FileEvent deleted = anEvent(namespace, 3, "f1").setOp(FileOp.DELETE).setChunks(List.of()).setSize(0L).build();
        ChangeOutcome stale = anOutcome(namespace, "b-" + namespace, 0).setKind(OutcomeKind.STALE).setSeq(null).build();
        ChangeOutcome conflict = anOutcome(namespace, "b-" + namespace, 1).setKind(OutcomeKind.CONFLICT).setSeq(2L)
                .setConflictFileId("f2").setConflictPath("docs/f1 (Laptop's conflicted copy 2025-10-09).txt").build();

        // when they are produced and projected
        kafka.produce(created, other, deleted);
        kafka.produce(stale, conflict);
        try (Projector projector = projector(aGroup())) {
            await().atMost(PROJECTED).until(() -> ReadModelRows.of(db, namespace).size() == 3 + 2 + 2);

            // then the feed has one row per event, the file rows their latest state, the outcomes one row each
            assertThat(query("SELECT seq || ' ' || file_id || ' ' || op || ' ' || coalesce(conflict_of, '-')"
                    + " FROM readmodel.feed WHERE namespace_id = ? ORDER BY seq"))
                    .containsExactly("1 f1 UPSERT -", "2 f2 UPSERT f1", "3 f1 DELETE -");
            assertThat(query("SELECT file_id || ' ' || deleted || ' ' || seq || ' ' || size || ' ' || chunks::text"
                    + " FROM readmodel.files WHERE namespace_id = ? ORDER BY file_id"))
                    .containsExactly("f1 true 3 0 []", "f2 false 2 15 [{\"id\": \"" + TestRecords.CHUNK_A
                            + "\", \"size\": 10}, {\"id\": \"" + TestRecords.CHUNK_B + "\", \"size\": 5}]");
            assertThat(query("SELECT (vector->>'" + TestRecords.LAPTOP + "') || ' ' || (vector->>'" + TestRecords.PHONE
                    + "') || ' ' || (extract(epoch from updated_at) * 1000)::bigint FROM readmodel.files"
                    + " WHERE namespace_id = ? AND file_id = 'f2'"))
                    .containsExactly("2 1 " + (1_760_000_000_000L + 2));
            assertThat(query("SELECT change_index || ' ' || kind || ' ' || coalesce(seq::text, '-') || ' '"
                    + " || coalesce(conflict_path, '-') || ' ' || current_vector::text"
                    + " FROM readmodel.batch_outcomes WHERE namespace_id = ? ORDER BY change_index"))
                    .containsExactly("0 STALE - - {\"" + TestRecords.LAPTOP + "\": 1}",
                            "1 CONFLICT 2 docs/f1 (Laptop's conflicted copy 2025-10-09).txt {\""
                                    + TestRecords.LAPTOP + "\": 1}");
            assertThat(projector.failure()).isEmpty();
        }
    }

    @Test
    void aRedeliveryOfTheSameRecordsChangesNothing() {
        // given events and outcomes projected
        FileEvent[] events = {anEvent(namespace, 1, "f1").build(), anEvent(namespace, 2, "f2").build(),
                anEvent(namespace, 3, "f1").setPath("docs/renamed.txt").build()};
        ChangeOutcome outcome = anOutcome(namespace, "b-" + namespace, 0).build();
        kafka.produce(events);
        kafka.produce(outcome);
        String group = aGroup();
        try (Projector projector = projector(group)) {
            await().atMost(PROJECTED).until(() -> kafka.caughtUp(group, TOPICS));
            ReadModelRows before = ReadModelRows.of(db, namespace);
            assertThat(before.size()).isEqualTo(2 + 3 + 1);

            // when the same records arrive again
            kafka.produce(events);
            kafka.produce(outcome);
            await().atMost(PROJECTED).until(() -> kafka.caughtUp(group, TOPICS));

            // then the tables are exactly as they were
            assertThat(ReadModelRows.of(db, namespace)).isEqualTo(before);
        }
    }

    @Test
    void aSecondProjectorReadingFromTheStartChangesNothing() {
        // given events projected by one projector
        kafka.produce(anEvent(namespace, 1, "f1").build(), anEvent(namespace, 2, "f1").setPath("docs/b.txt").build());
        kafka.produce(anOutcome(namespace, "b-" + namespace, 0).build());
        String first = aGroup();
        ReadModelRows before;
        try (Projector projector = projector(first)) {
            await().atMost(PROJECTED).until(() -> kafka.caughtUp(first, TOPICS));
            before = ReadModelRows.of(db, namespace);
        }

        // when another group re-reads both topics from the beginning into the same tables (the positions
        // forgotten, as after a restore of the tables without them)
        execute("DELETE FROM readmodel.consumer_positions");
        String second = aGroup();
        try (Projector projector = projector(second)) {
            await().atMost(PROJECTED).until(() -> kafka.caughtUp(second, TOPICS));
        }

        // then nothing changed
        assertThat(before.size()).isEqualTo(1 + 2 + 1);
        assertThat(ReadModelRows.of(db, namespace)).isEqualTo(before);
    }

    @Test
    void aCopyWaitingForTheMergeIsMarkedSoUntilItIsWrittenAgain() throws Exception {
        // given a file, its conflicted copy waiting for the merge, then the copy written again by the merge worker
        kafka.produce(anEvent(namespace, 1, "f1").build(),
                anEvent(namespace, 2, "c1").setConflictOf("f1").setMergePending(true).build());
        String group = aGroup();
        try (Projector projector = projector(group)) {
            await().atMost(PROJECTED).until(() -> query("SELECT file_id || ' ' || merge_pending FROM readmodel.files"
                    + " WHERE namespace_id = ? ORDER BY file_id"), rows -> rows.equals(List.of("c1 true", "f1 false")));

            // when the copy is released
            kafka.produce(anEvent(namespace, 3, "c1").build());
            await().atMost(PROJECTED).until(() -> query("SELECT seq::text FROM readmodel.files WHERE namespace_id = ?"
                    + " AND file_id = 'c1'"), rows -> rows.equals(List.of("3")));

            // then its file row shows it, and the feed keeps each event's flag
            assertThat(query("SELECT file_id || ' ' || merge_pending FROM readmodel.files WHERE namespace_id = ?"
                    + " ORDER BY file_id")).containsExactly("c1 false", "f1 false");
            assertThat(query("SELECT seq || ' ' || merge_pending FROM readmodel.feed WHERE namespace_id = ? ORDER BY seq"))
                    .containsExactly("1 false", "2 true", "3 false");
            assertThat(projector.failure()).isEmpty();
        }
    }

    @Test
    void anOlderEventNeverOverwritesANewerFileRow() throws Exception {
        // given a file at seq 2
        String group = aGroup();
        try (Projector projector = projector(group)) {
            kafka.produce(anEvent(namespace, 2, "f1").setPath("docs/new.txt").build());
            await().atMost(PROJECTED).until(() -> query("SELECT seq::text FROM readmodel.files WHERE namespace_id = ?"),
                    rows -> rows.equals(List.of("2")));

            // when its older event arrives late, followed by a newer event of another file
            kafka.produce(anEvent(namespace, 1, "f1").setPath("docs/old.txt").build(),
                    anEvent(namespace, 3, "f2").build());
            await().atMost(PROJECTED).until(() -> query("SELECT seq::text FROM readmodel.feed WHERE namespace_id = ?"
                    + " ORDER BY seq"), rows -> rows.equals(List.of("1", "2", "3")));

            // then the file row still holds the newer state, and the feed keeps the old event as history
            assertThat(query("SELECT file_id || ' ' || seq || ' ' || path FROM readmodel.files"
                    + " WHERE namespace_id = ? ORDER BY file_id"))
                    .containsExactly("f1 2 docs/new.txt", "f2 3 docs/f2.txt");
        }
    }

    @Test
    void aReplayIntoAnEmptiedReadModelRebuildsEqualTables() {
        // given a history projected live
        kafka.produce(anEvent(namespace, 1, "f1").build(), anEvent(namespace, 2, "f2").build(),
                anEvent(namespace, 3, "f1").setOp(FileOp.DELETE).setChunks(List.of()).setSize(0L).build(),
                anEvent(namespace, 4, "f3").setConflictOf("f2").build());
        kafka.produce(anOutcome(namespace, "b1-" + namespace, 0).build(),
                anOutcome(namespace, "b2-" + namespace, 0).setKind(OutcomeKind.DUPLICATE).setSeq(null).build());
        String live = aGroup();
        ReadModelRows liveRows;
        try (Projector projector = projector(live)) {
            await().atMost(PROJECTED).until(() -> kafka.caughtUp(live, TOPICS));
            liveRows = ReadModelRows.of(db, namespace);
        }
        assertThat(liveRows.size()).isEqualTo(3 + 4 + 2);

        // when the read model is emptied and a new group replays the topics
        ReadModelRows.deleteAll(db);
        assertThat(ReadModelRows.of(db, namespace).size()).isZero();
        String replay = aGroup();
        try (Projector projector = projector(replay)) {
            await().atMost(PROJECTED).until(() -> kafka.caughtUp(replay, TOPICS));
        }

        // then the rebuilt tables equal the live ones
        assertThat(ReadModelRows.of(db, namespace)).isEqualTo(liveRows);
    }

    @Test
    void aPoisonRecordStopsTheProjectorBeforeItAndCommitsNothingPastIt() {
        // given topics of its own holding a good event, an undecodable record, then another good event
        String events = "poison-events-" + namespace;
        String outcomes = "poison-outcomes-" + namespace;
        kafka.createTopics(events, outcomes);
        kafka.send(events, namespace.toString(), io.cumulus.schemas.AvroSerde.fileEvents()
                .encode(anEvent(namespace, 1, "f1").build()));
        kafka.send(events, namespace.toString(), "garbage".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        kafka.send(events, namespace.toString(), io.cumulus.schemas.AvroSerde.fileEvents()
                .encode(anEvent(namespace, 3, "f3").build()));

        // when a projector reads them
        String group = aGroup();
        Projector projector = new Projector(ProjectorConfig.of(kafka.bootstrapServers()).withGroupId(group)
                .withTopics(events, outcomes), db);
        try (projector) {
            projector.start();
            await().atMost(PROJECTED).until(() -> !projector.isRunning());
        }

        // then it stopped on the poison record, named it, and neither wrote nor committed anything past it
        assertThat(projector.failure()).get().isInstanceOfSatisfying(PoisonRecordException.class, e -> {
            assertThat(e.topic()).isEqualTo(events);
            assertThat(e.partition()).isZero();
            assertThat(e.offset()).isEqualTo(1);
        });
        assertThat(ReadModelRows.of(db, namespace).feed()).noneMatch(row -> row.contains("\"seq\":3"));
        assertThat(kafka.committedOffset(group, new TopicPartition(events, 0))).isLessThanOrEqualTo(1);
    }

    @Test
    void aDatabaseOutageDelaysProjectionAndLosesNothing() throws Exception {
        // given a projector that reaches the database through a connection that can be cut
        try (TcpProxy proxy = TcpProxy.to(postgres.host(), postgres.port());
                Projector projector = new Projector(ProjectorConfig.of(kafka.bootstrapServers())
                        .withGroupId(aGroup()).withMaxRetryBackoff(Duration.ofMillis(500)), throughProxy(proxy))) {
            projector.start();
            kafka.produce(anEvent(namespace, 1, "f1").build());
            await().atMost(PROJECTED).until(() -> ReadModelRows.of(db, namespace).feed().size() == 1);

            // when the database becomes unreachable while more records arrive
            proxy.cut();
            kafka.produce(anEvent(namespace, 2, "f2").build(), anEvent(namespace, 3, "f1").setPath("docs/x.txt").build());
            kafka.produce(anOutcome(namespace, "b-" + namespace, 0).build());
            await().atMost(PROJECTED).until(() -> proxy.refusedConnections() >= 3);
            assertThat(ReadModelRows.of(db, namespace).feed()).hasSize(1);

            // then once it is back, everything produced meanwhile is projected by the same projector
            proxy.restore();
            await().atMost(PROJECTED).until(() -> ReadModelRows.of(db, namespace).size() == 2 + 3 + 1);
            assertThat(query("SELECT file_id || ' ' || seq || ' ' || path FROM readmodel.files"
                    + " WHERE namespace_id = ? ORDER BY file_id")).containsExactly("f1 3 docs/x.txt", "f2 2 docs/f2.txt");
            assertThat(projector.isRunning()).isTrue();
            assertThat(projector.failure()).isEmpty();
        }
    }

    private DataSource throughProxy(TcpProxy proxy) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {"127.0.0.1"});
        ds.setPortNumbers(new int[] {proxy.port()});
        ds.setDatabaseName(postgres.database());
        ds.setUser(postgres.user());
        ds.setPassword(postgres.password());
        ds.setConnectTimeout(5);
        ds.setSocketTimeout(10);
        return ds;
    }

    private void execute(String sql) {
        try (Connection c = db.getConnection(); var s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One text column per row, for this test's namespace (the one parameter of the query). */
    private List<String> query(String sql) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, namespace);
            List<String> rows = new java.util.ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.add(r.getString(1));
                }
            }
            return rows;
        }
    }
}
