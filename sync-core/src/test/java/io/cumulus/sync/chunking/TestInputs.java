package io.cumulus.sync.chunking;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Inputs for chunker tests: seeded data and streams that misbehave in legal ways. */
final class TestInputs {

    /** Small sizes so that tests see many chunks in little data. */
    static final ChunkingParameters SMALL = new ChunkingParameters(64, 256, 1024);

    /** Seeded random bytes; java.util.Random's algorithm is specified, so this never changes. */
    static byte[] randomBytes(long seed, int length) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }

    static List<Chunk> chunksOf(FastCdcChunker chunker, InputStream in) throws IOException {
        List<Chunk> chunks = new ArrayList<>();
        chunker.chunk(in, chunks::add);
        return chunks;
    }

    static List<Chunk> chunksOf(FastCdcChunker chunker, byte[] data) throws IOException {
        return chunksOf(chunker, new ByteArrayInputStream(data));
    }

    /** A stream returning at most {@code perRead} bytes from each read call, as sockets and pipes may. */
    static InputStream trickle(byte[] data, int perRead) {
        return new FilterInputStream(new ByteArrayInputStream(data)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, perRead));
            }
        };
    }

    /** A stream of {@code length} seeded random bytes, generated as it is read and never held whole. */
    static final class GeneratedStream extends InputStream {
        private final Random random;
        private final long length;
        private long position;

        GeneratedStream(long seed, long length) {
            this.random = new Random(seed);
            this.length = length;
        }

        long position() {
            return position;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position == length) {
                return -1;
            }
            int n = (int) Math.min(len, length - position);
            byte[] next = new byte[n];
            random.nextBytes(next);
            System.arraycopy(next, 0, b, off, n);
            position += n;
            return n;
        }
    }

    private TestInputs() {
    }
}
