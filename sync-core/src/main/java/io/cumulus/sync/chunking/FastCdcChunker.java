package io.cumulus.sync.chunking;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.cumulus.sync.hash.Sha256;
import io.cumulus.sync.manifest.ChunkId;
import io.cumulus.sync.manifest.ChunkRef;

/**
 * Splits a stream into content-defined chunks with FastCDC (Xia et al., "FastCDC: a Fast and
 * Efficient Content-Defined Chunking Approach for Data Deduplication", USENIX ATC 2016): a gear
 * rolling hash, cut-point skipping below the minimum size, and normalized chunking at level 2
 * (a mask of log2(avg)+2 bits before the average size and of log2(avg)-2 bits after it), which
 * concentrates chunk sizes around the average. Because boundaries depend only on the bytes near
 * them, an insertion early in a file changes the chunks around it and leaves later ones, and
 * their ids, as they were: only changed chunks are uploaded again.
 *
 * <p>Memory is bounded: at most twice the maximum chunk size is buffered (one window of the
 * maximum size plus as much read-ahead), never the whole stream. Instances are immutable and
 * may be shared between threads.
 */
public final class FastCdcChunker {

    private static final int INITIAL_BUFFER = 64 * 1024;

    private final ChunkingParameters parameters;
    private final long smallMask;
    private final long largeMask;

    public FastCdcChunker(ChunkingParameters parameters) {
        this.parameters = parameters;
        // The top bits of a gear hash depend on the last 64 bytes, the low bits on only the last
        // few: testing the top bits gives every cut decision the widest window of content.
        this.smallMask = topBits(parameters.averageBits() + 2);
        this.largeMask = topBits(parameters.averageBits() - 2);
    }

    /** The chunker every Cumulus client uses (see {@link ChunkingParameters#defaults()}). */
    public static FastCdcChunker defaults() {
        return new FastCdcChunker(ChunkingParameters.defaults());
    }

    public ChunkingParameters parameters() {
        return parameters;
    }

    /**
     * Reads {@code in} to its end and hands each chunk to {@code sink} in order. An empty
     * stream yields no chunks. The stream is not closed.
     */
    public void chunk(InputStream in, ChunkSink sink) throws IOException {
        int max = parameters.maxSize();
        int capacity = 2 * max;
        byte[] buffer = new byte[Math.min(capacity, INITIAL_BUFFER)];
        MessageDigest digest = Sha256.newDigest();
        int start = 0;
        int end = 0;
        long offset = 0;
        boolean endOfStream = false;
        while (true) {
            // A cut decision needs a full window of max bytes, or the rest of the stream.
            while (!endOfStream && end - start < max) {
                if (end == buffer.length) {
                    // Grow up to the capacity, then move the unread tail to the front; with a
                    // capacity of twice the window each byte is moved at most about once.
                    byte[] target = buffer.length < capacity ? new byte[Math.min(capacity, buffer.length * 2)] : buffer;
                    System.arraycopy(buffer, start, target, 0, end - start);
                    end -= start;
                    start = 0;
                    buffer = target;
                }
                int read = in.read(buffer, end, buffer.length - end);
                if (read < 0) {
                    endOfStream = true;
                } else {
                    end += read;
                }
            }
            if (start == end) {
                return;
            }
            int length = cutPoint(buffer, start, end - start);
            digest.update(buffer, start, length);
            ChunkId id = ChunkId.of(Sha256.hex(digest));
            sink.accept(new Chunk(offset, id, Arrays.copyOfRange(buffer, start, start + length)));
            start += length;
            offset += length;
        }
    }

    /** The manifest entries of a stream's chunks, in order; the bytes are not kept. */
    public List<ChunkRef> manifestOf(InputStream in) throws IOException {
        List<ChunkRef> refs = new ArrayList<>();
        chunk(in, chunk -> refs.add(chunk.ref()));
        return List.copyOf(refs);
    }

    /** The length of the chunk starting at {@code from}, given {@code available} bytes there. */
    private int cutPoint(byte[] data, int from, int available) {
        int min = parameters.minSize();
        if (available <= min) {
            return available;
        }
        int limit = Math.min(available, parameters.maxSize());
        int normal = Math.min(parameters.averageSize(), limit);
        long[] gear = GearTable.values();
        long hash = 0;
        int i = min;
        // Cut-point skipping: nothing below the minimum size is hashed.
        for (; i < normal; i++) {
            hash = (hash << 1) + gear[data[from + i] & 0xFF];
            if ((hash & smallMask) == 0) {
                return i + 1;
            }
        }
        for (; i < limit; i++) {
            hash = (hash << 1) + gear[data[from + i] & 0xFF];
            if ((hash & largeMask) == 0) {
                return i + 1;
            }
        }
        return limit;
    }

    private static long topBits(int count) {
        return -1L << (Long.SIZE - count);
    }
}
