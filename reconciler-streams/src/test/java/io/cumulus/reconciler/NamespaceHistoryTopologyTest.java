package io.cumulus.reconciler;

import static io.cumulus.reconciler.BatchBuilder.LAPTOP;
import static io.cumulus.reconciler.BatchBuilder.PHONE;
import static io.cumulus.reconciler.BatchBuilder.aBatch;
import static io.cumulus.reconciler.BatchBuilder.chunk;
import static io.cumulus.reconciler.BatchBuilder.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cumulus.schemas.ChangeBatchSubmitted;
import io.cumulus.schemas.ChunkRefDelta;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.Topics;

/** The history the reconciler writes: gapless per-namespace numbering, chunk reference deltas, and replayable bytes. */
class NamespaceHistoryTopologyTest {
    private static final List<String> OUTPUT_TOPICS = List.of(Topics.OUTCOMES, Topics.FILE_EVENTS, Topics.FILE_STATE,
            Topics.CHUNK_REFS);

    @TempDir
    Path stateDir;

    @Test
    void eachNamespaceNumbersItsEventsOneTwoThreeWithoutGaps() {
        try (ReconcilerDriver driver = new ReconcilerDriver(stateDir)) {
            // when batches of two namespaces interleave, with a duplicate (no event) in between
            driver.submit(aBatch().in("ns-a").upsert("a1", "x.txt", vector("dev-laptop", 1), chunk("1")).build());
            driver.submit(aBatch().in("ns-b").upsert("b1", "x.txt", vector("dev-laptop", 1), chunk("1")).build());
            driver.submit(aBatch().in("ns-a").upsert("a1", "x.txt", vector("dev-laptop", 1), chunk("1")).build());
            driver.submit(aBatch().in("ns-a").upsert("a1", "x.txt", vector("dev-laptop", 2), chunk("2"))
                    .upsert("a2", "y.txt", vector("dev-laptop", 1), chunk("3")).build());
            driver.submit(aBatch().in("ns-b").upsert("b2", "y.txt", vector("dev-laptop", 1), chunk("4")).build());
            driver.submit(aBatch().in("ns-b").upsert("b3", "z.txt", vector("dev-laptop", 1), chunk("5")).build());

            // then each namespace counts 1, 2, 3 on its own
            assertThat(driver.events()).extracting(FileEvent::getNamespaceId, FileEvent::getSeq).containsExactly(
                    tuple("ns-a", 1L), tuple("ns-b", 1L), tuple("ns-a", 2L), tuple("ns-a", 3L), tuple("ns-b", 2L),
                    tuple("ns-b", 3L));
        }
    }

    @Test
    void chunkReferencesAreHeldByEveryRetainedVersionAndTheTrash() {
        try (ReconcilerDriver driver = new ReconcilerDriver(stateDir)) {
            // when a file is created with chunks a, b, a; edited to b, c; then deleted
            driver.submit(aBatch().in("ns-1").upsert("f1", "f.bin", vector("dev-laptop", 1),
                    chunk("a"), chunk("b"), chunk("a")).build());
            driver.submit(aBatch().in("ns-1").upsert("f1", "f.bin", vector("dev-laptop", 2), chunk("b"), chunk("c"))
                    .build());
            driver.submit(aBatch().in("ns-1").delete("f1", "f.bin", vector("dev-laptop", 3)).build());

            // then each chunk gains one reference, keyed by chunk id and stamped with the event's seq, and
            // none is released: the old version stays in the history and the deleted file in the trash
            assertThat(driver.chunkRefs()).extracting(kv -> kv.key, kv -> kv.value.getDelta(), kv -> kv.value.getSeq())
                    .containsExactly(tuple(id("a"), 1, 1L), tuple(id("b"), 1, 1L), tuple(id("c"), 1, 2L));
        }
    }

    @Test
    void aConflictedCopyReferencesItsOwnChunks() {
        try (ReconcilerDriver driver = new ReconcilerDriver(stateDir)) {
            // given the laptop's file
            driver.submit(aBatch().in("ns-1").from(LAPTOP).upsert("f1", "f.txt", vector("dev-laptop", 1), chunk("a"))
                    .build());
            driver.chunkRefs();

            // when the phone's concurrent version is kept as a copy
            driver.submit(aBatch().in("ns-1").from(PHONE).id("b-2")
                    .upsert("f1", "f.txt", vector("dev-phone", 1), chunk("a"), chunk("p")).build());

            // then the copy references both of its chunks, the stored version keeps its own
            assertThat(driver.chunkRefs()).extracting(kv -> kv.value)
                    .extracting(ChunkRefDelta::getChunkId, ChunkRefDelta::getFileId, ChunkRefDelta::getDelta)
                    .containsExactly(tuple(id("a"), "conflict-b-2-0", 1), tuple(id("p"), "conflict-b-2-0", 1));
        }
    }

    @Test
    void everyOutputRecordIsStampedWithTheBatchsAcceptedAt() {
        try (ReconcilerDriver driver = new ReconcilerDriver(stateDir)) {
            // when a batch accepted at a known time is reconciled (its input record stamped an hour later)
            Instant acceptedAt = Instant.parse("2026-05-01T12:00:00.123Z");
            driver.submit(aBatch().in("ns-1").at(acceptedAt)
                    .upsert("f1", "f.txt", vector("dev-laptop", 1), chunk("a")).build());

            // then every record on every output topic carries that time
            for (String topic : OUTPUT_TOPICS) {
                assertThat(driver.rawRecords(topic)).as(topic).isNotEmpty()
                        .allSatisfy(r -> assertThat(r.getRecordTime()).isEqualTo(acceptedAt));
            }
        }
    }

    @Test
    void theSameInputThroughAFreshReconcilerGivesByteIdenticalOutput() {
        // given one input history touching every verdict
        List<ChangeBatchSubmitted> history = mixedHistory();

        // when it runs through two fresh reconcilers
        List<List<String>> first = runThroughFreshDriver(history, stateDir.resolve("first"));
        List<List<String>> second = runThroughFreshDriver(history, stateDir.resolve("second"));

        // then both wrote the same keys, bytes and timestamps to every topic, in the same order
        assertThat(first).hasSizeGreaterThan(20);
        assertThat(second).isEqualTo(first);
    }

    private static List<List<String>> runThroughFreshDriver(List<ChangeBatchSubmitted> history, Path dir) {
        try (ReconcilerDriver driver = new ReconcilerDriver(dir)) {
            history.forEach(driver::submit);
            return OUTPUT_TOPICS.stream()
                    .flatMap(topic -> driver.rawRecords(topic).stream().map(r -> describe(topic, r)))
                    .toList();
        }
    }

    private static List<String> describe(String topic, TestRecord<byte[], byte[]> record) {
        HexFormat hex = HexFormat.of();
        return List.of(topic, hex.formatHex(record.key()), hex.formatHex(record.value()),
                String.valueOf(record.timestamp()));
    }

    private static List<ChangeBatchSubmitted> mixedHistory() {
        ChangeBatchSubmitted created = aBatch().in("ns-1").from(LAPTOP)
                .upsert("f1", "a.txt", vector("dev-laptop", 1), chunk("1"))
                .upsert("f2", "b.txt", vector("dev-laptop", 1), chunk("2")).build();
        return List.of(
                created,
                aBatch().in("ns-2").from(PHONE).upsert("g1", "a.txt", vector("dev-phone", 1), chunk("1")).build(),
                aBatch().in("ns-1").from(PHONE).upsert("f1", "a.txt", vector("dev-laptop", 1, "dev-phone", 1),
                        chunk("3")).build(),
                aBatch().in("ns-1").from(LAPTOP).upsert("f1", "a.txt", vector("dev-laptop", 2), chunk("4"))
                        .upsert("f2", "b.txt", vector("dev-laptop", 1), chunk("2"))
                        .upsert("f1", "a.txt", vector("dev-laptop", 1), chunk("1")).build(),
                aBatch().in("ns-1").from(PHONE).upsert("f3", "A.TXT", vector("dev-phone", 2), chunk("5"))
                        .delete("f2", "b.txt", vector("dev-laptop", 1, "dev-phone", 3))
                        .delete("nope", "n.txt", vector("dev-phone", 4)).build(),
                created,
                aBatch().in("ns-2").from(LAPTOP).delete("g1", "a.txt", vector("dev-laptop", 1)).build());
    }

    private static String id(String content) {
        return chunk(content).getChunkId();
    }
}
