package io.cumulus.gc.refs;

import static io.cumulus.gc.refs.ChunkStoreRows.counts;
import static io.cumulus.gc.refs.ChunkStoreRows.countedUpTo;
import static io.cumulus.gc.refs.ChunkStoreRows.positions;
import static io.cumulus.gc.refs.TestDeltas.T0;
import static io.cumulus.gc.refs.TestDeltas.aDelta;
import static io.cumulus.gc.refs.TestDeltas.chunk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.gc.ChunkGcConfig;
import io.cumulus.gc.refs.ChunkStoreRows.Count;
import io.cumulus.schemas.PoisonRecordException;

/**
 * Reference counting against a real broker and a real PostgreSQL: the deltas become counts, and no
 * redelivery (another consumer group, Kafka offsets that lag the database, a replay) counts twice.
 */
class RefCountConsumerIT {
    private static final Duration COUNTED = Duration.ofSeconds(60);
    private static final String A = chunk("a");
    private static final String B = chunk("b");
    private static final String MARKER = chunk("marker");
    private static RefsKafka kafka;

    private final PostgresConnection postgres = TestServers.freshDatabase();
    private final DataSource db = postgres.dataSource();
    private final String topic = kafka.newTopic();

    @BeforeAll
    static void startKafka() {
        kafka = new RefsKafka();
    }

    @AfterEach
    void closeDatabase() {
        postgres.close();
    }

    @AfterAll
    static void closeKafka() {
        kafka.close();
    }

    private RefCountConsumer consumer(String group, DataSource database) {
        RefCountConsumer consumer = new RefCountConsumer(ChunkGcConfig.of(kafka.bootstrapServers())
                .withGroupId(group).withChunkRefsTopic(topic).withMaxRetryBackoff(Duration.ofSeconds(1)), database);
        consumer.start();
        return consumer;
    }

    private static String aGroup() {
        return "chunk-gc-it-" + UUID.randomUUID();
    }

    /** +1 +1 -1 for A (its deltas out of time order, as two namespaces may emit them), +1 for B. */
    private void produceAAndB() {
        kafka.produce(topic,
                aDelta(A, 1, T0).build(),
                aDelta(A, 1, T0 + 10_000).build(),
                aDelta(A, -1, T0 + 5_000).build(),
                aDelta(B, 1, T0 + 2_000).build());
    }

    private void awaitCounted(DataSource database) {
        Map<Integer, Long> ends = kafka.endOffsets(topic);
        await().atMost(COUNTED).until(() -> countedUpTo(database, topic, ends));
    }

    /** Produces one more delta and waits until the consumer has counted it: it is past everything before. */
    private void awaitMarkerCounted(RefCountConsumer consumer, int expectedMarkerCount) {
        kafka.produce(topic, aDelta(MARKER, 1, T0).build());
        await().atMost(COUNTED).until(() -> counts(db).containsKey(MARKER)
                && counts(db).get(MARKER).refCount() == expectedMarkerCount || !consumer.isRunning());
        assertThat(consumer.failure()).isEmpty();
        assertThat(counts(db).get(MARKER).refCount()).isEqualTo(expectedMarkerCount);
    }

    @Test
    void deltasBecomeCountsWithTheLatestReferenceTimeAndPositionsInTheSameDatabase() {
        // given
        produceAAndB();

        // when
        String group = aGroup();
        try (RefCountConsumer consumer = consumer(group, db)) {
            awaitCounted(db);

            // then A is referenced once, last at its latest delta's time; B once
            assertThat(counts(db)).isEqualTo(Map.of(
                    A, Count.of(1, T0 + 10_000),
                    B, Count.of(1, T0 + 2_000)));
            // and the database's positions are the partitions' ends
            assertThat(positions(db, topic)).containsAllEntriesOf(nonEmpty(kafka.endOffsets(topic)));
            assertThat(consumer.failure()).isEmpty();
            assertThat(consumer.isRunning()).isTrue();
            // and the group's Kafka offsets follow, for its lag
            await().atMost(COUNTED).until(() -> kafka.committedOffsets(group, topic)
                    .entrySet().containsAll(nonEmpty(kafka.endOffsets(topic)).entrySet()));
        }
    }

    @Test
    void aConsumerOfANewGroupOnTheSameDatabaseCountsNothingAgain() {
        // given A and B counted by one consumer, which then goes away
        produceAAndB();
        try (RefCountConsumer first = consumer(aGroup(), db)) {
            awaitCounted(db);
        }
        Map<String, Count> before = counts(db);

        // when a consumer of another group, with no Kafka offsets at all, takes over
        try (RefCountConsumer second = consumer(aGroup(), db)) {
            awaitMarkerCounted(second, 1);

            // then A and B are as they were
            assertThat(counts(db)).containsAllEntriesOf(before).hasSize(3);
        }
    }

    @Test
    void aRedeliveryAfterACrashBetweenTheDatabaseCommitAndTheOffsetCommitChangesNothing() {
        // given A and B counted and the consumer gone
        produceAAndB();
        String group = aGroup();
        try (RefCountConsumer consumer = consumer(group, db)) {
            awaitCounted(db);
            await().atMost(COUNTED).until(() -> !kafka.committedOffsets(group, topic).isEmpty());
        }
        Map<String, Count> before = counts(db);
        // and the group's Kafka offsets as they would be had it crashed before committing them
        kafka.resetGroupOffsets(group, topic);
        assertThat(kafka.committedOffsets(group, topic).values()).containsOnly(0L);

        // when the same group starts again
        try (RefCountConsumer again = consumer(group, db)) {
            awaitMarkerCounted(again, 1);

            // then nothing was counted twice
            assertThat(counts(db)).containsAllEntriesOf(before).hasSize(3);
        }
    }

    @Test
    void moreDeltasAfterARestartAreCountedOnTopOfTheOldCounts() {
        // given A and B counted, the consumer gone
        produceAAndB();
        String group = aGroup();
        try (RefCountConsumer consumer = consumer(group, db)) {
            awaitCounted(db);
        }

        // when A is released while no consumer runs, then one starts again
        kafka.produce(topic, aDelta(A, -1, T0 + 20_000).build());
        try (RefCountConsumer again = consumer(group, db)) {
            awaitCounted(db);

            // then A is unreferenced, last referenced at its release
            assertThat(counts(db).get(A)).isEqualTo(Count.of(0, T0 + 20_000));
            assertThat(counts(db).get(B)).isEqualTo(Count.of(1, T0 + 2_000));
        }
    }

    @Test
    void aReplayIntoAnEmptyDatabaseRebuildsTheSameCounts() {
        // given A and B counted live
        produceAAndB();
        kafka.produce(topic, aDelta(B, -1, T0 + 3_000).build(), aDelta(B, 1, T0 + 4_000).build());
        try (RefCountConsumer live = consumer(aGroup(), db)) {
            awaitCounted(db);
        }

        // when another database is rebuilt from the topic's start by a new group
        try (PostgresConnection other = TestServers.freshDatabase();
                RefCountConsumer rebuild = consumer(aGroup(), other.dataSource())) {
            awaitCounted(other.dataSource());

            // then its counts are the live ones
            assertThat(counts(other.dataSource())).isEqualTo(counts(db));
        }
    }

    @Test
    void aDatabaseBehindTheGroupsKafkaOffsetsIsCountedFromItsOwnPositions() {
        // given a group that has counted A and B into one database and committed its Kafka offsets
        produceAAndB();
        String group = aGroup();
        try (RefCountConsumer consumer = consumer(group, db)) {
            awaitCounted(db);
            await().atMost(COUNTED).until(() -> kafka.committedOffsets(group, topic).entrySet()
                    .containsAll(nonEmpty(kafka.endOffsets(topic)).entrySet()));
        }

        // when the same group runs against a database that has counted nothing (restored from an
        // old backup, or rebuilt), whatever Kafka's offsets say
        try (PostgresConnection restored = TestServers.freshDatabase();
                RefCountConsumer again = consumer(group, restored.dataSource())) {
            awaitCounted(restored.dataSource());

            // then it counts everything from the start
            assertThat(counts(restored.dataSource())).isEqualTo(counts(db));
        }
    }

    @Test
    void aPoisonRecordStopsCountingAtItsCoordinatesAndMovesNoPosition() {
        // given A counted
        kafka.produce(topic, aDelta(A, 1, T0).build());
        try (RefCountConsumer consumer = consumer(aGroup(), db)) {
            awaitCounted(db);

            // when a record that is no delta arrives, followed by a good one in the same partition
            int partition = 1;
            long offset = kafka.produceRaw(topic, partition, new byte[] {0x13, 0x37});
            kafka.produceRaw(topic, partition, io.cumulus.schemas.AvroSerde.chunkRefDeltas()
                    .encode(aDelta(B, 1, T0).build()));

            // then the consumer stops, naming the record
            await().atMost(COUNTED).until(() -> consumer.failure().isPresent());
            assertThat(consumer.failure().get()).isInstanceOfSatisfying(PoisonRecordException.class, e -> {
                assertThat(e.topic()).isEqualTo(topic);
                assertThat(e.partition()).isEqualTo(partition);
                assertThat(e.offset()).isEqualTo(offset);
            });
            await().atMost(COUNTED).until(() -> !consumer.isRunning());
            // and neither the delta after it nor its position was counted
            assertThat(counts(db)).doesNotContainKey(B);
            assertThat(positions(db, topic).getOrDefault(partition, 0L)).isEqualTo(offset);
        }
    }

    private static Map<Integer, Long> nonEmpty(Map<Integer, Long> ends) {
        Map<Integer, Long> result = new java.util.HashMap<>(ends);
        result.values().removeIf(end -> end == 0);
        return result;
    }
}
