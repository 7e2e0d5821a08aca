package io.cumulus.ingest.gc;

import java.time.Instant;
import java.util.Objects;

/**
 * One chunk fsck found out of order, with the facts that make it so, what {@code --repair} does about
 * it and what became of it. Facts that were not looked at are null: {@code counted} when the counts
 * were not compared, {@code objectSize} and {@code objectModified} when the blob store holds no object.
 *
 * @param chunkId        the chunk's SHA-256
 * @param expected       how many files' retained versions hold it (recomputed from the feed)
 * @param counted        its reference count in {@code gc.chunk_store} (0 without a row)
 * @param catalogue      the state of its {@code ingest.chunks} row, or {@code none}
 * @param objectSize     the size of its object in the blob store
 * @param objectModified when that object was last written
 * @param problem        what is wrong, for a person
 * @param repair         what {@code --repair} does about it
 * @param needsAttention whether it stays a problem until repaired (dangling references always do;
 *                       counts too high and objects younger than the grace period do not)
 * @param resolved       whether it no longer holds: repaired, or found fixed when it was re-checked
 * @param outcome        what happened, or would happen, to it, for a person
 */
public record ChunkFinding(String chunkId, long expected, Long counted, String catalogue, Long objectSize,
                           Instant objectModified, String problem, Repair repair, boolean needsAttention,
                           boolean resolved, String outcome) {

    /** What {@code --repair} does about a finding. Nothing it does can remove bytes a retained version holds. */
    public enum Repair {
        /** Reported only. */
        NONE,
        /** The stored reference count is raised to the expected one (never lowered). */
        RAISE_COUNT,
        /** An object with no catalogue row that a retained version holds gets its row back. */
        RECATALOGUE,
        /** An object with no catalogue row that nothing holds, older than the grace period, is deleted. */
        DELETE_OBJECT,
        /** A catalogue row whose object is gone, that nothing holds, older than the grace period, is deleted. */
        DELETE_ROW
    }

    public ChunkFinding {
        Objects.requireNonNull(chunkId, "chunkId");
        Objects.requireNonNull(catalogue, "catalogue");
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(repair, "repair");
        Objects.requireNonNull(outcome, "outcome");
    }

    /** Whether it still needs an operator (or a repair) after this run. */
    public boolean unresolved() {
        return needsAttention && !resolved;
    }

    /** The same finding, repaired or found fixed when it was re-checked. */
    ChunkFinding resolvedAs(String what) {
        return new ChunkFinding(chunkId, expected, counted, catalogue, objectSize, objectModified, problem, repair,
                needsAttention, true, what);
    }

    /** The same finding, still there after a repair was tried. */
    ChunkFinding keptAs(String why) {
        return new ChunkFinding(chunkId, expected, counted, catalogue, objectSize, objectModified, problem, repair,
                needsAttention, false, why);
    }
}
