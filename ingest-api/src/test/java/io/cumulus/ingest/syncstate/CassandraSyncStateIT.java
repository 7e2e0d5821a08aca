package io.cumulus.ingest.syncstate;

import static io.cumulus.ingest.syncstate.ProjectedFeed.anEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.CassandraNode;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.ingest.resilience.StoreBreakers;
import io.cumulus.schemas.FileOp;

/**
 * The Cassandra adapter reading what the real projector wrote to a real node, with buckets of 4
 * seqs so that a page crosses partitions: the feed pages as PostgreSQL's would, a replay and a late
 * older event change nothing, and a device's cursor only moves forward.
 */
class CassandraSyncStateIT {
    private static final Duration PROJECTED = Duration.ofSeconds(60);
    private static PostgresConnection postgres;
    private static ProjectedFeed projected;
    private static CassandraSyncState syncState;

    private final UUID namespace = UUID.randomUUID();

    @BeforeAll
    static void start() {
        CassandraNode.unavailableReason().filter(reason -> !"true".equals(System.getenv("CI")))
                .ifPresent(reason -> Assumptions.abort("no Cassandra node: " + reason));
        postgres = TestServers.freshDatabase();
        projected = new ProjectedFeed(CassandraNode.shared(), 4, postgres).startProjector();
        syncState = CassandraSyncState.open(projected.settings, StoreBreakers.registry(Duration.ofSeconds(1)));
    }

    @AfterAll
    static void stop() {
        if (syncState != null) {
            syncState.close();
        }
        if (projected != null) {
            projected.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private List<Long> seqs(long after, int limit) {
        return syncState.feed(namespace, after, limit).stream().map(FeedEntry::seq).toList();
    }

    @Test
    void theFeedIsReadAcrossBucketBoundariesInSeqOrder() {
        // given 10 events of three files, projected into buckets 0 (1-3), 1 (4-7) and 2 (8-10)
        for (long seq = 1; seq <= 10; seq++) {
            projected.produce(anEvent(namespace, seq, "f" + (seq % 3)).build());
        }
        await().atMost(PROJECTED).until(() -> syncState.head(namespace) == 10);

        // then any page is the seqs after the cursor, up to the limit, whatever buckets it spans
        assertThat(seqs(0, 100)).containsExactlyElementsOf(LongStream.rangeClosed(1, 10).boxed().toList());
        assertThat(seqs(2, 5)).containsExactly(3L, 4L, 5L, 6L, 7L);
        assertThat(seqs(3, 4)).containsExactly(4L, 5L, 6L, 7L);
        assertThat(seqs(7, 100)).containsExactly(8L, 9L, 10L);
        assertThat(seqs(10, 100)).isEmpty();
        // and each entry carries the event
        FeedEntry fifth = syncState.feed(namespace, 4, 1).getFirst();
        assertThat(fifth.fileId()).isEqualTo("f2");
        assertThat(fifth.path()).isEqualTo("docs/f2.txt");
        assertThat(fifth.op()).isEqualTo("UPSERT");
        assertThat(fifth.vector().get(ProjectedFeed.DEVICE).asLong()).isEqualTo(5);
        assertThat(fifth.chunks().get(0).get("id").asString()).isEqualTo(ProjectedFeed.CHUNK);
        assertThat(fifth.at()).isEqualTo(java.time.Instant.ofEpochMilli(1_760_000_000_005L));
        // and a namespace without events has an empty feed
        assertThat(syncState.feed(UUID.randomUUID(), 0, 10)).isEmpty();
    }

    @Test
    void aCopyWaitingForItsMergeIsMarkedSoInTheFeedAndItsStateUntilItIsReleased() {
        // given a file and its conflicted copy waiting for the merge worker
        projected.produce(anEvent(namespace, 1, "f").build(),
                anEvent(namespace, 2, "c").setConflictOf("f").setMergePending(true).build());
        await().atMost(PROJECTED).until(() -> syncState.head(namespace) == 2);
        assertThat(syncState.file(namespace, "c").orElseThrow().mergePending()).isTrue();

        // when the worker releases it
        projected.produce(anEvent(namespace, 3, "c").build());
        await().atMost(PROJECTED).until(() -> syncState.head(namespace) == 3);

        // then each feed entry carries its event's flag, and the copy's state is no longer waiting
        assertThat(syncState.feed(namespace, 0, 10)).extracting(FeedEntry::mergePending).containsExactly(false, true, false);
        assertThat(syncState.file(namespace, "c").orElseThrow().mergePending()).isFalse();
        assertThat(syncState.file(namespace, "f").orElseThrow().mergePending()).isFalse();
    }

    @Test
    void aFilesCurrentStateIsItsLatestEventEvenAfterAReplayAndALateOlderEvent() {
        // given a file written, renamed, then deleted
        projected.produce(anEvent(namespace, 1, "f").build(), anEvent(namespace, 2, "f").setPath("docs/renamed.txt").build(),
                anEvent(namespace, 6, "f").setOp(FileOp.DELETE).setChunks(List.of()).setSize(0L).build());
        await().atMost(PROJECTED).until(() -> syncState.head(namespace) == 6);
        FileEntry deleted = syncState.file(namespace, "f").orElseThrow();
        List<FeedEntry> feed = syncState.feed(namespace, 0, 100);

        // when an older event arrives late, and a new projector replays the topics from the start
        projected.produce(anEvent(namespace, 5, "f").setPath("docs/late.txt").build());
        await().atMost(PROJECTED).until(() -> seqs(0, 100).contains(5L));
        projected.startProjector();
        projected.produce(anEvent(namespace, 7, "g").build());
        await().atMost(PROJECTED).until(() -> syncState.head(namespace) == 7);

        // then the file is still deleted at seq 6, and the feed only gained the two new events
        assertThat(deleted.deleted()).isTrue();
        assertThat(deleted.seq()).isEqualTo(6);
        assertThat(deleted.path()).isEqualTo("docs/f.txt");
        assertThat(syncState.file(namespace, "f")).contains(deleted);
        assertThat(syncState.feed(namespace, 0, 100)).hasSize(feed.size() + 2).containsAll(feed);
        assertThat(syncState.file(namespace, "missing")).isEmpty();
    }

    @Test
    void aDevicesCursorOnlyMovesForward() {
        UUID laptop = UUID.randomUUID();
        UUID phone = UUID.randomUUID();

        syncState.recordCursor(namespace, laptop, 5);
        syncState.recordCursor(namespace, laptop, 3);
        syncState.recordCursor(namespace, phone, 0);
        assertThat(syncState.cursors(namespace)).extracting(DeviceCursor::deviceId, DeviceCursor::seq)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(laptop, 5L),
                        org.assertj.core.groups.Tuple.tuple(phone, 0L));

        syncState.recordCursor(namespace, laptop, 8);
        assertThat(syncState.cursors(namespace)).extracting(DeviceCursor::seq).contains(8L).doesNotContain(5L);
        assertThat(syncState.cursors(namespace)).allSatisfy(c -> assertThat(c.updatedAt()).isNotNull());
    }
}
