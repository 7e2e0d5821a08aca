package io.cumulus.gc.refs;

import static io.cumulus.gc.refs.TestDeltas.T0;
import static io.cumulus.gc.refs.TestDeltas.aDelta;
import static io.cumulus.gc.refs.TestDeltas.chunk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.ChunkRefDelta;
import io.cumulus.schemas.PoisonRecordException;
import io.cumulus.sync.manifest.ChunkId;

class RefDeltaBatchTest {
    private static final String TOPIC = "refs";
    private static final String A = chunk("a");
    private static final String B = chunk("b");
    private static final String C = chunk("c");

    @Test
    void deltasAreAddedUpPerChunkInChunkIdOrderWithTheLatestTime() {
        // given +1 +1 -1 for B (out of time order), +1 for A, spread over two partitions
        RefDeltaBatch batch = decode(
                record(0, 10, aDelta(B, 1, T0 + 5).build()),
                record(1, 3, aDelta(A, 1, T0 + 1).build()),
                record(0, 11, aDelta(B, 1, T0 + 9).build()),
                record(0, 12, aDelta(B, -1, T0 + 7).build()));

        // then B changes by +1 with its latest time, A by +1, A first
        assertThat(batch.sumsFrom(Map.of())).containsExactly(
                new ChunkSum(ChunkId.of(A), 1, T0 + 1),
                new ChunkSum(ChunkId.of(B), 1, T0 + 9));
        assertThat(batch.size()).isEqualTo(4);
        assertThat(batch.nextOffsets()).isEqualTo(Map.of(0, 13L, 1, 4L));
    }

    @Test
    void aReferenceGainedAndLostInOnePollStillRecordsItsTime() {
        RefDeltaBatch batch = decode(record(0, 0, aDelta(C, 1, T0).build()), record(0, 1, aDelta(C, -1, T0 + 3).build()));

        assertThat(batch.sumsFrom(Map.of())).containsExactly(new ChunkSum(ChunkId.of(C), 0, T0 + 3));
    }

    @Test
    void deltasBeforeTheirPartitionsCountedPositionAreLeftOut() {
        // given a poll that overlaps what partition 0 has counted (up to offset 11) but not partition 1
        RefDeltaBatch batch = decode(
                record(0, 10, aDelta(B, 1, T0).build()),
                record(0, 11, aDelta(B, 1, T0 + 1).build()),
                record(0, 12, aDelta(A, -1, T0 + 2).build()),
                record(1, 4, aDelta(A, 1, T0 + 3).build()));

        // then only offset 12 of partition 0 and everything of partition 1 count
        Map<Integer, Long> counted = Map.of(0, 12L);
        assertThat(batch.sumsFrom(counted)).containsExactly(new ChunkSum(ChunkId.of(A), 0, T0 + 3));
        assertThat(batch.uncounted(counted)).isEqualTo(2);
        assertThat(batch.sumsFrom(Map.of(0, 13L, 1, 5L))).isEmpty();
        assertThat(batch.uncounted(Map.of(0, 13L, 1, 5L))).isZero();
    }

    @Test
    void anUndecodableRecordIsPoisonWithItsCoordinates() {
        ConsumerRecord<byte[], byte[]> garbage = new ConsumerRecord<>(TOPIC, 2, 42, null, new byte[] {1, 2, 3});

        assertThatThrownBy(() -> decode(record(0, 0, aDelta(A, 1, T0).build()), garbage))
                .isInstanceOfSatisfying(PoisonRecordException.class, e -> {
                    assertThat(e.topic()).isEqualTo(TOPIC);
                    assertThat(e.partition()).isEqualTo(2);
                    assertThat(e.offset()).isEqualTo(42);
                })
                .hasMessageContaining("refs-2@42");
    }

    @Test
    void aTombstoneIsPoison() {
        assertThatThrownBy(() -> decode(new ConsumerRecord<>(TOPIC, 0, 7, null, null)))
                .isInstanceOf(PoisonRecordException.class).hasMessageContaining("tombstone");
    }

    @Test
    void aDeltaOtherThanPlusOrMinusOneIsPoison() {
        assertThatThrownBy(() -> decode(record(0, 5, aDelta(A, 2, T0).build())))
                .isInstanceOf(PoisonRecordException.class).hasMessageContaining("+1 or -1, not 2");
        assertThatThrownBy(() -> decode(record(0, 5, aDelta(A, 0, T0).build())))
                .isInstanceOf(PoisonRecordException.class);
    }

    @Test
    void anInvalidChunkIdIsPoison() {
        assertThatThrownBy(() -> decode(record(0, 5, aDelta("A".repeat(64), 1, T0).build())))
                .isInstanceOf(PoisonRecordException.class).hasMessageContaining("64 lowercase hex");
    }

    @Test
    void aRecordOfAnotherTopicIsPoison() {
        ConsumerRecord<byte[], byte[]> other = new ConsumerRecord<>("other", 0, 0, null,
                AvroSerde.chunkRefDeltas().encode(aDelta(A, 1, T0).build()));

        assertThatThrownBy(() -> decode(other)).isInstanceOf(PoisonRecordException.class);
    }

    private static ConsumerRecord<byte[], byte[]> record(int partition, long offset, ChunkRefDelta delta) {
        return new ConsumerRecord<>(TOPIC, partition, offset, delta.getChunkId().getBytes(),
                AvroSerde.chunkRefDeltas().encode(delta));
    }

    @SafeVarargs
    private static RefDeltaBatch decode(ConsumerRecord<byte[], byte[]>... records) {
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> byPartition = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            byPartition.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), p -> new ArrayList<>()).add(r);
        }
        return RefDeltaBatch.decode(new ConsumerRecords<>(byPartition, Map.of()), TOPIC);
    }
}
