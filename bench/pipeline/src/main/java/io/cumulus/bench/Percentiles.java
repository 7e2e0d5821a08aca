package io.cumulus.bench;

import java.util.Arrays;

/** Nearest-rank percentiles of a set of latencies in nanoseconds, printed in milliseconds. */
record Percentiles(int count, double p50, double p95, double p99, double max) {

    static Percentiles of(long[] nanos) {
        if (nanos.length == 0) {
            return new Percentiles(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new Percentiles(sorted.length, ms(rank(sorted, 50)), ms(rank(sorted, 95)), ms(rank(sorted, 99)),
                ms(sorted[sorted.length - 1]));
    }

    private static long rank(long[] sorted, int percentile) {
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }

    String line(String name) {
        return String.format("%-16s n=%-6d p50=%8.1f ms  p95=%8.1f ms  p99=%8.1f ms  max=%8.1f ms", name, count, p50, p95, p99, max);
    }
}
