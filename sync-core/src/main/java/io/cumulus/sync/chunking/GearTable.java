package io.cumulus.sync.chunking;

/**
 * FastCDC's gear table: one random 64-bit value per byte value, added into the rolling hash.
 *
 * <p>NEVER CHANGE the seed or the generator. Chunk boundaries, and therefore chunk ids, follow
 * from this table: a different table re-chunks every stored file, so no client would find its
 * existing chunks on the server again and every file would be uploaded and stored twice.
 * {@code GearTableTest} pins a few entries and a known chunking to catch an accidental change.
 */
final class GearTable {

    /** "cumulus!" in ASCII. */
    private static final long SEED = 0x63756D756C757321L;

    private static final long[] VALUES = generate();

    static long value(int unsignedByte) {
        return VALUES[unsignedByte];
    }

    /** The table itself for the hot loop; callers must not modify it. */
    static long[] values() {
        return VALUES;
    }

    /** SplitMix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number generators", 2014). */
    private static long[] generate() {
        long[] table = new long[256];
        long state = SEED;
        for (int i = 0; i < table.length; i++) {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            table[i] = z ^ (z >>> 31);
        }
        return table;
    }

    private GearTable() {
    }
}
