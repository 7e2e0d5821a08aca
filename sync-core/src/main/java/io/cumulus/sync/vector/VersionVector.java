package io.cumulus.sync.vector;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A version vector: for each device that ever edited a file, how many edits it made. Devices
 * with no entry count as zero, so {@code {A:0}} equals {@code {}}; zero entries are dropped.
 * Immutable; entries are kept sorted by device id so that iteration (and any encoding built on
 * it) is deterministic.
 */
public final class VersionVector {
    /**
     * The highest counter a vector from outside the server may carry: 2^53 - 1, the largest whole
     * number every JSON reader holds exactly (a JavaScript client's {@code Number.MAX_SAFE_INTEGER}),
     * and far enough below {@link Long#MAX_VALUE} that incrementing it never overflows.
     */
    public static final long MAX_COUNTER = (1L << 53) - 1;

    private static final VersionVector EMPTY = new VersionVector(new TreeMap<>());

    private final SortedMap<String, Long> counters;

    private VersionVector(SortedMap<String, Long> counters) {
        this.counters = Collections.unmodifiableSortedMap(counters);
    }

    public static VersionVector empty() {
        return EMPTY;
    }

    /**
     * A vector from device → counter entries.
     *
     * @throws IllegalArgumentException for a blank device id or a negative counter
     */
    public static VersionVector of(Map<String, Long> entries) {
        TreeMap<String, Long> copy = new TreeMap<>();
        entries.forEach((device, counter) -> {
            if (device == null || device.isBlank()) {
                throw new IllegalArgumentException("a version vector entry needs a device id");
            }
            if (counter == null || counter < 0) {
                throw new IllegalArgumentException("counter of device " + device + " must be >= 0, was " + counter);
            }
            if (counter > 0) {
                copy.put(device, counter);
            }
        });
        return copy.isEmpty() ? EMPTY : new VersionVector(copy);
    }

    /** Convenience for tests and examples: {@code of("A", 3, "B", 2)}. */
    public static VersionVector of(Object... deviceCounterPairs) {
        if (deviceCounterPairs.length % 2 != 0) {
            throw new IllegalArgumentException("expected device/counter pairs");
        }
        TreeMap<String, Long> entries = new TreeMap<>();
        for (int i = 0; i < deviceCounterPairs.length; i += 2) {
            entries.put((String) deviceCounterPairs[i], ((Number) deviceCounterPairs[i + 1]).longValue());
        }
        return of(entries);
    }

    /** The counter of a device; zero when it never edited. */
    public long counter(String deviceId) {
        return counters.getOrDefault(deviceId, 0L);
    }

    /** Entries sorted by device id; zero counters never appear. */
    public SortedMap<String, Long> entries() {
        return counters;
    }

    /**
     * This vector with the device's counter one higher: the version after an edit on that device.
     *
     * @throws ArithmeticException when the counter is {@link Long#MAX_VALUE}: a wrapped counter would
     *         be lower than the one before, and the edit would look older than the version it replaces
     */
    public VersionVector increment(String deviceId) {
        TreeMap<String, Long> next = new TreeMap<>(counters);
        next.merge(deviceId, 1L, (a, b) -> {
            if (a == Long.MAX_VALUE) {
                throw new ArithmeticException("the counter of device " + deviceId + " is at its maximum and cannot be incremented");
            }
            return a + b;
        });
        return of(next);
    }

    /** The least upper bound: each device's counter is the higher of the two. */
    public VersionVector merge(VersionVector other) {
        TreeMap<String, Long> merged = new TreeMap<>(counters);
        other.counters.forEach((device, counter) -> merged.merge(device, counter, Math::max));
        return of(merged);
    }

    /** How this vector relates to the other (see {@link Causality}). */
    public Causality compare(VersionVector other) {
        boolean thisNewer = false;
        boolean otherNewer = false;
        TreeMap<String, Long> all = new TreeMap<>(counters);
        other.counters.forEach(all::putIfAbsent);
        for (String device : all.keySet()) {
            long mine = counter(device);
            long theirs = other.counter(device);
            thisNewer |= mine > theirs;
            otherNewer |= theirs > mine;
        }
        if (thisNewer && otherNewer) {
            return Causality.CONCURRENT;
        }
        if (thisNewer) {
            return Causality.DOMINATES;
        }
        return otherNewer ? Causality.DOMINATED : Causality.EQUAL;
    }

    public boolean dominates(VersionVector other) {
        return compare(other) == Causality.DOMINATES;
    }

    public boolean isEmpty() {
        return counters.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionVector v && counters.equals(v.counters);
    }

    @Override
    public int hashCode() {
        return Objects.hash(counters);
    }

    @Override
    public String toString() {
        return counters.toString();
    }
}
