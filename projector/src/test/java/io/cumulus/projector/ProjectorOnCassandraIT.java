package io.cumulus.projector;

import static io.cumulus.projector.TestRecords.anEvent;
import static io.cumulus.projector.TestRecords.anOutcome;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.CassandraNode;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.FileOp;
import io.cumulus.schemas.Topics;

/**
 * The projector with a Cassandra sync state, against a real broker, PostgreSQL and Cassandra node:
 * the feed lands in bounded buckets, a replay or a late older event changes nothing, and Cassandra
 * is written before PostgreSQL, so while it is down nothing moves on.
 */
class ProjectorOnCassandraIT {
    private static final Duration PROJECTED = Duration.ofSeconds(60);
    private static final List<String> TOPICS = List.of(Topics.FILE_EVENTS, Topics.OUTCOMES);
    /** Small buckets, so that a handful of events spans several partitions. */
    private static final long BUCKET = 4;
    private static TestKafka kafka;
    private static CassandraNode node;
    private static CassandraSettings settings;
    private static CqlSession session;

    private final UUID namespace = UUID.randomUUID();
    private final PostgresConnection postgres = TestServers.freshDatabase();

    @BeforeAll
    static void servers() {
        CassandraNode.unavailableReason().filter(reason -> !"true".equals(System.getenv("CI")))
                .ifPresent(reason -> Assumptions.abort("no Cassandra node: " + reason));
        kafka = new TestKafka();
        node = CassandraNode.shared();
        settings = CassandraSettings.of(List.of(node.contactPoint()), CassandraNode.DATACENTER,
                "projector_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12))
                .withFeedBucketSize(BUCKET);
        session = settings.openSession();
        CassandraSyncStateSchema.create(session, settings);
    }

    @AfterEach
    void closeDatabase() {
        postgres.close();
    }

    @AfterAll
    static void close() {
        if (session != null) {
            session.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private Projector projector(String group) {
        Projector projector = new Projector(ProjectorConfig.of(kafka.bootstrapServers()).withGroupId(group)
                .withMaxRetryBackoff(Duration.ofMillis(500)).withCassandra(settings), postgres.dataSource());
        projector.start();
        return projector;
    }

    private static String aGroup() {
        return "projector-cassandra-it-" + UUID.randomUUID();
    }

    private CassandraRows cassandraRows() {
        return CassandraRows.of(session, settings.keyspace(), namespace, 10);
    }

    private List<String> cql(String cql, Object... values) {
        return session.execute(SimpleStatement.newInstance(cql.replace("KS", settings.keyspace()), values)).all()
                .stream().map(r -> String.valueOf(r.getObject(0))).toList();
    }

    @Test
    void fileEventsBecomeFeedRowsInBoundedBucketsFileStatesAndAHead() {
        // given ten events of three files, the last one a deletion
        for (long seq = 1; seq <= 9; seq++) {
            kafka.produce(anEvent(namespace, seq, "f" + (seq % 3)).build());
        }
        kafka.produce(anEvent(namespace, 10, "f1").setOp(FileOp.DELETE).setChunks(List.of()).setSize(0L).build());

        // when they are projected
        String group = aGroup();
        try (Projector projector = projector(group)) {
            await().atMost(PROJECTED).until(() -> kafka.caughtUp(group, TOPICS));

            // then each bucket partition holds the seqs of its range, in order
            assertThat(cql("SELECT seq FROM KS.feed WHERE namespace_id = ? AND bucket = 0", namespace))
                    .containsExactly("1", "2", "3");
            assertThat(cql("SELECT seq FROM KS.feed WHERE namespace_id = ? AND bucket = 1", namespace))
                    .containsExactly("4", "5", "6", "7");
            assertThat(cql("SELECT seq FROM KS.feed WHERE namespace_id = ? AND bucket = 2", namespace))
                    .containsExactly("8", "9", "10");
            // each file has its latest state, the deleted one marked so
            assertThat(cql("SELECT JSON file_id, seq, deleted, size, chunks FROM KS.files WHERE namespace_id = ?", namespace))
                    .containsExactly(
                            "{\"file_id\": \"f0\", \"seq\": 9, \"deleted\": false, \"size\": 15, \"chunks\": \"[{\\\"id\\\": \\\""
                                    + TestRecords.CHUNK_A + "\\\", \\\"size\\\": 10}, {\\\"id\\\": \\\"" + TestRecords.CHUNK_B
                                    + "\\\", \\\"size\\\": 5}]\"}",
                            "{\"file_id\": \"f1\", \"seq\": 10, \"deleted\": true, \"size\": 0, \"chunks\": \"[]\"}",
                            "{\"file_id\": \"f2\", \"seq\": 8, \"deleted\": false, \"size\": 15, \"chunks\": \"[{\\\"id\\\": \\\""
                                    + TestRecords.CHUNK_A + "\\\", \\\"size\\\": 10}, {\\\"id\\\": \\\"" + TestRecords.CHUNK_B
                                    + "\\\", \\\"size\\\": 5}]\"}");
            assertThat(cql("SELECT vector FROM KS.files WHERE namespace_id = ? AND file_id = 'f0'", namespace))
                    .containsExactly("{\"" + TestRecords.LAPTOP + "\": 9, \"" + TestRecords.PHONE + "\": 1}");
            // and the head names the last seq
            assertThat(cql("SELECT last_seq FROM KS.namespace_heads WHERE namespace_id = ?", namespace))
                    .containsExactly("10");
            // PostgreSQL got the same events
            assertThat(ReadModelRows.of(postgres.dataSource(), namespace).feed()).hasSize(10);
            assertThat(projector.failure()).isEmpty();
        }
    }

    @Test
    void aCopyWaitingForTheMergeIsMarkedSoUntilItIsWrittenAgain() {
        // given a file, its conflicted copy waiting for the merge, then the copy written again by the merge worker
        kafka.produce(anEvent(namespace, 1, "f1").build(),
                anEvent(namespace, 2, "c1").setConflictOf("f1").setMergePending(true).build());
        String group = aGroup();
        try (Projector projector = projector(group)) {
            await().atMost(PROJECTED).until(() -> kafka.caughtUp(group, TOPICS));
            assertThat(cql("SELECT merge_pending FROM KS.files WHERE namespace_id = ? AND file_id = 'c1'", namespace))
                    .containsExactly("true");

            // when the copy is released
            kafka.produce(anEvent(namespace, 3, "c1").build());
            await().atMost(PROJECTED).until(() -> kafka.caughtUp(group, TOPICS));

            // then its file row shows it, and the feed keeps each event's flag
            assertThat(cql("SELECT merge_pending FROM KS.files WHERE namespace_id = ? AND file_id = 'c1'", namespace))
                    .containsExactly("false");
            assertThat(cql("SELECT merge_pending FROM KS.feed WHERE namespace_id = ? AND bucket = 0", namespace))
                    .containsExactly("false", "true", "false");
        }
    }

    @Test
    void tablesCreatedBeforeTheMergeFlagGainItsColumn() {
        // given the sync-state tables as the first release created them
        String ks = "projector_old_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        CassandraSettings old = CassandraSettings.of(List.of(node.contactPoint()), CassandraNode.DATACENTER, ks);
        session.execute("CREATE KEYSPACE " + ks + " WITH replication = " + old.replication());
        session.execute("CREATE TABLE " + ks + ".feed (namespace_id uuid, bucket bigint, seq bigint, file_id text,"
                + " path text, op text, vector text, chunks text, size bigint, device_id text, batch_id text,"
                + " change_index int, conflict_of text, at timestamp, PRIMARY KEY ((namespace_id, bucket), seq))");
        session.execute("CREATE TABLE " + ks + ".files (namespace_id uuid, file_id text, path text, deleted boolean,"
                + " vector text, chunks text, size bigint, seq bigint, device_id text, updated_at timestamp,"
                + " PRIMARY KEY ((namespace_id), file_id))");

        // when the projector creates its schema, twice (every start does)
        CassandraSyncStateSchema.create(session, old);
        CassandraSyncStateSchema.create(session, old);

        // then both tables have the column
        assertThat(session.getMetadata().getKeyspace(ks).orElseThrow().getTable("feed").orElseThrow()
                .getColumn("merge_pending")).isPresent();
        assertThat(session.getMetadata().getKeyspace(ks).orElseThrow().getTable("files").orElseThrow()
                .getColumn("merge_pending")).isPresent();
        session.execute("DROP KEYSPACE " + ks);
    }

    @Test
    void aReplayOfTheSameRecordsChangesNothingAndAnOlderEventNeverWins() {
        // given events projected once
        FileEvent[] events = {anEvent(namespace, 1, "f1").build(), anEvent(namespace, 2, "f2").build(),
                anEvent(namespace, 5, "f1").setPath("docs/renamed.txt").build(),
                anEvent(namespace, 6, "f2").setOp(FileOp.DELETE).setChunks(List.of()).setSize(0L).build()};
        kafka.produce(events);
        String first = aGroup();
        try (Projector projector = projector(first)) {
            await().atMost(PROJECTED).until(() -> kafka.caughtUp(first, TOPICS));
        }
        CassandraRows before = cassandraRows();
        assertThat(before.size()).isEqualTo(4 + 2 + 1);

        // when another group replays both topics from the start, and an older event of f1 comes late
        String replay = aGroup();
        try (Projector projector = projector(replay)) {
            await().atMost(PROJECTED).until(() -> kafka.caughtUp(replay, TOPICS));
            kafka.produce(anEvent(namespace, 3, "f1").setPath("docs/old.txt").build());
            await().atMost(PROJECTED).until(() -> kafka.caughtUp(replay, TOPICS));
        }

        // then the files and the head are exactly as they were, and the feed only gained the late event's row
        CassandraRows after = cassandraRows();
        assertThat(after.files()).isEqualTo(before.files());
        assertThat(after.heads()).isEqualTo(before.heads());
        assertThat(after.feed()).hasSize(5).containsAll(before.feed());
        assertThat(cql("SELECT path FROM KS.files WHERE namespace_id = ? AND file_id = 'f1'", namespace))
                .containsExactly("docs/renamed.txt");
    }

    @Test
    void whileCassandraIsDownNothingReachesPostgresAndEverythingConvergesOnceItIsBack() {
        // given a projector that has projected one event
        String group = aGroup();
        try (Projector projector = projector(group)) {
            kafka.produce(anEvent(namespace, 1, "f1").build());
            await().atMost(PROJECTED).until(() -> ReadModelRows.of(postgres.dataSource(), namespace).feed().size() == 1);

            // when Cassandra stops while more events and an outcome arrive
            node.stop();
            try {
                kafka.produce(anEvent(namespace, 2, "f2").build(), anEvent(namespace, 3, "f1").setPath("docs/x.txt").build());
                kafka.produce(anOutcome(namespace, "b-" + namespace, 0).build());

                // then PostgreSQL, written after Cassandra, gets none of them, and no offset moves past them
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                        .until(() -> ReadModelRows.of(postgres.dataSource(), namespace).size() == 2);
                assertThat(kafka.caughtUp(group, TOPICS)).isFalse();
            } finally {
                node.start();
            }

            // and once Cassandra is back, the same projector writes everything to both
            await().atMost(PROJECTED).until(() -> kafka.caughtUp(group, TOPICS));
            assertThat(ReadModelRows.of(postgres.dataSource(), namespace).size()).isEqualTo(3 + 2 + 1);
            // (this test's own driver session may take a moment longer than the projector's to see the node again)
            await().atMost(PROJECTED).ignoreExceptions().untilAsserted(() -> {
                assertThat(cql("SELECT seq FROM KS.feed WHERE namespace_id = ? AND bucket = 0", namespace))
                        .containsExactly("1", "2", "3");
                assertThat(cql("SELECT last_seq FROM KS.namespace_heads WHERE namespace_id = ?", namespace))
                        .containsExactly("3");
            });
            assertThat(projector.isRunning()).isTrue();
            assertThat(projector.failure()).isEmpty();
        }
    }
}
