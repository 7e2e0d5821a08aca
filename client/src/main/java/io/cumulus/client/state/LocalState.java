package io.cumulus.client.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.cumulus.sync.manifest.ChunkRef;
import io.cumulus.sync.manifest.Manifest;
import io.cumulus.sync.vector.VersionVector;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * What this device knows about its synced folder, in SQLite inside the folder's state directory
 * ({@code .cumulus/state.db}): per file the version last synced (file id, version vector,
 * manifest) and the size, modification time and inode seen then, so an unchanged file is never
 * read again; the namespace's last seen sequence number; and a durable queue of submitted batches
 * with their idempotency keys, so a client that restarts resubmits the same keys.
 */
public final class LocalState implements AutoCloseable {
    public static final String STATE_DIR = ".cumulus";
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final Connection db;

    /** One file as last synced. */
    public record SyncedFile(String path, String fileId, VersionVector vector, Manifest manifest, long size, long mtimeNanos,
                             String inode, long seq) {
    }

    /** A batch submitted (or about to be) and not yet settled. */
    public record PendingBatch(long id, String idempotencyKey, String namespace, String body, Instant createdAt) {
    }

    private LocalState(Connection db) {
        this.db = db;
    }

    public static LocalState open(Path folder) {
        return openIn(folder.resolve(STATE_DIR), "state.db");
    }

    /**
     * The state of the share {@code shareId} mounted in the synced folder {@code folder}: kept beside
     * the folder's own ({@code .cumulus/shares/ID.db}), never inside the mount, which is the share's
     * files alone (decision 0030).
     */
    public static LocalState openShare(Path folder, String shareId) {
        java.util.UUID id = java.util.UUID.fromString(shareId); // a name of our own making, never a path from the server
        return openIn(folder.resolve(STATE_DIR).resolve("shares"), id + ".db");
    }

    private static LocalState openIn(Path dir, String file) {
        try {
            Files.createDirectories(dir);
            Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(file));
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                // WAL with NORMAL survives a crash of the client; a power cut may lose the last few commits,
                // which only makes the next round redo work: a lost seq is pulled again (and skipped as
                // known), a lost file record is adopted again by content, a lost settle resends the same key.
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA busy_timeout=10000");
                s.execute("""
                        CREATE TABLE IF NOT EXISTS files(
                          path TEXT PRIMARY KEY,
                          file_id TEXT NOT NULL UNIQUE,
                          vector TEXT NOT NULL,
                          manifest TEXT NOT NULL,
                          size INTEGER NOT NULL,
                          mtime_ns INTEGER NOT NULL,
                          inode TEXT,
                          seq INTEGER NOT NULL)""");
                s.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS deferred(file_id TEXT PRIMARY KEY)");
                // Entries that cannot be materialised here (remote, by file id) or sent (local, by path), with why.
                s.execute("""
                        CREATE TABLE IF NOT EXISTS skipped(
                          side TEXT NOT NULL,
                          id TEXT NOT NULL,
                          path TEXT NOT NULL,
                          reason TEXT NOT NULL,
                          since TEXT NOT NULL,
                          PRIMARY KEY(side, id))""");
                // Originals whose concurrent edit from here waits in a conflicted copy the server is merging.
                s.execute("CREATE TABLE IF NOT EXISTS awaiting_merge(file_id TEXT PRIMARY KEY, copy_file_id TEXT NOT NULL)");
                // Files whose original was evicted (a placeholder stands for it; the record in files stays as synced),
                // and when open or fetch last handed a file out (see sync.evict.EvictionPlanner).
                s.execute("CREATE TABLE IF NOT EXISTS evicted(file_id TEXT PRIMARY KEY, since TEXT NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS used(file_id TEXT PRIMARY KEY, at TEXT NOT NULL)");
                s.execute("""
                        CREATE TABLE IF NOT EXISTS pending(
                          id INTEGER PRIMARY KEY AUTOINCREMENT,
                          idempotency_key TEXT NOT NULL UNIQUE,
                          namespace TEXT NOT NULL,
                          body TEXT NOT NULL,
                          created_at TEXT NOT NULL)""");
            }
            return new LocalState(db);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the state directory " + dir, e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the sync state in " + dir + ": " + e.getMessage(), e);
        }
    }

    public Map<String, SyncedFile> files() {
        Map<String, SyncedFile> files = new TreeMap<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT path, file_id, vector, manifest, size, mtime_ns, inode, seq FROM files");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                SyncedFile f = syncedFile(rs);
                files.put(f.path(), f);
            }
            return files;
        } catch (SQLException e) {
            throw failed("read the synced files", e);
        }
    }

    /** Whether any file is recorded as synced (without reading them all, as {@link #files()} does). */
    public boolean hasFiles() {
        try (PreparedStatement ps = db.prepareStatement("SELECT 1 FROM files LIMIT 1");
             ResultSet rs = ps.executeQuery()) {
            return rs.next();
        } catch (SQLException e) {
            throw failed("read the synced files", e);
        }
    }

    /** A row of {@code SELECT path, file_id, vector, manifest, size, mtime_ns, inode, seq FROM files}. */
    private static SyncedFile syncedFile(ResultSet rs) throws SQLException {
        return new SyncedFile(rs.getString(1), rs.getString(2), vectorOf(rs.getString(3)), manifestOf(rs.getString(4)),
                rs.getLong(5), rs.getLong(6), rs.getString(7), rs.getLong(8));
    }

    public Optional<SyncedFile> byFileId(String fileId) {
        return one("file_id", fileId);
    }

    public Optional<SyncedFile> byPath(String path) {
        return one("path", path);
    }

    private Optional<SyncedFile> one(String column, String value) {
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT path, file_id, vector, manifest, size, mtime_ns, inode, seq FROM files WHERE " + column + " = ?")) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(syncedFile(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed("read a synced file", e);
        }
    }

    /** The paths that contain {@code markerName}: the candidates for folder markers (see {@code FolderScanner.FOLDER_MARKER}). */
    public java.util.Set<String> markerPaths(String markerName) {
        java.util.Set<String> paths = new java.util.HashSet<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT path FROM files WHERE instr(path, ?) > 0")) {
            ps.setString(1, markerName);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    paths.add(rs.getString(1));
                }
            }
            return paths;
        } catch (SQLException e) {
            throw failed("read the folder markers", e);
        }
    }

    /** The folders kept on purpose by a folder marker (see {@code FolderScanner.FOLDER_MARKER}): never pruned when emptied. */
    public java.util.Set<String> markedFolders() {
        java.util.Set<String> folders = new java.util.HashSet<>();
        for (String path : markerPaths(io.cumulus.client.scan.FolderScanner.FOLDER_MARKER)) {
            if (io.cumulus.client.scan.FolderScanner.isFolderMarker(path)) {
                folders.add(io.cumulus.client.scan.FolderScanner.markedFolder(path));
            }
        }
        return folders;
    }

    public void put(SyncedFile f) {
        inTransaction(() -> {
            try (PreparedStatement del = db.prepareStatement("DELETE FROM files WHERE file_id = ? OR path = ?")) {
                del.setString(1, f.fileId());
                del.setString(2, f.path());
                del.executeUpdate();
            }
            try (PreparedStatement ps = db.prepareStatement(
                    "INSERT INTO files(path, file_id, vector, manifest, size, mtime_ns, inode, seq) VALUES (?,?,?,?,?,?,?,?)")) {
                ps.setString(1, f.path());
                ps.setString(2, f.fileId());
                ps.setString(3, json(f.vector()));
                ps.setString(4, json(f.manifest()));
                ps.setLong(5, f.size());
                ps.setLong(6, f.mtimeNanos());
                ps.setString(7, f.inode());
                ps.setLong(8, f.seq());
                ps.executeUpdate();
            }
        });
    }

    public void removeFileId(String fileId) {
        inTransaction(() -> {
            try (PreparedStatement ps = db.prepareStatement("DELETE FROM files WHERE file_id = ?")) {
                ps.setString(1, fileId);
                ps.executeUpdate();
            }
        });
    }

    /** Remembers a file whose remote version was passed over because of a local change, to apply it later; true when new. */
    public boolean defer(String fileId) {
        boolean[] added = {false};
        inTransaction(() -> {
            try (PreparedStatement ps = db.prepareStatement("INSERT OR IGNORE INTO deferred(file_id) VALUES (?)")) {
                ps.setString(1, fileId);
                added[0] = ps.executeUpdate() > 0;
            }
        });
        return added[0];
    }

    /** Forgets a passed-over file: its latest version is being applied. */
    public void undefer(String fileId) {
        update("DELETE FROM deferred WHERE file_id = ?", fileId);
    }

    /** The files whose remote versions were passed over, in id order. */
    public List<String> deferred() {
        List<String> ids = new java.util.ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT file_id FROM deferred ORDER BY file_id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
            return ids;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the sync state: " + e.getMessage(), e);
        }
    }

    private void update(String sql, String value) {
        inTransaction(() -> {
            try (PreparedStatement ps = db.prepareStatement(sql)) {
                ps.setString(1, value);
                ps.executeUpdate();
            }
        });
    }

    /** Something this device does not sync for now, and why: {@code side} is "remote" (by file id) or "local" (by path). */
    public record Skipped(String side, String id, String path, String reason, Instant since) {
    }

    /** Records a remote entry that cannot be written here; true when it is new or its reason changed. */
    public boolean skipRemote(String fileId, String path, String reason, Instant now) {
        Optional<Skipped> before = skipped().stream().filter(s -> s.side().equals("remote") && s.id().equals(fileId)).findFirst();
        if (before.isPresent() && before.get().reason().equals(reason) && before.get().path().equals(path)) {
            return false;
        }
        inTransaction(() -> {
            try (PreparedStatement ps = db.prepareStatement("INSERT INTO skipped(side, id, path, reason, since) VALUES ('remote',?,?,?,?) "
                    + "ON CONFLICT(side, id) DO UPDATE SET path = excluded.path, reason = excluded.reason")) {
                ps.setString(1, fileId);
                ps.setString(2, path);
                ps.setString(3, reason);
                ps.setString(4, now.toString());
                ps.executeUpdate();
            }
        });
        return true;
    }

    /** Forgets a skipped remote entry; true when there was one. */
    public boolean unskipRemote(String fileId) {
        boolean[] removed = {false};
        inTransaction(() -> {
            try (PreparedStatement ps = db.prepareStatement("DELETE FROM skipped WHERE side = 'remote' AND id = ?")) {
                ps.setString(1, fileId);
                removed[0] = ps.executeUpdate() > 0;
            }
        });
        return removed[0];
    }

    /** Replaces the local entries not sent (path to reason), keeping the time each was first seen. */
    public void skippedLocally(Map<String, String> reasons, Instant now) {
        Map<String, Instant> since = new java.util.HashMap<>();
        skipped().stream().filter(s -> s.side().equals("local")).forEach(s -> since.put(s.id(), s.since()));
        inTransaction(() -> {
            try (Statement s = db.createStatement()) {
                s.executeUpdate("DELETE FROM skipped WHERE side = 'local'");
            }
            try (PreparedStatement ps = db.prepareStatement("INSERT INTO skipped(side, id, path, reason, since) VALUES ('local',?,?,?,?)")) {
                for (Map.Entry<String, String> e : reasons.entrySet()) {
                    ps.setString(1, e.getKey());
                    ps.setString(2, e.getKey());
                    ps.setString(3, e.getValue());
                    ps.setString(4, since.getOrDefault(e.getKey(), now).toString());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    /** Everything skipped, remote entries first, each side by path. */
    public List<Skipped> skipped() {
        List<Skipped> all = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT side, id, path, reason, since FROM skipped ORDER BY side DESC, path");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                all.add(new Skipped(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), Instant.parse(rs.getString(5))));
            }
            return all;
        } catch (SQLException e) {
            throw failed("read the skipped entries", e);
        }
    }

    /** An evicted file: its record as synced, and since when a placeholder stands for it. */
    public record Evicted(SyncedFile file, Instant since) {
    }

    /** The evicted files whose record is still there, by path. */
    public Map<String, Evicted> evicted() {
        Map<String, Evicted> evicted = new TreeMap<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT f.path, f.file_id, f.vector, f.manifest, f.size, f.mtime_ns, f.inode, "
                + "f.seq, e.since FROM files f JOIN evicted e ON e.file_id = f.file_id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                SyncedFile f = syncedFile(rs);
                evicted.put(f.path(), new Evicted(f, Instant.parse(rs.getString(9))));
            }
            return evicted;
        } catch (SQLException e) {
            throw failed("read the evicted files", e);
        }
    }

    /** Notes that {@code fileId}'s original is evicted (its placeholder is written first). */
    public void evicted(String fileId, Instant since) {
        inTransaction(() -> {
            try (PreparedStatement ps = db.prepareStatement("INSERT INTO evicted(file_id, since) VALUES (?, ?) "
                    + "ON CONFLICT(file_id) DO UPDATE SET since = excluded.since")) {
                ps.setString(1, fileId);
                ps.setString(2, since.toString());
                ps.executeUpdate();
            }
        });
    }

    /** Forgets that {@code fileId} was evicted: its original is back, or the file is gone. */
    public void materialised(String fileId) {
        update("DELETE FROM evicted WHERE file_id = ?", fileId);
    }

    /** Forgets the evictions of files that have no record any more. */
    public void forgetEvictionsWithoutFile() {
        inTransaction(() -> {
            try (Statement s = db.createStatement()) {
                s.executeUpdate("DELETE FROM evicted WHERE file_id NOT IN (SELECT file_id FROM files)");
                s.executeUpdate("DELETE FROM used WHERE file_id NOT IN (SELECT file_id FROM files)");
            }
        });
    }

    /** Notes that open or fetch handed {@code fileId} out at {@code at}. */
    public void used(String fileId, Instant at) {
        inTransaction(() -> {
            try (PreparedStatement ps = db.prepareStatement(
                    "INSERT INTO used(file_id, at) VALUES (?, ?) ON CONFLICT(file_id) DO UPDATE SET at = excluded.at")) {
                ps.setString(1, fileId);
                ps.setString(2, at.toString());
                ps.executeUpdate();
            }
        });
    }

    /** When open or fetch last handed each file out, by file id. */
    public Map<String, Instant> lastUsed() {
        Map<String, Instant> used = new java.util.HashMap<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT file_id, at FROM used"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                used.put(rs.getString(1), Instant.parse(rs.getString(2)));
            }
            return used;
        } catch (SQLException e) {
            throw failed("read when files were used", e);
        }
    }

    /** Notes that {@code fileId}'s edit from here waits in the copy {@code copyFileId}, which the server is merging. */
    public void awaitMerge(String fileId, String copyFileId) {
        inTransaction(() -> {
            try (PreparedStatement ps = db.prepareStatement(
                    "INSERT INTO awaiting_merge(file_id, copy_file_id) VALUES (?, ?) ON CONFLICT(file_id) DO UPDATE SET copy_file_id = excluded.copy_file_id")) {
                ps.setString(1, fileId);
                ps.setString(2, copyFileId);
                ps.executeUpdate();
            }
        });
    }

    public void mergeSettled(String fileId) {
        update("DELETE FROM awaiting_merge WHERE file_id = ?", fileId);
    }

    /** Original file id to the copy being merged into it. */
    public Map<String, String> awaitingMerge() {
        Map<String, String> awaiting = new TreeMap<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT file_id, copy_file_id FROM awaiting_merge");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                awaiting.put(rs.getString(1), rs.getString(2));
            }
            return awaiting;
        } catch (SQLException e) {
            throw failed("read the merges awaited", e);
        }
    }

    public long lastSeq() {
        return meta("lastSeq").map(Long::parseLong).orElse(0L);
    }

    public void lastSeq(long seq) {
        meta("lastSeq", Long.toString(seq));
    }

    public Optional<Instant> lastSync() {
        return meta("lastSync").map(Instant::parse);
    }

    public void lastSync(Instant at) {
        meta("lastSync", at.toString());
    }

    /**
     * Since when the server has answered that it is busy (still processing earlier changes) to this
     * folder's submissions; empty once it took one again.
     */
    public Optional<Instant> serverBusySince() {
        return meta("serverBusySince").map(Instant::parse);
    }

    public void serverBusySince(Instant since) {
        meta("serverBusySince", since.toString());
    }

    public void serverNotBusy() {
        inTransaction(() -> {
            try (PreparedStatement ps = db.prepareStatement("DELETE FROM meta WHERE key = 'serverBusySince'")) {
                ps.executeUpdate();
            }
        });
    }

    public Optional<String> meta(String key) {
        try (PreparedStatement ps = db.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed("read " + key, e);
        }
    }

    public void forgetMeta(String key) {
        update("DELETE FROM meta WHERE key = ?", key);
    }

    public void meta(String key, String value) {
        inTransaction(() -> {
            try (PreparedStatement ps = db.prepareStatement(
                    "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")) {
                ps.setString(1, key);
                ps.setString(2, value);
                ps.executeUpdate();
            }
        });
    }

    /** Queues a batch before it is sent: from now on a restart sends it again under the same key. */
    public PendingBatch enqueue(String idempotencyKey, String namespace, String body, Instant now) {
        inTransaction(() -> {
            try (PreparedStatement ps = db.prepareStatement(
                    "INSERT INTO pending(idempotency_key, namespace, body, created_at) VALUES (?,?,?,?)")) {
                ps.setString(1, idempotencyKey);
                ps.setString(2, namespace);
                ps.setString(3, body);
                ps.setString(4, now.toString());
                ps.executeUpdate();
            }
        });
        return pending().stream().filter(p -> p.idempotencyKey().equals(idempotencyKey)).findFirst().orElseThrow();
    }

    public List<PendingBatch> pending() {
        List<PendingBatch> batches = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT id, idempotency_key, namespace, body, created_at FROM pending ORDER BY id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                batches.add(new PendingBatch(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        Instant.parse(rs.getString(5))));
            }
            return batches;
        } catch (SQLException e) {
            throw failed("read the pending batches", e);
        }
    }

    public void settle(PendingBatch batch) {
        inTransaction(() -> {
            try (PreparedStatement ps = db.prepareStatement("DELETE FROM pending WHERE id = ?")) {
                ps.setLong(1, batch.id());
                ps.executeUpdate();
            }
        });
    }

    @FunctionalInterface
    private interface SqlWork {
        void run() throws SQLException;
    }

    /**
     * Runs {@code work}, whose writes to this state commit together (one transaction instead of one
     * each): for recording many results at once. Nothing else that must survive apart from them
     * (a file moved on disk) may happen inside.
     */
    public synchronized void atomically(Runnable work) {
        inTransaction(work::run);
    }

    private synchronized void inTransaction(SqlWork work) {
        try {
            if (!db.getAutoCommit()) {
                work.run(); // inside atomically(): the outer transaction commits
                return;
            }
            db.setAutoCommit(false);
            try {
                work.run();
                db.commit();
            } catch (SQLException | RuntimeException e) {
                db.rollback();
                throw e;
            } finally {
                db.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failed("write the sync state", e);
        }
    }

    public static String json(VersionVector vector) {
        return JSON.writeValueAsString(vector.entries());
    }

    public static String json(Manifest manifest) {
        List<Map<String, Object>> chunks = new ArrayList<>();
        for (ChunkRef r : manifest.chunks()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("id", r.id().value());
            c.put("size", r.size());
            chunks.add(c);
        }
        return JSON.writeValueAsString(chunks);
    }

    public static VersionVector vectorOf(String json) {
        VersionVector fast = StoredJson.vector(json);
        if (fast != null) {
            return fast;
        }
        Map<String, Long> entries = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : JSON.readTree(json).properties()) {
            entries.put(e.getKey(), e.getValue().asLong());
        }
        return entries.isEmpty() ? VersionVector.empty() : VersionVector.of(entries);
    }

    public static Manifest manifestOf(String json) {
        Manifest fast = StoredJson.manifest(json);
        if (fast != null) {
            return fast;
        }
        List<ChunkRef> refs = new ArrayList<>();
        for (JsonNode c : JSON.readTree(json)) {
            refs.add(ChunkRef.of(c.get("id").asString(), c.get("size").asLong()));
        }
        return new Manifest(refs);
    }

    private static IllegalStateException failed(String what, SQLException e) {
        return new IllegalStateException("cannot " + what + " in the local sync state: " + e.getMessage(), e);
    }

    @Override
    public void close() {
        try {
            db.close();
        } catch (SQLException e) {
            // closing: nothing left to protect
        }
    }
}
