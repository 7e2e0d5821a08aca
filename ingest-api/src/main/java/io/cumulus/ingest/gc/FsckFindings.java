package io.cumulus.ingest.gc;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

import io.cumulus.ingest.chunks.StoredBlob;
import io.cumulus.ingest.gc.ChunkFinding.Repair;

/**
 * What fsck finds when it lays the four views of the chunks side by side: how many retained versions
 * hold each chunk (recomputed from the feed), the reference counts the counter keeps, the catalogue
 * ({@code ingest.chunks}) and the blob store's listing. Pure: {@link #compare} decides every finding
 * and the repair it deserves from those snapshots and the time alone; the repairs re-check each fact
 * against the live stores before they act.
 *
 * <p>The rules, all in one place: a chunk a retained version holds must have its bytes and a
 * {@code stored} row, else it is a dangling reference, which nothing can repair (the bytes are gone,
 * or may go). A count below the expected one could let the collector delete a chunk still needed, so it
 * is raised. A count above it is harmless (the chunk is only kept longer) and is never lowered: the
 * reconciler still sends the {@code -1} of each version it has not released yet, and those would then
 * drive the count below the files holding the chunk, down to zero while they still need it. An object without a row is re-catalogued when a retained version holds
 * it, and otherwise deleted once it is older than the grace period; a {@code stored} row whose object is
 * gone is deleted on the same terms. Nothing is deleted unless the counts could be trusted: a counter
 * that is behind means the pipeline is, and the feed may not show a reference yet.
 *
 * @param danglingReferences   chunks a retained version holds whose bytes are gone or going
 * @param countsTooLow         stored counts below the expected ones (a missing count row counts 0)
 * @param countsTooHigh        stored counts above the expected ones
 * @param uncataloguedObjects  objects with no catalogue row
 * @param missingObjects       {@code stored} catalogue rows with no object
 */
public record FsckFindings(List<ChunkFinding> danglingReferences, List<ChunkFinding> countsTooLow,
                           List<ChunkFinding> countsTooHigh, List<ChunkFinding> uncataloguedObjects,
                           List<ChunkFinding> missingObjects) {

    /**
     * A chunk's catalogue row: its state ({@code uploading}, {@code stored}, {@code deleting}) and the
     * last time anything uploaded or used it (its upload, or an account's last use of it).
     */
    public record CatalogueRow(String state, Instant lastActive) {
        public CatalogueRow {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(lastActive, "lastActive");
        }
    }

    static final String NO_ROW = "none";

    public FsckFindings {
        danglingReferences = List.copyOf(danglingReferences);
        countsTooLow = List.copyOf(countsTooLow);
        countsTooHigh = List.copyOf(countsTooHigh);
        uncataloguedObjects = List.copyOf(uncataloguedObjects);
        missingObjects = List.copyOf(missingObjects);
    }

    /**
     * Every finding, in chunk id order within each kind.
     *
     * @param expected  per chunk, how many files' retained versions hold it (chunks held by none may be absent)
     * @param counted   per chunk, the stored reference count; empty when the counts could not be trusted
     * @param catalogue per chunk id, its catalogue row
     * @param listing   per chunk id, its object in the blob store
     * @param now       the time of the snapshots
     * @param grace     how long an object or row must have gone untouched before it may be deleted
     */
    public static FsckFindings compare(Map<String, Long> expected, Optional<Map<String, Long>> counted,
                                       Map<String, CatalogueRow> catalogue, Map<String, StoredBlob> listing,
                                       Instant now, Duration grace) {
        Instant cutoff = now.minus(grace);
        boolean mayDelete = counted.isPresent();
        Map<String, Long> held = new TreeMap<>();
        expected.forEach((id, n) -> {
            if (n > 0) {
                held.put(id, n);
            }
        });

        List<ChunkFinding> dangling = new ArrayList<>();
        held.forEach((id, n) -> {
            StoredBlob blob = listing.get(id);
            CatalogueRow row = catalogue.get(id);
            Long count = counted.map(c -> c.getOrDefault(id, 0L)).orElse(null);
            String state = row == null ? NO_ROW : row.state();
            String problem = null;
            if (blob == null) {
                problem = "a retained version holds it and the blob store has no object";
            } else if (blob.size() == 0) {
                problem = "a retained version holds it and its object is empty";
            } else if (state.equals("deleting")) {
                problem = "a retained version holds it and the collector is deleting it";
            } else if (state.equals("uploading")) {
                problem = "a retained version holds it and its catalogue row is 'uploading', so no one can read it";
            }
            if (problem != null) {
                dangling.add(finding(id, n, count, state, blob, problem, Repair.NONE, true,
                        "never repairable here: restore the chunk's bytes from a device or a backup"));
            }
        });

        List<ChunkFinding> tooLow = new ArrayList<>();
        List<ChunkFinding> tooHigh = new ArrayList<>();
        counted.ifPresent(counts -> {
            TreeSet<String> ids = new TreeSet<>(held.keySet());
            counts.forEach((id, c) -> {
                if (c != 0) {
                    ids.add(id);
                }
            });
            for (String id : ids) {
                long n = held.getOrDefault(id, 0L);
                long c = counts.getOrDefault(id, 0L);
                CatalogueRow row = catalogue.get(id);
                String state = row == null ? NO_ROW : row.state();
                if (c < n) {
                    String problem = counts.containsKey(id)
                            ? "the count is below the number of files whose retained versions hold it"
                            : "no count row, and files' retained versions hold it";
                    tooLow.add(finding(id, n, c, state, listing.get(id), problem, Repair.RAISE_COUNT, true,
                            "--repair raises the count to " + n));
                } else if (c > n) {
                    tooHigh.add(finding(id, n, c, state, listing.get(id),
                            "the count is above the number of files whose retained versions hold it", Repair.NONE, false,
                            "report only: the count falls when the reconciler releases the expired versions"));
                }
            }
        });

        List<ChunkFinding> uncatalogued = new ArrayList<>();
        new TreeMap<>(listing).forEach((id, blob) -> {
            if (catalogue.containsKey(id)) {
                return;
            }
            long n = held.getOrDefault(id, 0L);
            Long count = counted.map(c -> c.getOrDefault(id, 0L)).orElse(null);
            String problem = "an object with no catalogue row";
            if (n > 0) {
                uncatalogued.add(blob.size() > 0
                        ? finding(id, n, count, NO_ROW, blob, problem + "; a retained version holds it", Repair.RECATALOGUE,
                                true, "--repair catalogues it again as stored")
                        : finding(id, n, count, NO_ROW, blob, problem + "; a retained version holds it", Repair.NONE,
                                false, "not repairable: the object is empty (see danglingReferences)"));
            } else if (!blob.lastModified().isBefore(cutoff)) {
                uncatalogued.add(finding(id, 0, count, NO_ROW, blob, problem + "; nothing holds it", Repair.NONE, false,
                        "kept: written within the grace period"));
            } else if (!mayDelete) {
                uncatalogued.add(finding(id, 0, count, NO_ROW, blob, problem + "; nothing holds it", Repair.NONE, true,
                        "kept: nothing is deleted while the counts cannot be checked"));
            } else {
                uncatalogued.add(finding(id, 0, count, NO_ROW, blob, problem + "; nothing holds it", Repair.DELETE_OBJECT,
                        true, "--repair deletes the object (a leak older than the grace period)"));
            }
        });

        List<ChunkFinding> missing = new ArrayList<>();
        new TreeMap<>(catalogue).forEach((id, row) -> {
            if (!row.state().equals("stored") || listing.containsKey(id)) {
                return;
            }
            long n = held.getOrDefault(id, 0L);
            Long count = counted.map(c -> c.getOrDefault(id, 0L)).orElse(null);
            String problem = "a stored catalogue row whose object is not in the blob store";
            if (n > 0) {
                missing.add(finding(id, n, count, row.state(), null, problem + "; a retained version holds it", Repair.NONE,
                        false, "report only: a dangling reference (see danglingReferences)"));
            } else if (!row.lastActive().isBefore(cutoff)) {
                missing.add(finding(id, 0, count, row.state(), null, problem + "; nothing holds it", Repair.NONE, false,
                        "kept: uploaded or used within the grace period"));
            } else if (!mayDelete) {
                missing.add(finding(id, 0, count, row.state(), null, problem + "; nothing holds it", Repair.NONE, true,
                        "kept: nothing is deleted while the counts cannot be checked"));
            } else {
                missing.add(finding(id, 0, count, row.state(), null, problem + "; nothing holds it", Repair.DELETE_ROW, true,
                        "--repair deletes the catalogue row and its accounts' rows"));
            }
        });
        return new FsckFindings(dangling, tooLow, tooHigh, uncatalogued, missing);
    }

    private static ChunkFinding finding(String id, long expected, Long counted, String state, StoredBlob blob,
                                        String problem, Repair repair, boolean needsAttention, String outcome) {
        return new ChunkFinding(id, expected, counted, state, blob == null ? null : blob.size(),
                blob == null ? null : blob.lastModified(), problem, repair, needsAttention, false, outcome);
    }

    /** How many findings still need an operator or a repair. */
    public long unresolved() {
        return all().stream().filter(ChunkFinding::unresolved).count();
    }

    /** Every finding of every kind (a chunk may be in more than one kind). */
    public List<ChunkFinding> all() {
        List<ChunkFinding> all = new ArrayList<>();
        all.addAll(danglingReferences);
        all.addAll(countsTooLow);
        all.addAll(countsTooHigh);
        all.addAll(uncataloguedObjects);
        all.addAll(missingObjects);
        return all;
    }
}
