package io.cumulus.ingest.gc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;

import org.springframework.jdbc.core.RowCallbackHandler;

import io.cumulus.ingest.IngestDatabase;
import io.cumulus.sync.history.RetentionPolicy;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Which files still hold a chunk, worked out from the file state itself rather than from the
 * reference counts: a file holds one reference to each distinct chunk of the versions it still keeps
 * (its current version, the history the retention policy keeps, and its trash entry once deleted), as
 * the reconciler counts them. The versions are a file's rows of {@code readmodel.feed}.
 *
 * <p>The chunk collector asks it about one chunk before marking it for deletion ({@link #filesHolding});
 * fsck asks it about every chunk ({@link #expectedCounts}). Retention is judged at {@code now}: the
 * reconciler releases an expired version only when its partition next reconciles a batch, so a count
 * may stay above what this says for a while, never below.
 */
public final class RetainedReferences {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One version of a file, as the feed holds it. */
    record Version(String op, List<String> chunkIds, List<Long> sizes, Instant at) {
    }

    /** A file that holds a chunk. */
    public record FileRef(UUID namespaceId, String fileId) {
    }

    private final IngestDatabase db;
    private final RetentionPolicy retention;

    public RetainedReferences(IngestDatabase db, RetentionPolicy retention) {
        this.db = Objects.requireNonNull(db, "db");
        this.retention = Objects.requireNonNull(retention, "retention");
    }

    /** The files whose retained versions reference {@code chunkId}: the count the chunk should have. */
    public List<FileRef> filesHolding(String chunkId, Instant now) {
        String probe = "[{\"id\":\"" + chunkId + "\"}]";
        List<FileRef> holding = new ArrayList<>();
        FileByFile files = new FileByFile((file, history) -> {
            if (retainedChunks(history, now).contains(chunkId)) {
                holding.add(file);
            }
        });
        // The whole history of every file any version of which names the chunk, in one statement.
        db.jdbc().sql("""
                        SELECT namespace_id, file_id, op, chunks::text, at FROM readmodel.feed
                        WHERE (namespace_id, file_id) IN (SELECT namespace_id, file_id FROM readmodel.feed WHERE chunks @> ?::jsonb)
                        ORDER BY namespace_id, file_id, seq""")
                .param(probe)
                .query(files);
        files.end();
        return holding;
    }

    /**
     * Why {@code chunkId} is kept as a photo's derivative (thumbnail, preview): the files whose retained
     * versions it was made from, and when to look again (the earliest moment one of those files' versions
     * may expire, at most a day ahead; an hour ahead for a version the feed does not show yet).
     */
    public record DerivedHold(List<FileRef> files, Instant recheckAt) {
        public boolean holds() {
            return !files.isEmpty();
        }
    }

    /**
     * The versions whose derivatives are {@code chunkId} and that are still retained at {@code now}: a
     * derivative is kept exactly as long as the version it was made from. A version the feed does not
     * show yet counts as retained. None when the photo library's schema does not exist (no photo worker
     * has run).
     */
    public DerivedHold versionsDerivedAs(String chunkId, Instant now) {
        Instant recheck = now.plus(Duration.ofDays(1));
        if (!photoLibraryExists()) {
            return new DerivedHold(List.of(), recheck);
        }
        List<FileRef> holding = new ArrayList<>();
        List<Object[]> derived = db.jdbc().sql("""
                        SELECT DISTINCT namespace_id, file_id, seq FROM photos.derivatives WHERE chunk_id = ?""")
                .param(chunkId)
                .query((rs, i) -> new Object[] {rs.getObject("namespace_id", UUID.class), rs.getString("file_id"),
                        rs.getLong("seq")})
                .list();
        for (Object[] d : derived) {
            FileRef file = new FileRef((UUID) d[0], (String) d[1]);
            List<Long> seqs = new ArrayList<>();
            List<Version> history = new ArrayList<>();
            db.jdbc().sql("""
                            SELECT seq, op, chunks::text, at FROM readmodel.feed
                            WHERE namespace_id = ? AND file_id = ? ORDER BY seq""")
                    .params(file.namespaceId(), file.fileId())
                    .query((RowCallbackHandler) rs -> {
                        seqs.add(rs.getLong("seq"));
                        history.add(version(rs));
                    });
            int at = seqs.indexOf((Long) d[2]);
            if (at < 0) {
                holding.add(file);
                recheck = min(recheck, now.plus(Duration.ofHours(1)));
            } else if (retained(history, now).contains(at)) {
                holding.add(file);
                Optional<Instant> expiry = retention.nextExpiry(entries(history), now);
                if (expiry.isPresent()) {
                    recheck = min(recheck, expiry.get());
                }
            }
        }
        return new DerivedHold(List.copyOf(holding), recheck);
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /** Whether the photo worker's derivatives table exists in this database. */
    public boolean photoLibraryExists() {
        return Boolean.TRUE.equals(db.jdbc().sql("SELECT to_regclass('photos.derivatives') IS NOT NULL")
                .query(Boolean.class).single());
    }

    /**
     * How many files hold each chunk that any file holds, from every file's history, read in one pass
     * over the feed in file order (one file's versions in memory at a time).
     */
    public Map<String, Long> expectedCounts(Instant now, LongConsumer progress) {
        Map<String, Long> counts = new HashMap<>();
        long[] filesRead = {0};
        FileByFile files = new FileByFile((file, history) -> {
            retainedChunks(history, now).forEach(id -> counts.merge(id, 1L, Long::sum));
            progress.accept(++filesRead[0]);
        });
        db.transactions().executeWithoutResult(tx -> db.jdbc().sql("""
                        SELECT namespace_id, file_id, op, chunks::text, at FROM readmodel.feed
                        ORDER BY namespace_id, file_id, seq""")
                .withFetchSize(1000)
                .query(files));
        files.end();
        return counts;
    }

    /**
     * The distinct chunks (id to size) the retained versions of every file of these namespaces
     * reference at {@code now}: what the namespaces keep stored (the storage quota's usage). One pass
     * over their feed in file order, one file's versions in memory at a time.
     */
    public Map<String, Long> retainedIn(Collection<UUID> namespaceIds, Instant now) {
        Map<String, Long> chunks = new HashMap<>();
        if (namespaceIds.isEmpty()) {
            return chunks;
        }
        FileByFile files = new FileByFile((file, history) -> retained(history, now).forEach(i -> {
            Version v = history.get(i);
            for (int k = 0; k < v.chunkIds().size(); k++) {
                chunks.put(v.chunkIds().get(k), v.sizes().get(k));
            }
        }));
        db.transactions().executeWithoutResult(tx -> db.jdbc().sql("""
                        SELECT namespace_id, file_id, op, chunks::text, at FROM readmodel.feed
                        WHERE namespace_id = ANY(?)
                        ORDER BY namespace_id, file_id, seq""")
                .param(namespaceIds.toArray(UUID[]::new))
                .withFetchSize(1000)
                .query(files));
        files.end();
        return chunks;
    }

    /** Gathers the rows of one file at a time (they come ordered by file) and hands each file's history on. */
    private static final class FileByFile implements RowCallbackHandler {
        private final BiConsumer<FileRef, List<Version>> onFile;
        private final List<Version> history = new ArrayList<>();
        private UUID namespaceId;
        private String fileId;

        FileByFile(BiConsumer<FileRef, List<Version>> onFile) {
            this.onFile = onFile;
        }

        @Override
        public void processRow(ResultSet rs) throws SQLException {
            UUID ns = rs.getObject("namespace_id", UUID.class);
            String file = rs.getString("file_id");
            if (!ns.equals(namespaceId) || !file.equals(fileId)) {
                end();
                namespaceId = ns;
                fileId = file;
            }
            history.add(version(rs));
        }

        void end() {
            if (!history.isEmpty()) {
                onFile.accept(new FileRef(namespaceId, fileId), List.copyOf(history));
                history.clear();
            }
        }
    }

    /** The distinct chunks of the versions of one file's history (oldest first) that are retained at {@code now}. */
    Set<String> retainedChunks(List<Version> history, Instant now) {
        Set<String> chunks = new LinkedHashSet<>();
        retained(history, now).forEach(i -> chunks.addAll(history.get(i).chunkIds()));
        return chunks;
    }

    private static List<RetentionPolicy.Entry> entries(List<Version> history) {
        return history.stream().map(v -> new RetentionPolicy.Entry(v.at(), v.op().equals("DELETE"))).toList();
    }

    /** The positions in one file's history (oldest first) of the versions retained at {@code now}. */
    private Set<Integer> retained(List<Version> history, Instant now) {
        Set<Integer> gone = Set.copyOf(retention.expired(entries(history), now));
        Set<Integer> kept = new LinkedHashSet<>();
        for (int i = 0; i < history.size(); i++) {
            if (!gone.contains(i)) {
                kept.add(i);
            }
        }
        return kept;
    }

    private static Version version(ResultSet rs) throws SQLException {
        List<String> ids = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        JsonNode chunks = JSON.readTree(rs.getString("chunks"));
        chunks.forEach(c -> {
            ids.add(c.get("id").asString());
            sizes.add(c.path("size").asLong(0));
        });
        Timestamp at = rs.getTimestamp("at");
        return new Version(rs.getString("op"), ids, sizes, at.toInstant());
    }
}
