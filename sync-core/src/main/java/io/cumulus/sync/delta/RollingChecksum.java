package io.cumulus.sync.delta;

/**
 * rsync's weak checksum (Tridgell, "Efficient Algorithms for Sorting and Synchronization", 1999,
 * section 3.1): two 16-bit sums over a window that roll by one byte in constant time. Only a
 * filter: a match is confirmed by the strong hash.
 */
final class RollingChecksum {
    private int a;
    private int b;
    private int length;

    /** The checksum of {@code data[from, from + length)}. */
    static int of(byte[] data, int from, int length) {
        RollingChecksum c = new RollingChecksum();
        c.reset(data, from, length);
        return c.value();
    }

    void reset(byte[] data, int from, int length) {
        int sa = 0;
        int sb = 0;
        for (int i = 0; i < length; i++) {
            int x = data[from + i] & 0xff;
            sa += x;
            sb += (length - i) * x;
        }
        this.a = sa & 0xffff;
        this.b = sb & 0xffff;
        this.length = length;
    }

    /** Slides the window one byte: {@code out} leaves at its start, {@code in} enters at its end. */
    void roll(byte out, byte in) {
        int o = out & 0xff;
        a = (a - o + (in & 0xff)) & 0xffff;
        b = (b - length * o + a) & 0xffff;
    }

    int value() {
        return (b << 16) | a;
    }
}
