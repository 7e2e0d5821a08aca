package io.cumulus.ingest.gc;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.ingest.IngestDatabase;
import io.cumulus.ingest.chunks.BlobStore;
import io.cumulus.ingest.chunks.BlobStoreUnavailableException;
import io.cumulus.ingest.chunks.ChunkCatalog;
import io.cumulus.ingest.chunks.ChunkId;
import io.cumulus.ingest.gc.RetainedReferences.FileRef;

/**
 * The repairs of {@code fsck --repair}. Each one re-checks, against the live stores and just before it
 * acts, the facts its finding was decided on, since uploads, commits, the reconciler and the collector
 * keep running while fsck does: a finding that no longer holds is left alone (and reported resolved).
 *
 * <p>Deleting bytes keeps uploads and commits out until it is done: a leaked object gets a catalogue row
 * marked {@code deleting} in a transaction that stays open until the bytes and that row are gone (the
 * insert succeeds only if no row appeared: an upload writes its row before its bytes, and a commit needs
 * a {@code stored} row); inside it fsck checks once more that no retained version holds the chunk. The
 * row is never committed, so no collector can finish a deletion fsck may yet call off. A row whose
 * object is gone is deleted under its row lock, which a commit's share lock holds off. Counts are only raised, under the row's lock, to what the feed says once the counter has
 * counted every delta written since the feed was read again.
 */
final class FsckRepairs {
    private static final Logger log = LoggerFactory.getLogger(FsckRepairs.class);

    private final IngestDatabase db;
    private final BlobStore blobs;
    private final ChunkCatalog catalog;
    private final RetainedReferences retained;
    private final Duration grace;

    FsckRepairs(IngestDatabase db, BlobStore blobs, ChunkCatalog catalog, RetainedReferences retained, Duration grace) {
        this.db = db;
        this.blobs = blobs;
        this.catalog = catalog;
        this.retained = retained;
        this.grace = grace;
    }

    /**
     * Repairs what can be repaired, and returns the findings with what became of each.
     *
     * @param countedUpTo asks whether the counter has counted every delta written so far (empty if not)
     */
    FsckFindings apply(FsckFindings findings, Supplier<Optional<Instant>> countedUpTo) {
        List<ChunkFinding> uncatalogued = findings.uncataloguedObjects().stream().map(f -> switch (f.repair()) {
            case RECATALOGUE -> recatalogue(f);
            case DELETE_OBJECT -> deleteLeak(f);
            default -> f;
        }).toList();
        List<ChunkFinding> missing = findings.missingObjects().stream()
                .map(f -> f.repair() == ChunkFinding.Repair.DELETE_ROW ? deleteRow(f) : f).toList();
        List<ChunkFinding> tooLow = raiseCounts(findings.countsTooLow(), countedUpTo);
        return new FsckFindings(findings.danglingReferences(), tooLow, findings.countsTooHigh(), uncatalogued, missing);
    }

    /**
     * The feed is read again for each chunk, then the counter must catch up with every delta written
     * until then: a count still below the files holding the chunk is then really too low, not a delta
     * on its way (which, added to a raised count, would leave it too high for good).
     */
    private List<ChunkFinding> raiseCounts(List<ChunkFinding> tooLow, Supplier<Optional<Instant>> countedUpTo) {
        if (tooLow.isEmpty()) {
            return tooLow;
        }
        Instant now = now();
        Map<String, Integer> holding = new HashMap<>();
        for (ChunkFinding f : tooLow) {
            holding.put(f.chunkId(), retained.filesHolding(f.chunkId(), now).size());
        }
        if (countedUpTo.get().isEmpty()) {
            return tooLow.stream().map(f -> f.keptAs("not repaired: the reference counter fell behind; run fsck again"))
                    .toList();
        }
        return tooLow.stream().map(f -> raiseCount(f, holding.get(f.chunkId()))).toList();
    }

    private ChunkFinding raiseCount(ChunkFinding f, long expected) {
        return db.transactions().execute(tx -> {
            GcSwitchLock.takeShared(db);
            long count = db.jdbc().sql("SELECT ref_count FROM gc.chunk_store WHERE chunk_id = ? FOR UPDATE")
                    .param(f.chunkId()).query(Long.class).optional().orElse(0L);
            if (count >= expected) {
                return f.resolvedAs("resolved meanwhile: counted " + count + ", held by " + expected);
            }
            // greatest(): never lowers, even against a delta the counter adds in between. The last reference
            // time becomes now, which can only make the collector wait longer.
            db.jdbc().sql("""
                            INSERT INTO gc.chunk_store AS s (chunk_id, ref_count, last_referenced_at)
                            VALUES (?, ?, clock_timestamp())
                            ON CONFLICT (chunk_id) DO UPDATE SET ref_count = greatest(s.ref_count, excluded.ref_count),
                                last_referenced_at = greatest(s.last_referenced_at, excluded.last_referenced_at)""")
                    .params(f.chunkId(), expected)
                    .update();
            log.warn("chunk count raised chunkId={} from={} to={} by=fsck", f.chunkId(), count, expected);
            return f.resolvedAs("repaired: count raised from " + count + " to " + expected);
        });
    }

    /** Gives an object a retained version holds its catalogue row back, readable by the members of those files' namespaces. */
    private ChunkFinding recatalogue(ChunkFinding f) {
        List<FileRef> holding = retained.filesHolding(f.chunkId(), now());
        if (holding.isEmpty()) {
            return f.keptAs("not repaired: no retained version holds it any more");
        }
        boolean inserted = Boolean.TRUE.equals(db.transactions().execute(tx -> {
            boolean row = db.jdbc().sql("""
                            INSERT INTO ingest.chunks (id, size, state) VALUES (?, ?, 'stored')
                            ON CONFLICT (id) DO NOTHING""")
                    .params(f.chunkId(), f.objectSize())
                    .update() == 1;
            if (row) {
                grantReaders(f.chunkId(), holding);
            }
            return row;
        }));
        if (!inserted) {
            return f.resolvedAs("resolved meanwhile: a catalogue row appeared");
        }
        log.warn("chunk catalogued again chunkId={} size={} files={} by=fsck", f.chunkId(), f.objectSize(), holding.size());
        return f.resolvedAs("repaired: catalogued again as stored, for the members of "
                + holding.stream().map(FileRef::namespaceId).distinct().count() + " namespace(s)");
    }

    /**
     * Deletes a leaked object inside one transaction that holds a {@code deleting} catalogue row of its
     * own, never committed: while it is open an upload of the chunk waits for it (the row's key is
     * taken) and no commit can use the chunk (it has no {@code stored} row), and no collector ever sees
     * the row, so none can finish a deletion this transaction may yet call off. If a retained version
     * holds the chunk by now, the bytes are kept and catalogued again, if they are still there.
     */
    private ChunkFinding deleteLeak(ChunkFinding f) {
        String id = f.chunkId();
        try {
            return db.transactions().execute(tx -> {
                boolean claimed = db.jdbc().sql("""
                                INSERT INTO ingest.chunks (id, size, state, deleting_since)
                                VALUES (?, nullif(?::bigint, 0), 'deleting', clock_timestamp())
                                ON CONFLICT (id) DO NOTHING""")
                        .params(id, f.objectSize())
                        .update() == 1;
                if (!claimed) {
                    return f.resolvedAs("kept: a catalogue row appeared meanwhile (an upload began)");
                }
                List<FileRef> holding = retained.filesHolding(id, now());
                if (!holding.isEmpty()) {
                    if (f.objectSize() <= 0 || !blobs.exists(new ChunkId(id))) {
                        tx.setRollbackOnly();
                        return f.keptAs("not repaired: a retained version holds it now, and its bytes are gone");
                    }
                    // A version holding it reached the feed after the survey: keep the bytes and give them a row.
                    db.jdbc().sql("UPDATE ingest.chunks SET state = 'stored', deleting_since = NULL WHERE id = ?")
                            .param(id).update();
                    grantReaders(id, holding);
                    return f.resolvedAs("kept: a retained version holds it now; catalogued again");
                }
                if (retained.versionsDerivedAs(id, now()).holds() && f.objectSize() > 0 && blobs.exists(new ChunkId(id))) {
                    // A photo's thumbnail or preview whose version is retained: nothing references it but that version.
                    db.jdbc().sql("UPDATE ingest.chunks SET state = 'stored', deleting_since = NULL WHERE id = ?")
                            .param(id).update();
                    return f.resolvedAs("kept: the derivative of a retained photo version; catalogued again");
                }
                boolean deleted = blobs.delete(new ChunkId(id));
                db.jdbc().sql("DELETE FROM ingest.chunks WHERE id = ? AND state = 'deleting'").param(id).update();
                log.info("chunk deleted chunkId={} size={} lastModified={} reason=uncatalogued by=fsck", id,
                        f.objectSize(), f.objectModified());
                return f.resolvedAs(deleted ? "repaired: the object is deleted" : "resolved meanwhile: the object was gone");
            });
        } catch (BlobStoreUnavailableException | UncheckedIOException e) {
            // The transaction is rolled back: the chunk is exactly as before, and a later run retries.
            return f.keptAs("not repaired: the blob store failed: " + e.getMessage());
        }
    }

    /** A row as it is when its deletion is decided: its state, and whether anything used it within the grace period. */
    private record LockedRow(String state, boolean recent) {
    }

    private ChunkFinding deleteRow(ChunkFinding f) {
        String id = f.chunkId();
        try {
            return db.transactions().execute(tx -> {
                boolean locked = db.jdbc().sql("SELECT id FROM ingest.chunks WHERE id = ? FOR UPDATE")
                        .param(id).query(String.class).optional().isPresent();
                // Read in a later statement than the lock: it sees what a commit the lock waited for wrote.
                Optional<LockedRow> row = !locked ? Optional.empty() : db.jdbc().sql("""
                                SELECT c.state, greatest(c.last_uploaded_at, c.stored_at,
                                           (SELECT max(a.last_used_at) FROM ingest.account_chunks a WHERE a.chunk_id = c.id))
                                       >= clock_timestamp() - make_interval(secs => ?) AS recent
                                FROM ingest.chunks c WHERE c.id = ?""")
                        .params((double) grace.toSeconds(), id)
                        .query((rs, i) -> new LockedRow(rs.getString("state"), rs.getBoolean("recent")))
                        .optional();
                if (row.isEmpty() || !row.get().state().equals("stored")) {
                    return f.resolvedAs("resolved meanwhile: the row is gone or no longer stored");
                }
                if (blobs.exists(new ChunkId(id))) {
                    return f.resolvedAs("resolved meanwhile: the object is there again");
                }
                if (row.get().recent()) {
                    return f.keptAs("kept: uploaded or used within the grace period since it was found");
                }
                if (retained.versionsDerivedAs(id, now()).holds()) {
                    return f.keptAs("kept: the derivative of a retained photo version (a rebuild of the library makes it again)");
                }
                if (!retained.filesHolding(id, now()).isEmpty()) {
                    return f.keptAs("kept: a retained version holds it now (a dangling reference)");
                }
                int accounts = db.jdbc().sql("DELETE FROM ingest.account_chunks WHERE chunk_id = ?").param(id).update();
                db.jdbc().sql("DELETE FROM ingest.chunks WHERE id = ?").param(id).update();
                log.info("chunk row deleted chunkId={} accountRows={} reason=object-missing by=fsck", id, accounts);
                return f.resolvedAs("repaired: the catalogue row and " + accounts + " account row(s) are deleted");
            });
        } catch (BlobStoreUnavailableException e) {
            return f.keptAs("not repaired: the blob store failed: " + e.getMessage());
        }
    }

    /** Every member of the namespaces of the files holding the chunk may read it, as after a commit. */
    private void grantReaders(String chunkId, List<FileRef> holding) {
        holding.stream().map(FileRef::namespaceId).distinct().sorted()
                .forEach((UUID ns) -> catalog.recordReferences(ns, List.of(chunkId)));
    }

    private Instant now() {
        return Fsck.databaseNow(db);
    }
}
