package io.cumulus.ingest.chunks;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;

import io.cumulus.ingest.web.InvalidRequestException;

/**
 * The body of {@code POST /v1/chunks/pack}: chunks one after the other, each as its 32-byte
 * SHA-256, its length (4 bytes, big-endian, 1 to {@link ChunkLimits#MAX_CHUNK_BYTES}) and its
 * bytes. Read one chunk at a time; a chunk's bytes must be read to their end before the next.
 */
final class ChunkPack {
    static final String CONTENT_TYPE = "application/vnd.cumulus.chunk-pack";
    /** A pack is for small chunks: at most this many bytes, and this many chunks. */
    static final long MAX_BYTES = 16L * 1024 * 1024;
    static final int MAX_CHUNKS = 1_000;

    record Entry(ChunkId id, InputStream bytes) {
    }

    static final class Reader {
        private final DataInputStream in;
        private Exactly current;

        Reader(InputStream in) {
            this.in = new DataInputStream(in);
        }

        /** The next chunk, or null at the end of the pack. */
        Entry next() throws IOException {
            if (current != null && current.read() != -1) {
                throw new IllegalStateException("the previous chunk was not read to its end");
            }
            int first = in.read();
            if (first < 0) {
                return null;
            }
            byte[] hash = new byte[32];
            hash[0] = (byte) first;
            int length;
            try {
                in.readFully(hash, 1, 31);
                length = in.readInt();
            } catch (EOFException e) {
                throw truncated();
            }
            if (length <= 0 || length > ChunkLimits.MAX_CHUNK_BYTES) {
                throw new InvalidRequestException("invalid-chunk-pack", "Invalid chunk pack",
                        "a chunk's length must be 1 to " + ChunkLimits.MAX_CHUNK_BYTES + " bytes, got " + length);
            }
            current = new Exactly(in, length);
            return new Entry(new ChunkId(HexFormat.of().formatHex(hash)), current);
        }

        /** One chunk's bytes: its length exactly, or a truncated pack. */
        private static final class Exactly extends java.io.FilterInputStream {
            private long left;

            Exactly(InputStream in, long length) {
                super(in);
                this.left = length;
            }

            @Override
            public int read() throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int b = super.read();
                if (b < 0) {
                    throw truncated();
                }
                left--;
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = super.read(b, off, (int) Math.min(len, left));
                if (n < 0) {
                    throw truncated();
                }
                left -= n;
                return n;
            }

            @Override
            public void close() {
                // the pack's stream stays open for the next chunk
            }
        }

        private static InvalidRequestException truncated() {
            return new InvalidRequestException("invalid-chunk-pack", "Invalid chunk pack", "the pack ends in the middle of a chunk");
        }
    }

    private ChunkPack() {
    }
}
