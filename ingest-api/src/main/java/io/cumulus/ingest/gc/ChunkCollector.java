package io.cumulus.ingest.gc;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import io.cumulus.ingest.IngestDatabase;
import io.cumulus.ingest.chunks.BlobStore;
import io.cumulus.ingest.chunks.ChunkId;
import io.cumulus.sync.gc.ChunkFacts;
import io.cumulus.sync.gc.GcDecision;
import io.cumulus.sync.gc.KeepReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Deletes the chunks nothing needs any more, on its own thread, one sweep every
 * {@link GcSettings#interval()}. A deletion takes three steps, each durable before the next:
 * <ol>
 * <li><b>mark</b>: in one transaction, lock the catalogue row ({@code FOR UPDATE SKIP LOCKED}: a row a
 *     commit or an upload holds is skipped, it is in use), re-read every fact the deletion rests on
 *     in later statements (so they include whatever a commit the lock waited for wrote), decide with
 *     {@link GcDecision}, re-check in the file state that no retained version, history entry or
 *     trash entry holds the chunk and that it is not the thumbnail or preview of a retained photo version
 *     ({@link RetainedReferences}), and set the row to {@code deleting}.
 *     From then on uploads are refused (503, retry), commits see the chunk as missing, reads as gone;</li>
 * <li><b>delete the object</b> from the blob store (deleting an object already gone is fine);</li>
 * <li><b>forget the row</b>: the catalogue row, the accounts' rows of it and a zero count go in one
 *     transaction.</li>
 * </ol>
 * A crash between steps leaves a row marked {@code deleting}, which every sweep first carries to its
 * end; never a {@code stored} row whose object is gone. Before judging any chunk unreferenced, a
 * sweep waits until the reference counts cover every batch accepted before the chunk's last use
 * ({@link CountedUpTo}); while the counter is behind, it deletes nothing new. And it never deletes on
 * the word of a derived store that was lost or reset ({@link StoreGuard}): each store the decision
 * reads must have positions covering its topic when the sweep starts, and every marking transaction
 * first checks, under a lock, that none of them went back or vanished since; if one did, the sweep stops.
 *
 * <p>Several collectors (one per API instance) may sweep at once: the row locks and the state
 * checks keep them from deciding twice, and every step is idempotent.
 */
public final class ChunkCollector implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(ChunkCollector.class);
    private static final Duration COUNTER_WAIT = Duration.ofSeconds(10);

    /** The steps of one deletion, in order. */
    public enum Step {
        /** The sweep found the stores and the counts complete and is about to judge candidates (chunk id empty). */
        COUNTS_SETTLED, MARKED, OBJECT_DELETED, FORGOTTEN
    }

    /** Told after each step of each deletion: the tests' way to stop a collector between two steps. */
    @FunctionalInterface
    public interface StepListener {
        void after(Step step, String chunkId);

        StepListener NONE = (step, chunkId) -> { };
    }

    /**
     * What one sweep did. {@code countsSettled} is false when it judged nothing (the counter behind, or a
     * store not covering its topic); {@code stoppedBecause} names the store that went back or vanished
     * while it judged, which stopped it ("" when none did).
     */
    public record Sweep(boolean countsSettled, int candidates, int deleted, long bytesDeleted, int finishedFromBefore,
                        Map<KeepReason, Integer> kept, int heldByRetainedVersions, String stoppedBecause) {
    }

    private final GcSettings settings;
    private final IngestDatabase db;
    private final BlobStore blobs;
    private final RetainedReferences references;
    private final CountedUpTo counted;
    private final StoreGuard guard;
    private final StepListener steps;
    private final Counter deletedChunks;
    private final Counter deletedBytes;
    private final Counter anomalies;
    private final Map<String, AtomicLong> gauges = new java.util.concurrent.ConcurrentHashMap<>();

    private volatile boolean running;
    private CountDownLatch stopping;
    private Thread thread;

    public ChunkCollector(GcSettings settings, IngestDatabase db, BlobStore blobs, RetainedReferences references,
                          CountedUpTo counted, StoreGuard guard, MeterRegistry meters, StepListener steps) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.db = Objects.requireNonNull(db, "db");
        this.blobs = Objects.requireNonNull(blobs, "blobs");
        this.references = Objects.requireNonNull(references, "references");
        this.counted = Objects.requireNonNull(counted, "counted");
        this.guard = Objects.requireNonNull(guard, "guard");
        this.steps = Objects.requireNonNull(steps, "steps");
        this.deletedChunks = Counter.builder("cumulus.gc.deleted.chunks")
                .description("Chunks the collector deleted").register(meters);
        this.deletedBytes = Counter.builder("cumulus.gc.deleted.bytes")
                .description("Bytes of the chunks the collector deleted").register(meters);
        this.anomalies = Counter.builder("cumulus.gc.anomalies")
                .description("Chunks kept because the counts disagree with the file state (a negative count, or a "
                        + "zero count for a chunk a retained version holds)").register(meters);
        for (String what : List.of("stored", "uploading", "deleting", "referenced", "unreferenced")) {
            AtomicLong chunks = gauges.computeIfAbsent("chunks/" + what, k -> new AtomicLong());
            AtomicLong bytes = gauges.computeIfAbsent("bytes/" + what, k -> new AtomicLong());
            Gauge.builder("cumulus.gc.chunks", chunks, AtomicLong::get).tag("state", what)
                    .description("Chunks by state: stored, uploading, deleting (pending deletion), and the stored ones "
                            + "referenced or not").register(meters);
            Gauge.builder("cumulus.gc.bytes", bytes, AtomicLong::get).tag("state", what)
                    .description("Bytes of the chunks by state").register(meters);
        }
    }

    // ---- lifecycle --------------------------------------------------------------------------------

    @Override
    public boolean isAutoStartup() {
        return settings.enabled();
    }

    @Override
    public synchronized void start() {
        if (running || !settings.enabled()) {
            return;
        }
        stopping = new CountDownLatch(1);
        thread = new Thread(this::run, "cumulus-chunk-collector");
        thread.setDaemon(true);
        running = true;
        thread.start();
        log.info("chunk collector started grace={} interval={}", settings.grace(), settings.interval());
    }

    @Override
    public void stop() {
        Thread t;
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            stopping.countDown();
            t = thread;
        }
        try {
            t.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        counted.close();
        guard.close();
        log.info("chunk collector stopped");
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void run() {
        try {
            do {
                try {
                    sweep();
                } catch (RuntimeException e) {
                    // A store down (503s everywhere else), a lost connection: the next sweep starts over,
                    // and the rows marked meanwhile are carried to their end first.
                    log.warn("chunk collection sweep failed, retrying at the next one error={}", e.toString());
                }
            } while (!stopping.await(settings.interval().toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- one sweep --------------------------------------------------------------------------------

    /** One sweep: finishes the deletions marked before, then marks and deletes what may go now. */
    public Sweep sweep() {
        int finished = finishMarked();
        // The stores' positions first: whatever the counter's completeness and the candidates are read from later.
        Optional<StoreGuard.Snapshot> stores = guard.snapshot();
        Optional<Instant> settled = stores.isEmpty() ? Optional.empty() : counted.now(COUNTER_WAIT);
        if (settled.isEmpty()) {
            refreshGauges();
            return new Sweep(false, 0, 0, 0, finished, Map.of(), 0, "");
        }
        steps.after(Step.COUNTS_SETTLED, "");
        List<String> candidates = candidates(settled.get());
        Map<KeepReason, Integer> kept = new EnumMap<>(KeepReason.class);
        int deleted = 0;
        int held = 0;
        long bytes = 0;
        String stopped = "";
        for (String id : candidates) {
            Mark mark = mark(id, settled.get(), stores.get());
            if (mark instanceof Mark.StoreLost lost) {
                stopped = lost.why();
                log.warn("chunk collection sweep stopped, a store it reads was lost or reset while it ran, nothing more"
                        + " is deleted until it covers its topic again store={}", stopped);
                break;
            }
            switch (mark) {
                case Mark.Marked marked -> {
                    steps.after(Step.MARKED, id);
                    if (!deleteObjectAndForget(id)) {
                        continue; // another collector, which found the mark meanwhile, finishes it
                    }
                    deleted++;
                    bytes += marked.size();
                    deletedChunks.increment();
                    deletedBytes.increment(marked.size());
                    log.info("chunk deleted chunkId={} size={} state={}", id, marked.size(), marked.formerState());
                }
                case Mark.Kept k -> kept.merge(k.reason(), 1, Integer::sum);
                case Mark.HeldByRetainedVersion h -> held++;
                case Mark.Skipped s -> { }
                case Mark.StoreLost s -> { }
            }
        }
        refreshGauges();
        Sweep sweep = new Sweep(true, candidates.size(), deleted, bytes, finished, kept, held, stopped);
        if (deleted > 0 || finished > 0 || held > 0) {
            log.info("chunk collection sweep candidates={} deleted={} bytes={} finishedFromBefore={} kept={} "
                    + "heldByRetainedVersions={}", candidates.size(), deleted, bytes, finished, kept, held);
        }
        return sweep;
    }

    /** Carries the deletions a crash (or a failed sweep) left half done to their end. */
    private int finishMarked() {
        int finished = 0;
        List<String> marked = db.jdbc().sql("""
                        SELECT id FROM ingest.chunks WHERE state = 'deleting' ORDER BY deleting_since LIMIT ?""")
                .param(settings.candidatesPerSweep())
                .query(String.class).list();
        for (String id : marked) {
            if (deleteObjectAndForget(id)) {
                log.info("chunk deletion resumed and finished chunkId={}", id);
                finished++;
            }
        }
        return finished;
    }

    /**
     * The chunks that look collectable from outside any lock: unreferenced, and not uploaded, used or
     * referenced since the grace period began, nor since the counts were last complete.
     */
    private List<String> candidates(Instant settled) {
        // The derivatives of photos as they are now are kept without asking: they would fill every sweep's list.
        String currentDerivative = !references.photoLibraryExists() ? "" : """
                          AND NOT EXISTS (SELECT 1 FROM photos.derivatives d JOIN photos.photos p
                                          ON p.namespace_id = d.namespace_id AND p.file_id = d.file_id AND p.seq = d.seq
                                          WHERE d.chunk_id = c.id)
                """;
        return db.jdbc().sql("""
                        SELECT c.id FROM ingest.chunks c
                        LEFT JOIN gc.chunk_store s ON s.chunk_id = c.id
                        WHERE c.state IN ('stored', 'uploading')
                          AND c.last_uploaded_at < now() - make_interval(secs => ?)
                          AND (c.recheck_after IS NULL OR c.recheck_after <= now())
                          AND coalesce(s.ref_count, 0) <= 0
                          AND (s.last_referenced_at IS NULL OR s.last_referenced_at < now() - make_interval(secs => ?))
                          AND NOT EXISTS (SELECT 1 FROM ingest.account_chunks a WHERE a.chunk_id = c.id
                                          AND (a.last_used_at >= now() - make_interval(secs => ?) OR a.last_used_at >= ?))
                        """ + currentDerivative + """
                        ORDER BY c.last_uploaded_at
                        LIMIT ?""")
                .params(graceSeconds(), graceSeconds(), graceSeconds(), Timestamp.from(settled),
                        settings.candidatesPerSweep())
                .query(String.class).list();
    }

    private sealed interface Mark {
        record Marked(long size, String formerState) implements Mark {
        }

        record Kept(KeepReason reason) implements Mark {
        }

        /** The count says zero, but a retained version holds the chunk: a bug upstream, never a deletion. */
        record HeldByRetainedVersion() implements Mark {
        }

        /** Locked by a commit or upload, or already gone or marked: in use or not ours to decide now. */
        record Skipped() implements Mark {
        }

        /** A store the decision reads went back or vanished since the sweep began: the sweep stops. */
        record StoreLost(String why) implements Mark {
        }
    }

    /** Step 1: decides under the row lock and marks the row {@code deleting}, or leaves it as it was. */
    private Mark mark(String id, Instant settled, StoreGuard.Snapshot stores) {
        return db.transactions().execute(tx -> {
            // Before any fact is read: the stores' positions, locked until the end, must not have gone back.
            Optional<String> lost = guard.lostSince(stores);
            if (lost.isPresent()) {
                return new Mark.StoreLost(lost.get());
            }
            var row = db.jdbc().sql("""
                            SELECT state, coalesce(size, 0) AS size, last_uploaded_at FROM ingest.chunks
                            WHERE id = ? AND state IN ('stored', 'uploading') FOR UPDATE SKIP LOCKED""")
                    .param(id)
                    .query((rs, i) -> new Object[] {rs.getString("state"), rs.getLong("size"),
                            rs.getTimestamp("last_uploaded_at").toInstant()})
                    .optional();
            if (row.isEmpty()) {
                return new Mark.Skipped();
            }
            String state = (String) row.get()[0];
            long size = (Long) row.get()[1];
            Instant lastUploadedAt = (Instant) row.get()[2];
            // Read after the lock, in later statements: under READ COMMITTED they see every commit that finished before it.
            var facts = db.jdbc().sql("""
                            SELECT coalesce(s.ref_count, 0) AS ref_count, s.last_referenced_at,
                                   (SELECT max(a.last_used_at) FROM ingest.account_chunks a WHERE a.chunk_id = ?) AS last_used_at,
                                   now() AS now
                            FROM (SELECT 1) AS one LEFT JOIN gc.chunk_store s ON s.chunk_id = ?""")
                    .params(id, id)
                    .query((rs, i) -> new Object[] {rs.getLong("ref_count"), instant(rs.getTimestamp("last_referenced_at")),
                            instant(rs.getTimestamp("last_used_at")), rs.getTimestamp("now").toInstant()})
                    .single();
            ChunkFacts chunk = new ChunkFacts(io.cumulus.sync.manifest.ChunkId.of(id), (Long) facts[0],
                    Optional.ofNullable((Instant) facts[1]), lastUploadedAt, Optional.ofNullable((Instant) facts[2]), false);
            Instant now = (Instant) facts[3];
            GcDecision decision = GcDecision.decide(chunk, now, settings.grace());
            if (decision instanceof GcDecision.Keep keep) {
                if (keep.reason().isAnomaly()) {
                    anomalies.increment();
                    log.error("chunk kept, its reference count is wrong chunkId={} refCount={} reason={}", id,
                            chunk.refCount(), keep.reason());
                }
                return new Mark.Kept(keep.reason());
            }
            if (chunk.lastUsedAt().filter(used -> !used.isBefore(settled)).isPresent()) {
                // Used by a batch whose references may not be counted yet.
                return new Mark.Kept(KeepReason.RECENTLY_USED);
            }
            List<RetainedReferences.FileRef> holders = references.filesHolding(id, now);
            if (!holders.isEmpty()) {
                anomalies.increment();
                log.error("chunk kept, its count is zero but retained versions hold it chunkId={} files={}", id,
                        holders.size() > 5 ? holders.subList(0, 5) + "…" : holders);
                return new Mark.HeldByRetainedVersion();
            }
            RetainedReferences.DerivedHold derived = references.versionsDerivedAs(id, now);
            if (derived.holds()) {
                // Not a candidate again before one of those versions may expire: such chunks have no count.
                db.jdbc().sql("UPDATE ingest.chunks SET recheck_after = ? WHERE id = ?")
                        .params(Timestamp.from(derived.recheckAt()), id).update();
                return new Mark.Kept(KeepReason.DERIVATIVE_OF_RETAINED_VERSION);
            }
            db.jdbc().sql("UPDATE ingest.chunks SET state = 'deleting', deleting_since = now() WHERE id = ?")
                    .param(id).update();
            return new Mark.Marked(size, state);
        });
    }

    /**
     * Steps 2 and 3 for a row marked {@code deleting}, under that row's lock from before the object is
     * deleted until the row is gone: a list of marked rows read a moment ago may be stale (another
     * collector finished the deletion, and the chunk was uploaded and committed anew since), and only the
     * marked row itself, locked, says the bytes may go. Returns false when there was no such row to
     * finish (gone, no longer marked, or another collector holds it).
     */
    private boolean deleteObjectAndForget(String id) {
        boolean finished = Boolean.TRUE.equals(db.transactions().execute(tx -> {
            // This transaction forgets the chunk's gc.chunk_store row: under the gc switch lock, first.
            GcSwitchLock.takeShared(db);
            boolean marked = db.jdbc().sql("""
                            SELECT id FROM ingest.chunks WHERE id = ? AND state = 'deleting' FOR UPDATE SKIP LOCKED""")
                    .param(id).query(String.class).optional().isPresent();
            if (!marked) {
                return false;
            }
            blobs.delete(new ChunkId(id));
            // A stop here leaves the row marked (this transaction never commits): the next sweep deletes again.
            steps.after(Step.OBJECT_DELETED, id);
            db.jdbc().sql("DELETE FROM ingest.account_chunks WHERE chunk_id = ?").param(id).update();
            db.jdbc().sql("DELETE FROM ingest.chunks WHERE id = ? AND state = 'deleting'").param(id).update();
            db.jdbc().sql("DELETE FROM gc.chunk_store WHERE chunk_id = ? AND ref_count = 0").param(id).update();
            return true;
        }));
        if (finished) {
            steps.after(Step.FORGOTTEN, id);
        }
        return finished;
    }

    private void refreshGauges() {
        try {
            db.jdbc().sql("""
                            SELECT c.state, count(*) AS chunks, coalesce(sum(c.size), 0) AS bytes FROM ingest.chunks c
                            GROUP BY c.state""")
                    .query(rs -> {
                        gauges.get("chunks/" + rs.getString("state")).set(rs.getLong("chunks"));
                        gauges.get("bytes/" + rs.getString("state")).set(rs.getLong("bytes"));
                    });
            db.jdbc().sql("""
                            SELECT (coalesce(s.ref_count, 0) > 0) AS referenced, count(*) AS chunks,
                                   coalesce(sum(c.size), 0) AS bytes
                            FROM ingest.chunks c LEFT JOIN gc.chunk_store s ON s.chunk_id = c.id
                            WHERE c.state = 'stored' GROUP BY 1""")
                    .query(rs -> {
                        String what = rs.getBoolean("referenced") ? "referenced" : "unreferenced";
                        gauges.get("chunks/" + what).set(rs.getLong("chunks"));
                        gauges.get("bytes/" + what).set(rs.getLong("bytes"));
                    });
        } catch (RuntimeException e) {
            log.debug("chunk gauges not refreshed error={}", e.toString());
        }
    }

    private double graceSeconds() {
        return settings.grace().toMillis() / 1000.0;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
