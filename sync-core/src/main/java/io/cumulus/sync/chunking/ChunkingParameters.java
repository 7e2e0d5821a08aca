package io.cumulus.sync.chunking;

import io.cumulus.sync.manifest.ChunkRef;

/**
 * The chunk size bounds of FastCDC, in bytes. The average must be a power of two because the
 * cut condition tests log2(average) hash bits (±2 for normalized chunking); the maximum is
 * capped by the largest chunk a manifest may reference. Changing the defaults, like changing the
 * gear table, re-chunks every file, so they are part of the storage format.
 */
public record ChunkingParameters(int minSize, int averageSize, int maxSize) {

    private static final ChunkingParameters DEFAULTS = new ChunkingParameters(256 * 1024, 1024 * 1024, 4 * 1024 * 1024);

    /** The smallest average that leaves normalized chunking's easier mask at least one bit. */
    private static final int SMALLEST_AVERAGE = 8;

    public ChunkingParameters {
        if (minSize < 1 || !(minSize < averageSize && averageSize < maxSize)) {
            throw new IllegalArgumentException("chunk sizes need 1 <= min < average < max, were min=" + minSize
                    + " average=" + averageSize + " max=" + maxSize);
        }
        if (Integer.bitCount(averageSize) != 1 || averageSize < SMALLEST_AVERAGE) {
            throw new IllegalArgumentException("the average chunk size must be a power of two >= " + SMALLEST_AVERAGE
                    + ", was " + averageSize);
        }
        if (maxSize > ChunkRef.MAX_SIZE) {
            throw new IllegalArgumentException("the maximum chunk size is at most " + ChunkRef.MAX_SIZE + ", was " + maxSize);
        }
    }

    /** 256 KiB / 1 MiB / 4 MiB: what every Cumulus client uses. */
    public static ChunkingParameters defaults() {
        return DEFAULTS;
    }

    /** log2 of the average size: the number of hash bits that must be zero for a cut, on average. */
    int averageBits() {
        return Integer.numberOfTrailingZeros(averageSize);
    }
}
