package io.cumulus.gc.refs;

import static io.cumulus.gc.refs.ChunkStoreRows.counts;
import static io.cumulus.gc.refs.ChunkStoreRows.positions;
import static io.cumulus.gc.refs.TestDeltas.T0;
import static io.cumulus.gc.refs.TestDeltas.chunk;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.gc.GcSchema;
import io.cumulus.gc.refs.ChunkStoreRows.Count;
import io.cumulus.sync.manifest.ChunkId;

/**
 * The counting transaction against a real PostgreSQL: whatever reaches it twice (the same poll
 * again, an overlapping poll, two instances holding one partition for a moment) is counted once,
 * because it reads the positions under a lock and moves them with the counts.
 */
class RefCountStoreIT {
    private static final String TOPIC = "refs";
    private static final String A = chunk("a");
    private static final String B = chunk("b");

    private final PostgresConnection postgres = TestServers.freshDatabase();
    private final DataSource db = postgres.dataSource();
    private final RefCountStore store = new RefCountStore(db);

    @BeforeEach
    void schema() {
        GcSchema.migrate(db);
    }

    @AfterEach
    void closeDatabase() {
        postgres.close();
    }

    private static RefDelta delta(long offset, String chunk, int delta, long at) {
        return new RefDelta(offset, ChunkId.of(chunk), delta, at);
    }

    private static RefDeltaBatch batch(Map<Integer, List<RefDelta>> byPartition) {
        return new RefDeltaBatch(TOPIC, byPartition);
    }

    @Test
    void theSamePollAppliedTwiceCountsOnce() throws Exception {
        // given
        RefDeltaBatch poll = batch(Map.of(
                0, List.of(delta(0, A, 1, T0), delta(1, A, 1, T0 + 1), delta(2, A, -1, T0 + 2)),
                2, List.of(delta(7, B, 1, T0 + 3))));

        // when
        RefCountStore.Applied first = store.apply(poll);
        RefCountStore.Applied second = store.apply(poll);

        // then
        assertThat(first).isEqualTo(new RefCountStore.Applied(4, 0, Map.of()));
        assertThat(second).isEqualTo(new RefCountStore.Applied(0, 4, Map.of()));
        assertThat(counts(db)).isEqualTo(Map.of(A, Count.of(1, T0 + 2), B, Count.of(1, T0 + 3)));
        assertThat(positions(db, TOPIC)).isEqualTo(Map.of(0, 3L, 2, 8L));
    }

    @Test
    void anOverlappingPollCountsOnlyWhatIsNew() throws Exception {
        // given offsets 0..1 counted
        store.apply(batch(Map.of(0, List.of(delta(0, A, 1, T0), delta(1, B, 1, T0 + 1)))));

        // when offsets 1..2 arrive (1 again, 2 new)
        RefCountStore.Applied applied = store.apply(batch(Map.of(0, List.of(delta(1, B, 1, T0 + 1),
                delta(2, B, -1, T0 + 9)))));

        // then
        assertThat(applied).isEqualTo(new RefCountStore.Applied(1, 1, Map.of()));
        assertThat(counts(db)).isEqualTo(Map.of(A, Count.of(1, T0), B, Count.of(0, T0 + 9)));
        assertThat(positions(db, TOPIC)).isEqualTo(Map.of(0, 3L));
    }

    @Test
    void aStaleReferenceTimeNeverMovesTheLastReferenceBack() throws Exception {
        store.apply(batch(Map.of(0, List.of(delta(0, A, 1, T0 + 100)))));

        store.apply(batch(Map.of(1, List.of(delta(0, A, 1, T0)))));

        assertThat(counts(db)).isEqualTo(Map.of(A, Count.of(2, T0 + 100)));
    }

    @Test
    void aCountBelowZeroIsKeptAsCountedAndReported() throws Exception {
        RefCountStore.Applied applied = store.apply(batch(Map.of(0, List.of(delta(0, A, -1, T0)))));

        assertThat(applied.negativeCounts()).isEqualTo(Map.of(A, -1L));
        assertThat(counts(db)).isEqualTo(Map.of(A, Count.of(-1, T0)));
    }

    @Test
    void twoWritersApplyingTheSamePollsAtOnceCountEachDeltaOnce() throws Exception {
        // given twenty polls over two partitions and many chunks, as two instances would both
        // receive them for a moment during a rebalance
        List<RefDeltaBatch> polls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            List<RefDelta> p0 = new ArrayList<>();
            List<RefDelta> p1 = new ArrayList<>();
            for (int j = 0; j < 10; j++) {
                p0.add(delta(i * 10L + j, chunk("c" + j), 1, T0 + i));
                p1.add(delta(i * 10L + j, chunk("c" + (9 - j)), 1, T0 + i));
            }
            polls.add(batch(Map.of(0, p0, 1, p1)));
        }

        // when two writers apply all of them concurrently
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Callable<Integer> writer = () -> {
                int counted = 0;
                for (RefDeltaBatch poll : polls) {
                    counted += new RefCountStore(db).apply(poll).counted();
                }
                return counted;
            };
            Future<Integer> one = pool.submit(writer);
            Future<Integer> two = pool.submit(writer);

            // then every delta is counted by exactly one of them
            assertThat(one.get() + two.get()).isEqualTo(400);
        } finally {
            pool.shutdownNow();
        }
        Map<String, Count> counts = counts(db);
        assertThat(counts).hasSize(10);
        assertThat(counts.values()).allSatisfy(c -> assertThat(c).isEqualTo(Count.of(40, T0 + 19)));
        assertThat(positions(db, TOPIC)).isEqualTo(Map.of(0, 200L, 1, 200L));
    }
}
