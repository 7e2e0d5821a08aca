package io.cumulus.sync.chunking;

import static io.cumulus.sync.chunking.TestInputs.SMALL;
import static io.cumulus.sync.chunking.TestInputs.chunksOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Random;

import io.cumulus.sync.hash.Sha256;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class FastCdcChunkerProperties {

    private final FastCdcChunker chunker = new FastCdcChunker(SMALL);

    /** Random, uniform, periodic and mixed content, from empty up to about twenty windows. */
    @Provide
    Arbitrary<byte[]> contents() {
        Arbitrary<Integer> lengths = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 2 * SMALL.maxSize()),
                Arbitraries.integers().between(0, 20 * SMALL.maxSize()));
        Arbitrary<Long> seeds = Arbitraries.longs();
        Arbitrary<String> kinds = Arbitraries.of("random", "zeros", "periodic", "mixed");
        return Combinators.combine(kinds, seeds, lengths).as(FastCdcChunkerProperties::content);
    }

    @Property(tries = 300)
    void theChunksConcatenateToTheInput(@ForAll("contents") byte[] data) throws IOException {
        List<Chunk> chunks = chunksOf(chunker, data);

        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        long expectedOffset = 0;
        for (Chunk chunk : chunks) {
            assertThat(chunk.offset()).isEqualTo(expectedOffset);
            joined.write(chunk.bytes());
            expectedOffset += chunk.length();
        }
        assertThat(joined.toByteArray()).isEqualTo(data);
    }

    @Property(tries = 300)
    void everyChunkButTheLastIsBetweenTheMinimumAndTheMaximum(@ForAll("contents") byte[] data) throws IOException {
        List<Chunk> chunks = chunksOf(chunker, data);

        if (!chunks.isEmpty()) {
            assertThat(chunks.subList(0, chunks.size() - 1))
                    .allSatisfy(chunk -> assertThat(chunk.length()).isBetween(SMALL.minSize(), SMALL.maxSize()));
            assertThat(chunks.getLast().length()).isBetween(1, SMALL.maxSize());
        }
    }

    @Property(tries = 300)
    void eachIdIsTheSha256OfTheChunkBytes(@ForAll("contents") byte[] data) throws IOException {
        assertThat(chunksOf(chunker, data))
                .allSatisfy(chunk -> assertThat(chunk.id().value()).isEqualTo(Sha256.hex(chunk.bytes())));
    }

    @Property(tries = 200)
    void chunkingIsDeterministic(@ForAll("contents") byte[] data) throws IOException {
        assertThat(chunksOf(chunker, data)).isEqualTo(chunksOf(new FastCdcChunker(SMALL), data));
    }

    @Property(tries = 200)
    void howTheStreamIsSplitIntoReadsDoesNotMatter(@ForAll("contents") byte[] data,
                                                   @ForAll @IntRange(min = 1, max = 3000) int bytesPerRead)
            throws IOException {
        List<Chunk> whole = chunksOf(chunker, data);

        assertThat(chunksOf(chunker, TestInputs.trickle(data, bytesPerRead))).isEqualTo(whole);
        assertThat(chunksOf(chunker, TestInputs.trickle(data, 1))).isEqualTo(whole);
    }

    @Property(tries = 200)
    void aSuffixAfterACutIsCutTheSameWay(@ForAll("contents") byte[] data) throws IOException {
        // Content-defined: the chunks after a boundary depend only on the bytes from there on.
        List<Chunk> chunks = chunksOf(chunker, data);
        if (chunks.size() < 2) {
            return;
        }
        int boundary = (int) chunks.get(1).offset();
        byte[] suffix = java.util.Arrays.copyOfRange(data, boundary, data.length);

        assertThat(chunksOf(chunker, suffix)).extracting(Chunk::id)
                .containsExactlyElementsOf(chunks.subList(1, chunks.size()).stream().map(Chunk::id).toList());
    }

    private static byte[] content(String kind, long seed, int length) {
        Random random = new Random(seed);
        byte[] data = new byte[length];
        switch (kind) {
            case "random" -> random.nextBytes(data);
            case "zeros" -> { }
            case "periodic" -> {
                byte[] period = new byte[1 + random.nextInt(300)];
                random.nextBytes(period);
                for (int i = 0; i < length; i++) {
                    data[i] = period[i % period.length];
                }
            }
            case "mixed" -> {
                random.nextBytes(data);
                for (int i = 0; i < length; i += 1 + random.nextInt(4 * SMALL.maxSize())) {
                    int run = Math.min(length - i, random.nextInt(2 * SMALL.maxSize()));
                    java.util.Arrays.fill(data, i, i + run, (byte) 0);
                }
            }
            default -> throw new IllegalArgumentException(kind);
        }
        return data;
    }
}
