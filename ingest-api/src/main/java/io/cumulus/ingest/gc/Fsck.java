package io.cumulus.ingest.gc;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.ingest.IngestDatabase;
import io.cumulus.ingest.chunks.BlobStore;
import io.cumulus.ingest.chunks.ChunkCatalog;
import io.cumulus.ingest.chunks.StoredBlob;
import io.cumulus.ingest.gc.FsckFindings.CatalogueRow;
import io.cumulus.ingest.gc.FsckReport.Section;

/**
 * The chunk store's consistency check ({@code POST /v1/admin/fsck}, {@code ./cumulus admin fsck}):
 * reads the four views of the chunks — which files' retained versions hold each one (from the feed),
 * the reference counts, the catalogue and the blob store's listing — lays them side by side
 * ({@link FsckFindings#compare}) and, when asked, repairs what can be repaired ({@link FsckRepairs}).
 * It never deletes bytes a retained version holds, never lowers a count, and deletes nothing at all
 * unless the reference counter has caught up with the pipeline.
 *
 * <p>The views are read in an order that makes the races with running uploads and commits harmless:
 * the feed first, then the counter's progress (so every delta of a version in the feed read is counted),
 * then the counts, then the catalogue, then the listing (an upload writes its row before its bytes, so an
 * object missing its row in these snapshots is either a real leak or younger than the grace period).
 * One run at a time; a second one while it runs is refused.
 */
public final class Fsck {
    private static final Logger log = LoggerFactory.getLogger(Fsck.class);
    private static final int PROGRESS_EVERY = 10_000;
    private static final int DANGLING_LOGGED = 100;

    /** Where the counter's progress is read: the Kafka cluster (blank: none), the chunk-refs topic, how long to wait for it. */
    public record Counter(String bootstrapServers, String topic, Duration patience) {
        public Counter {
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(patience, "patience");
        }
    }

    private final IngestDatabase db;
    private final BlobStore blobs;
    private final RetainedReferences retained;
    private final Duration grace;
    private final Counter counter;
    private final FsckRepairs repairs;
    private final ReentrantLock running = new ReentrantLock();

    public Fsck(IngestDatabase db, BlobStore blobs, ChunkCatalog catalog, RetainedReferences retained, Duration grace,
                Counter counter) {
        this.db = Objects.requireNonNull(db, "db");
        this.blobs = Objects.requireNonNull(blobs, "blobs");
        this.retained = Objects.requireNonNull(retained, "retained");
        this.grace = io.cumulus.sync.gc.GracePeriod.require(grace);
        this.counter = Objects.requireNonNull(counter, "counter");
        this.repairs = new FsckRepairs(db, blobs, Objects.requireNonNull(catalog, "catalog"), retained, grace);
    }

    /**
     * Checks the chunks and, with {@code repair}, repairs what it safely can.
     *
     * @throws FsckRunningException when another run is under way
     */
    public FsckReport run(boolean repair) {
        if (!running.tryLock()) {
            throw new FsckRunningException();
        }
        try {
            return check(repair);
        } finally {
            running.unlock();
        }
    }

    private FsckReport check(boolean repair) {
        Instant started = now();
        log.info("fsck started repair={} grace={}", repair, grace);
        long[] filesRead = {0};
        Map<String, Long> expected = retained.expectedCounts(started, n -> {
            filesRead[0] = n;
            if (n % PROGRESS_EVERY == 0) {
                log.info("fsck reading the feed filesRead={}", n);
            }
        });
        long held = expected.values().stream().filter(n -> n > 0).count();
        log.info("fsck feed read filesRead={} chunksHeld={}", filesRead[0], held);
        try (CounterCheck counterCheck = new CounterCheck(db, counter.bootstrapServers(), counter.topic(), counter.patience())) {
            Optional<Instant> countedUpTo = counterCheck.countedUpTo();
            String countsNote = counterCheck.note();
            if (countedUpTo.isEmpty()) {
                log.warn("fsck compares no reference counts and deletes nothing reason=\"{}\"", countsNote);
            }
            Optional<Map<String, Long>> counts = countedUpTo.map(at -> storedCounts());
            Map<String, CatalogueRow> catalogue = catalogue();
            log.info("fsck catalogue read rows={} countRows={}", catalogue.size(), counts.map(Map::size).orElse(0));
            Map<String, StoredBlob> listing = listing();
            log.info("fsck blob store listed objects={}", listing.size());

            FsckFindings findings = FsckFindings.compare(expected, counts, catalogue, listing, started, grace);
            reportDangling(findings.danglingReferences());
            if (repair) {
                findings = repairs.apply(findings, counterCheck::countedUpTo);
            }
            FsckReport report = new FsckReport(started, now(), repair, grace.toString(), countedUpTo.isPresent(),
                    countedUpTo.orElse(null), countsNote, filesRead[0], held, counts.map(Map::size).orElse(0),
                    catalogue.size(), listing.size(), Section.of(findings.danglingReferences()),
                    Section.of(findings.countsTooLow()), Section.of(findings.countsTooHigh()),
                    Section.of(findings.uncataloguedObjects()), Section.of(findings.missingObjects()),
                    findings.unresolved());
            log.info("fsck finished repair={} countsCompared={} dangling={} countsTooLow={} countsTooHigh={} "
                            + "uncatalogued={} missing={} unresolved={}", repair, report.countsCompared(),
                    findings.danglingReferences().size(), findings.countsTooLow().size(), findings.countsTooHigh().size(),
                    findings.uncataloguedObjects().size(), findings.missingObjects().size(), report.unresolved());
            return report;
        }
    }

    /** Dangling references cannot be repaired and mean lost or doomed bytes: each is logged as an error. */
    private static void reportDangling(List<ChunkFinding> dangling) {
        dangling.stream().limit(DANGLING_LOGGED).forEach(f -> log.error(
                "dangling chunk reference chunkId={} files={} catalogue={} objectSize={} problem=\"{}\"",
                f.chunkId(), f.expected(), f.catalogue(), f.objectSize(), f.problem()));
        if (!dangling.isEmpty()) {
            log.error("fsck found dangling chunk references total={}: files hold chunks whose bytes are gone or going;"
                    + " restore them from a device or a backup", dangling.size());
        }
    }

    private Map<String, Long> storedCounts() {
        Map<String, Long> counts = new HashMap<>();
        db.transactions().executeWithoutResult(tx -> db.jdbc().sql("SELECT chunk_id, ref_count FROM gc.chunk_store")
                .withFetchSize(1000)
                .query(rs -> {
                    counts.put(rs.getString("chunk_id"), rs.getLong("ref_count"));
                }));
        return counts;
    }

    private Map<String, CatalogueRow> catalogue() {
        Map<String, CatalogueRow> rows = new HashMap<>();
        db.transactions().executeWithoutResult(tx -> db.jdbc().sql("""
                        SELECT c.id, c.state, greatest(c.last_uploaded_at, c.stored_at, a.last_used_at) AS last_active
                        FROM ingest.chunks c
                        LEFT JOIN (SELECT chunk_id, max(last_used_at) AS last_used_at FROM ingest.account_chunks
                                   GROUP BY chunk_id) a ON a.chunk_id = c.id""")
                .withFetchSize(1000)
                .query(rs -> {
                    rows.put(rs.getString("id"), new CatalogueRow(rs.getString("state"),
                            rs.getObject("last_active", OffsetDateTime.class).toInstant()));
                }));
        return rows;
    }

    private Map<String, StoredBlob> listing() {
        Map<String, StoredBlob> listed = new HashMap<>();
        try (Stream<StoredBlob> objects = blobs.list()) {
            objects.forEach(blob -> {
                listed.put(blob.id().hex(), blob);
                if (listed.size() % PROGRESS_EVERY == 0) {
                    log.info("fsck listing the blob store objectsListed={}", listed.size());
                }
            });
        }
        return listed;
    }

    private Instant now() {
        return databaseNow(db);
    }

    /** The database's clock, which every time the rule compares comes from. */
    static Instant databaseNow(IngestDatabase db) {
        return db.jdbc().sql("SELECT clock_timestamp()").query(OffsetDateTime.class).single().toInstant();
    }
}
