package io.cumulus.ingest.gc;

import java.time.Instant;
import java.util.List;

/**
 * What one fsck run found and did, as {@code POST /v1/admin/fsck} answers it (JSON). Each kind of
 * finding gives its total and at most {@link #SAMPLES} of its findings; the full lists are in the
 * server's log only for dangling references. {@code unresolved} counts the findings that still need
 * a repair or an operator; with {@code countsCompared} false the counts were not checked at all, and
 * {@code countsNote} says why.
 *
 * @param repair             whether repairs were made
 * @param grace              the grace period deletions waited for (ISO-8601)
 * @param countsCompared     whether the reference counts were compared (the counter had caught up)
 * @param countedUpTo        the instant before which every batch's references were counted, when compared
 * @param countsNote         why the counts were not compared, or null
 * @param filesRead          files whose retained versions were read from the feed
 * @param chunksHeld         chunks at least one retained version holds
 * @param countRows          rows of {@code gc.chunk_store} read (0 when not compared)
 * @param catalogueRows      rows of {@code ingest.chunks} read
 * @param objectsListed      chunk objects the blob store listed
 */
public record FsckReport(Instant startedAt, Instant finishedAt, boolean repair, String grace, boolean countsCompared,
                         Instant countedUpTo, String countsNote, long filesRead, long chunksHeld, long countRows,
                         long catalogueRows, long objectsListed, Section danglingReferences, Section countsTooLow,
                         Section countsTooHigh, Section uncataloguedObjects, Section missingObjects, long unresolved) {

    /** How many findings of one kind a report shows. */
    public static final int SAMPLES = 100;

    /**
     * One kind of finding: how many there are, how many were resolved (repaired, or found fixed when
     * re-checked), how many still need attention, and the first {@link #SAMPLES} of them by chunk id.
     */
    public record Section(long total, long resolved, long unresolved, List<ChunkFinding> samples) {
        public Section {
            samples = List.copyOf(samples);
        }

        static Section of(List<ChunkFinding> findings) {
            return new Section(findings.size(), findings.stream().filter(ChunkFinding::resolved).count(),
                    findings.stream().filter(ChunkFinding::unresolved).count(),
                    findings.subList(0, Math.min(SAMPLES, findings.size())));
        }
    }

    /** Whether nothing needs attention and every count was checked. */
    public boolean clean() {
        return countsCompared && unresolved == 0;
    }
}
