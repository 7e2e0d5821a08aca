package io.cumulus.sync.delta;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * The binary delta format and its application. A delta is version byte {@code 1}, varint base
 * length, varint target length, then operations until the end: {@code 1} COPY (varint base
 * offset, varint length) or {@code 2} LITERAL (varint length, the bytes).
 *
 * <h2>Hostile input</h2>
 * {@link #apply} trusts nothing in the delta: the base length must be the base's, the target
 * length at most the caller's limit (the only allocation, made once), every copy inside the base,
 * every literal inside the delta, and the operations must fill the target exactly. Anything else is
 * a {@link MalformedDeltaException} and no result.
 */
public final class DeltaCodec {
    static final int VERSION = 1;
    static final int COPY = 1;
    static final int LITERAL = 2;

    /** The target length a delta declares, read without applying it. */
    public static long targetLength(byte[] delta) {
        ByteBuffer in = header(delta);
        Varint.read(in);
        return Varint.read(in);
    }

    /**
     * Rebuilds the target from {@code base} and {@code delta}.
     *
     * @param maxTargetLength the largest target the caller accepts (a chunk size limit)
     * @throws MalformedDeltaException when the delta does not apply to this base within that limit
     */
    public static byte[] apply(byte[] base, byte[] delta, long maxTargetLength) {
        ByteBuffer in = header(delta);
        long baseLength = Varint.read(in);
        if (baseLength != base.length) {
            throw new MalformedDeltaException("the delta is against a base of " + baseLength + " bytes, this one has " + base.length);
        }
        long targetLength = Varint.read(in);
        if (targetLength > maxTargetLength || targetLength > Integer.MAX_VALUE - 16) {
            throw new MalformedDeltaException("target length " + targetLength + " is over the limit of " + maxTargetLength);
        }
        byte[] target = new byte[(int) targetLength];
        int written = 0;
        while (in.hasRemaining()) {
            int op = in.get() & 0xff;
            switch (op) {
                case COPY -> {
                    long offset = Varint.read(in);
                    long length = Varint.read(in);
                    if (length == 0 || offset > base.length || length > base.length - offset) {
                        throw new MalformedDeltaException("copy of " + length + " bytes at " + offset + " is outside the base of " + base.length);
                    }
                    if (length > target.length - written) {
                        throw new MalformedDeltaException("copy overruns the target length " + target.length);
                    }
                    System.arraycopy(base, (int) offset, target, written, (int) length);
                    written += (int) length;
                }
                case LITERAL -> {
                    long length = Varint.read(in);
                    if (length == 0 || length > in.remaining()) {
                        throw new MalformedDeltaException("literal of " + length + " bytes, " + in.remaining() + " left in the delta");
                    }
                    if (length > target.length - written) {
                        throw new MalformedDeltaException("literal overruns the target length " + target.length);
                    }
                    in.get(target, written, (int) length);
                    written += (int) length;
                }
                default -> throw new MalformedDeltaException("unknown operation " + op);
            }
        }
        if (written != target.length) {
            throw new MalformedDeltaException("the operations fill " + written + " of " + target.length + " bytes");
        }
        return target;
    }

    private static ByteBuffer header(byte[] delta) {
        ByteBuffer in = ByteBuffer.wrap(delta);
        if (!in.hasRemaining() || in.get() != VERSION) {
            throw new MalformedDeltaException("not a version " + VERSION + " delta");
        }
        return in;
    }

    /** Writes operations, merging a copy that continues the previous one. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private long copyOffset = -1;
        private long copyLength;

        Writer(long baseLength, long targetLength) {
            out.write(VERSION);
            Varint.write(out, baseLength);
            Varint.write(out, targetLength);
        }

        void copy(long offset, long length) {
            if (length == 0) {
                return;
            }
            if (copyOffset >= 0 && copyOffset + copyLength == offset) {
                copyLength += length;
                return;
            }
            flushCopy();
            copyOffset = offset;
            copyLength = length;
        }

        void literal(byte[] data, int from, int length) {
            if (length == 0) {
                return;
            }
            flushCopy();
            out.write(LITERAL);
            Varint.write(out, length);
            out.write(data, from, length);
        }

        byte[] finish() {
            flushCopy();
            return out.toByteArray();
        }

        private void flushCopy() {
            if (copyOffset >= 0) {
                out.write(COPY);
                Varint.write(out, copyOffset);
                Varint.write(out, copyLength);
                copyOffset = -1;
            }
        }
    }

    private DeltaCodec() {
    }
}
