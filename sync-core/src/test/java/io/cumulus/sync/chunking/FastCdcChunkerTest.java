package io.cumulus.sync.chunking;

import static io.cumulus.sync.chunking.TestInputs.SMALL;
import static io.cumulus.sync.chunking.TestInputs.chunksOf;
import static io.cumulus.sync.chunking.TestInputs.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.cumulus.sync.hash.Sha256;
import io.cumulus.sync.manifest.ChunkId;
import io.cumulus.sync.manifest.ChunkRef;
import org.junit.jupiter.api.Test;

class FastCdcChunkerTest {

    private final FastCdcChunker small = new FastCdcChunker(SMALL);

    @Test
    void anEmptyStreamHasNoChunks() throws IOException {
        assertThat(chunksOf(FastCdcChunker.defaults(), new byte[0])).isEmpty();
        assertThat(FastCdcChunker.defaults().manifestOf(new ByteArrayInputStream(new byte[0]))).isEmpty();
    }

    @Test
    void aStreamShorterThanTheMinimumIsOneChunk() throws IOException {
        // given
        byte[] data = "hello, cumulus".getBytes();

        // when
        List<Chunk> chunks = chunksOf(FastCdcChunker.defaults(), data);

        // then
        assertThat(chunks).containsExactly(new Chunk(0, ChunkId.of(Sha256.hex(data)), data));
    }

    @Test
    void uniformDataIsCutIntoIdenticalChunks() throws IOException {
        // given a stream of zeros: the gear hash settles on one value, so every cut falls alike
        byte[] zeros = new byte[10 * SMALL.maxSize()];

        // when
        List<Chunk> chunks = chunksOf(small, zeros);

        // then all but the last are the same chunk, which a manifest stores once
        assertThat(chunks.subList(0, chunks.size() - 1)).extracting(Chunk::id).containsOnly(chunks.getFirst().id());
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.length()).isBetween(1, SMALL.maxSize()));
    }

    @Test
    void insertingBytesNearTheStartLeavesMostLaterChunksUnchanged() throws IOException {
        // given
        byte[] original = randomBytes(1, 512 * 1024);
        byte[] edited = new byte[original.length + 5];
        System.arraycopy(original, 0, edited, 0, 100);
        System.arraycopy("EDIT!".getBytes(), 0, edited, 100, 5);
        System.arraycopy(original, 100, edited, 105, original.length - 100);

        // when
        List<Chunk> before = chunksOf(small, original);
        List<Chunk> after = chunksOf(small, edited);

        // then
        Set<ChunkId> afterIds = new HashSet<>(after.stream().map(Chunk::id).toList());
        long kept = before.stream().filter(chunk -> afterIds.contains(chunk.id())).count();
        assertThat(before).hasSizeGreaterThan(500);
        assertThat(kept).isGreaterThanOrEqualTo(before.size() - 3);
        assertThat(after.getFirst().id()).isNotEqualTo(before.getFirst().id());
    }

    @Test
    void aStreamGivingOneByteAtATimeIsCutLikeAFullStream() throws IOException {
        byte[] data = randomBytes(2, 20_000);

        assertThat(chunksOf(small, TestInputs.trickle(data, 1))).isEqualTo(chunksOf(small, data));
    }

    @Test
    void theManifestListsEveryChunkInOrder() throws IOException {
        // given
        byte[] data = randomBytes(3, 10_000);

        // when
        List<ChunkRef> manifest = small.manifestOf(new ByteArrayInputStream(data));

        // then
        assertThat(manifest).isEqualTo(chunksOf(small, data).stream().map(Chunk::ref).toList());
        assertThat(manifest.stream().mapToLong(ChunkRef::size).sum()).isEqualTo(data.length);
    }

    @Test
    void theChunkerReadsOnlyABoundedWindowAheadOfWhatItHandedOver() throws IOException {
        // given a stream much larger than the window
        TestInputs.GeneratedStream stream = new TestInputs.GeneratedStream(4, 200L * SMALL.maxSize());
        long[] furthestAhead = {0};

        // when
        small.chunk(stream, chunk -> furthestAhead[0] = Math.max(furthestAhead[0], stream.position() - chunk.offset()));

        // then
        assertThat(stream.position()).isEqualTo(200L * SMALL.maxSize());
        assertThat(furthestAhead[0]).isLessThanOrEqualTo(2L * SMALL.maxSize());
    }

    @Test
    void anExceptionFromTheSinkStopsChunking() {
        byte[] data = randomBytes(5, 10_000);
        int[] calls = {0};

        assertThatThrownBy(() -> small.chunk(new ByteArrayInputStream(data), chunk -> {
            calls[0]++;
            throw new IOException("upload failed");
        })).isInstanceOf(IOException.class).hasMessage("upload failed");
        assertThat(calls[0]).isEqualTo(1);
    }

    @Test
    void theAverageChunkSizeOnRandomDataIsNearTheDefaultTarget() throws IOException {
        // given 32 MiB of seeded random data, streamed
        long length = 32L * 1024 * 1024;
        int target = ChunkingParameters.defaults().averageSize();

        // when
        List<ChunkRef> manifest = FastCdcChunker.defaults().manifestOf(new TestInputs.GeneratedStream(6, length));

        // then
        double average = (double) length / manifest.size();
        assertThat(average).isBetween(target / 1.5, target * 1.5);
        assertThat(manifest.subList(0, manifest.size() - 1)).allSatisfy(ref -> assertThat(ref.size())
                .isBetween((long) ChunkingParameters.defaults().minSize(), (long) ChunkingParameters.defaults().maxSize()));
    }
}
