package io.cumulus.sync.delta;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;

import io.cumulus.sync.hash.Sha256;

/**
 * What a delta encoder needs to know of a base without its bytes: per block of {@code blockSize}
 * bytes (the last one may be shorter) the weak {@link RollingChecksum} and the first 8 bytes of the
 * block's SHA-256. 12 bytes a block: a 1 MiB chunk in 2 KiB blocks has a 6 KiB signature.
 *
 * <p>Wire form: version byte {@code 1}, varint block size, varint base length, then per block the
 * weak sum (4 bytes, big-endian) and the strong prefix (8 bytes).
 */
public record Signature(int blockSize, long baseLength, int[] weak, long[] strong) {
    public static final int DEFAULT_BLOCK_SIZE = 2048;
    public static final int MIN_BLOCK_SIZE = 64;
    public static final int MAX_BLOCK_SIZE = 1 << 20;
    private static final int VERSION = 1;

    public Signature {
        if (blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE) {
            throw new IllegalArgumentException("a block size is " + MIN_BLOCK_SIZE + ".." + MAX_BLOCK_SIZE + " bytes, was " + blockSize);
        }
        if (weak.length != strong.length || weak.length != blockCount(baseLength, blockSize)) {
            throw new IllegalArgumentException("a signature has one weak and one strong hash per block");
        }
    }

    public static Signature of(byte[] base) {
        return of(base, DEFAULT_BLOCK_SIZE);
    }

    public static Signature of(byte[] base, int blockSize) {
        int count = blockCount(base.length, blockSize);
        int[] weak = new int[count];
        long[] strong = new long[count];
        MessageDigest sha = Sha256.newDigest();
        for (int i = 0; i < count; i++) {
            int from = i * blockSize;
            int length = Math.min(blockSize, base.length - from);
            weak[i] = RollingChecksum.of(base, from, length);
            strong[i] = strongPrefix(sha, base, from, length);
        }
        return new Signature(blockSize, base.length, weak, strong);
    }

    public int blockCount() {
        return weak.length;
    }

    /** The length of block {@code index}: the block size, or less for the last one. */
    public int blockLength(int index) {
        return (int) Math.min(blockSize, baseLength - (long) index * blockSize);
    }

    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + 12 * weak.length);
        out.write(VERSION);
        Varint.write(out, blockSize);
        Varint.write(out, baseLength);
        ByteBuffer blocks = ByteBuffer.allocate(12 * weak.length);
        for (int i = 0; i < weak.length; i++) {
            blocks.putInt(weak[i]).putLong(strong[i]);
        }
        out.writeBytes(blocks.array());
        return out.toByteArray();
    }

    /**
     * Reads a signature sent by someone else.
     *
     * @param maxBaseLength the largest base this reader accepts: nothing larger is allocated
     * @throws MalformedDeltaException when the bytes are not a signature of at most that base length
     */
    public static Signature parse(byte[] bytes, long maxBaseLength) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (!in.hasRemaining() || in.get() != VERSION) {
            throw new MalformedDeltaException("not a version " + VERSION + " signature");
        }
        long blockSize = Varint.read(in);
        long baseLength = Varint.read(in);
        if (blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE) {
            throw new MalformedDeltaException("block size " + blockSize + " is outside " + MIN_BLOCK_SIZE + ".." + MAX_BLOCK_SIZE);
        }
        if (baseLength > maxBaseLength) {
            throw new MalformedDeltaException("base length " + baseLength + " is over the limit of " + maxBaseLength);
        }
        int count = blockCount(baseLength, (int) blockSize);
        if (in.remaining() != 12L * count) {
            throw new MalformedDeltaException("a signature of " + count + " blocks has " + 12L * count + " bytes of hashes, not " + in.remaining());
        }
        int[] weak = new int[count];
        long[] strong = new long[count];
        for (int i = 0; i < count; i++) {
            weak[i] = in.getInt();
            strong[i] = in.getLong();
        }
        return new Signature((int) blockSize, baseLength, weak, strong);
    }

    static long strongPrefix(MessageDigest sha, byte[] data, int from, int length) {
        sha.reset();
        sha.update(data, from, length);
        return ByteBuffer.wrap(sha.digest()).getLong();
    }

    private static int blockCount(long length, int blockSize) {
        long count = (length + blockSize - 1) / blockSize;
        if (count > Integer.MAX_VALUE / 12) {
            throw new IllegalArgumentException("a base of " + length + " bytes has too many blocks");
        }
        return (int) count;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Signature s && blockSize == s.blockSize && baseLength == s.baseLength
                && Arrays.equals(weak, s.weak) && Arrays.equals(strong, s.strong);
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(baseLength) + Arrays.hashCode(weak);
    }

    @Override
    public String toString() {
        return "Signature[blockSize=" + blockSize + ", baseLength=" + baseLength + ", blocks=" + weak.length + "]";
    }
}
