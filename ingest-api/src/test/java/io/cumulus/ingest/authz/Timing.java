package io.cumulus.ingest.authz;

import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Whether asking about another account's object takes measurably longer (or shorter) than asking
 * about an id that names nothing. Requests of both kinds are interleaved in random order, so a
 * busy machine slows both alike; only a difference that is large in both absolute and relative
 * terms, and is there again when measured a second time, counts. Runs as the owner against the
 * other account's objects.
 */
final class Timing {
    static final int ROUNDS = 40;
    static final int WARM_UP = 5;
    /** A difference of medians smaller than this is noise on a shared two-core machine. */
    static final double MIN_ABSOLUTE_MS = 5;
    /** ... and so is one smaller than this part of the smaller median. */
    static final double MIN_RELATIVE = 0.5;

    private Timing() {
    }

    /** The difference, in words, when it is large and consistent. */
    static Optional<String> compare(MatrixWorld world, Row row) {
        Targets missing = Targets.missing();
        double[] first = medians(world, row, missing);
        if (!large(first)) {
            return Optional.empty();
        }
        double[] again = medians(world, row, missing);
        if (!large(again)) {
            return Optional.empty();
        }
        return Optional.of("%s: median %.1f ms for another account's object, %.1f ms for a nonexistent one (then %.1f and %.1f)"
                .formatted(row, first[0], first[1], again[0], again[1]));
    }

    private static boolean large(double[] medians) {
        double diff = Math.abs(medians[0] - medians[1]);
        return diff > MIN_ABSOLUTE_MS && diff > MIN_RELATIVE * Math.min(medians[0], medians[1]);
    }

    /** The median times in milliseconds: {another account's, nonexistent}. */
    private static double[] medians(MatrixWorld world, Row row, Targets missing) {
        for (int i = 0; i < WARM_UP; i++) {
            time(world, row, world.otherTargets);
            time(world, row, missing);
        }
        long[] foreign = new long[ROUNDS];
        long[] absent = new long[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            if (ThreadLocalRandom.current().nextBoolean()) {
                foreign[i] = time(world, row, world.otherTargets);
                absent[i] = time(world, row, missing);
            } else {
                absent[i] = time(world, row, missing);
                foreign[i] = time(world, row, world.otherTargets);
            }
        }
        return new double[] {median(foreign) / 1e6, median(absent) / 1e6};
    }

    private static long time(MatrixWorld world, Row row, Targets targets) {
        Call call = row.call(targets, world.asker(Relation.OWNER)); // made before the clock starts: building a delta or a body is not the server's time
        long start = System.nanoTime();
        world.send(Relation.OWNER, call);
        return System.nanoTime() - start;
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return (sorted[(sorted.length - 1) / 2] + sorted[sorted.length / 2]) / 2.0;
    }
}
