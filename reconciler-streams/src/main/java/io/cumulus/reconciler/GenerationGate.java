package io.cumulus.reconciler;

import java.util.HashMap;
import java.util.Map;

/**
 * Which change records a generation of the reconciler's stores applies, and which of them it
 * publishes. A generation is one Kafka Streams application (its own group, changelogs and local
 * stores) running the one topology; the gate decides, record by record in its stream thread:
 * <ul>
 * <li><b>live</b>: every record is applied and published (a reconciler that never was rebuilt);</li>
 * <li><b>shadow</b>: a generation being rebuilt from offset 0 applies records silently, and only
 *     those the publishing generation has already committed: at a record past that, its thread waits,
 *     so it never runs ahead of what was published;</li>
 * <li><b>handed over</b>: the publishing generation stopped at {@code loudFrom} (its committed
 *     positions); records below are applied silently (they were published before), those from there
 *     on are applied and published. Kept for good: a restart replays nothing twice.</li>
 * </ul>
 * Each record is thus published by exactly one generation (docs/decisions/0035).
 */
final class GenerationGate {
    /** Thrown in a shadow's stream thread when its rebuild is aborted: the generation is dropped. */
    static final class Aborted extends RuntimeException {
        Aborted() {
            super("the reconciler rebuild was aborted");
        }
    }

    private enum Mode { LIVE, SHADOW, HANDED_OVER }

    private Mode mode;
    private Map<Integer, Long> published = Map.of();
    private Map<Integer, Long> loudFrom = Map.of();
    private boolean aborted;

    private GenerationGate(Mode mode) {
        this.mode = mode;
    }

    static GenerationGate live() {
        return new GenerationGate(Mode.LIVE);
    }

    static GenerationGate shadow() {
        return new GenerationGate(Mode.SHADOW);
    }

    static GenerationGate handedOver(Map<Integer, Long> loudFrom) {
        GenerationGate gate = new GenerationGate(Mode.HANDED_OVER);
        gate.loudFrom = Map.copyOf(loudFrom);
        return gate;
    }

    /**
     * Whether the record at {@code offset} of changes partition {@code partition} is published (it is
     * applied either way); waits while a shadow has caught up with the publishing generation.
     *
     * @throws Aborted when the shadow's rebuild is aborted while it waits or before
     */
    synchronized boolean admit(int partition, long offset) {
        while (true) {
            if (aborted) {
                throw new Aborted();
            }
            switch (mode) {
                case LIVE:
                    return true;
                case HANDED_OVER:
                    return offset >= loudFrom.getOrDefault(partition, 0L);
                case SHADOW:
                    if (offset < published.getOrDefault(partition, 0L)) {
                        return false;
                    }
                    break;
            }
            try {
                wait(200); // woken by publishedUpTo, handOver or abort; the timeout only bounds a missed wake-up
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Aborted();
            }
        }
    }

    /** The publishing generation's committed positions: a shadow may apply every record below them. */
    synchronized void publishedUpTo(Map<Integer, Long> positions) {
        published = Map.copyOf(new HashMap<>(positions));
        notifyAll();
    }

    /** The publishing generation stopped at {@code positions}: this one publishes from there on. */
    synchronized void handOver(Map<Integer, Long> positions) {
        mode = Mode.HANDED_OVER;
        loudFrom = Map.copyOf(positions);
        notifyAll();
    }

    synchronized void abort() {
        aborted = true;
        notifyAll();
    }
}
