package io.cumulus.ingest.gc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import io.cumulus.ingest.chunks.ChunkId;
import io.cumulus.ingest.chunks.LocalDirBlobStore;
import io.cumulus.sync.hash.Sha256;

/**
 * A chunk store put into a chosen state by writing its tables and blob directory directly, as the
 * upload path, the projector and the reference counter would have left them (or as a bug would):
 * objects of any age, catalogue rows in any state, file versions in the feed, reference counts. One
 * account owns one home namespace, where every file lives.
 */
final class ChunkStoreFixture {
    private final DataSource dataSource;
    private final Path blobDir;
    private final LocalDirBlobStore blobs;
    final UUID account = UUID.randomUUID();
    final UUID namespace = UUID.randomUUID();
    private long seq;

    ChunkStoreFixture(DataSource dataSource, Path blobDir) {
        this.dataSource = dataSource;
        this.blobDir = blobDir;
        this.blobs = new LocalDirBlobStore(blobDir);
        execute("INSERT INTO ingest.accounts (id, username, password_hash, home_namespace) VALUES (?, ?, 'x', ?)",
                account, "fsck-" + account, namespace);
        execute("INSERT INTO ingest.namespaces (id, kind, name, owner_account) VALUES (?, 'home', 'home', ?)",
                namespace, account);
        execute("INSERT INTO ingest.namespace_members (namespace_id, account_id, role) VALUES (?, ?, 'owner')",
                namespace, account);
    }

    LocalDirBlobStore blobs() {
        return blobs;
    }

    /** Stores an object of {@code content} last written {@code age} ago, and answers its id. */
    String object(String content, Duration age) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        String id = Sha256.hex(bytes);
        blobs.put(new ChunkId(id), bytes);
        try {
            Files.setLastModifiedTime(pathOf(id), FileTime.from(Instant.now().minus(age)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return id;
    }

    /** The id of {@code content}, without storing anything. */
    static String idOf(String content) {
        return Sha256.hex(content.getBytes(StandardCharsets.UTF_8));
    }

    boolean hasObject(String id) {
        return Files.isRegularFile(pathOf(id));
    }

    private Path pathOf(String id) {
        return blobDir.resolve(id.substring(0, 2)).resolve(id.substring(2, 4)).resolve(id);
    }

    /** A catalogue row in {@code state}, uploaded {@code age} ago, that the account has used since then. */
    ChunkStoreFixture catalogued(String id, long size, String state, Duration age) {
        Timestamp at = Timestamp.from(Instant.now().minus(age));
        execute("""
                        INSERT INTO ingest.chunks (id, size, state, stored_at, last_uploaded_at, deleting_since)
                        VALUES (?, ?, ?, ?, ?, CASE WHEN ? = 'deleting' THEN now() END)""",
                id, size, state, at, at, state);
        if (state.equals("stored")) {
            execute("INSERT INTO ingest.account_chunks (account_id, chunk_id, last_used_at) VALUES (?, ?, ?)", account, id, at);
        }
        return this;
    }

    /** A version of a file holding {@code chunkIds}, written {@code age} ago (op UPSERT or DELETE). */
    ChunkStoreFixture version(String fileId, String op, Duration age, String... chunkIds) {
        seq++;
        String chunks = Arrays.stream(chunkIds).map(id -> "{\"id\": \"" + id + "\", \"size\": 10}")
                .collect(Collectors.joining(", ", "[", "]"));
        execute("""
                        INSERT INTO readmodel.feed (namespace_id, seq, file_id, path, op, vector, chunks, size, device_id,
                                                    batch_id, change_index, conflict_of, at)
                        VALUES (?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, 'device', ?, 0, NULL, ?)""",
                namespace, seq, fileId, fileId + ".txt", op, "{\"device\": " + seq + "}", chunks, 10L * chunkIds.length,
                "batch-" + seq, Timestamp.from(Instant.now().minus(age)));
        return this;
    }

    /** The counter's count of the chunk. */
    ChunkStoreFixture counted(String id, long count) {
        execute("""
                        INSERT INTO gc.chunk_store (chunk_id, ref_count, last_referenced_at) VALUES (?, ?, now())
                        ON CONFLICT (chunk_id) DO UPDATE SET ref_count = excluded.ref_count""", id, count);
        return this;
    }

    Optional<Long> countOf(String id) {
        return single("SELECT ref_count FROM gc.chunk_store WHERE chunk_id = ?", id).map(Long.class::cast);
    }

    Optional<String> stateOf(String id) {
        return single("SELECT state FROM ingest.chunks WHERE id = ?", id).map(String.class::cast);
    }

    Optional<Long> sizeOf(String id) {
        return single("SELECT size FROM ingest.chunks WHERE id = ?", id).map(Long.class::cast);
    }

    long accountRowsOf(String id) {
        return single("SELECT count(*) FROM ingest.account_chunks WHERE chunk_id = ?", id).map(Long.class::cast).orElse(0L);
    }

    void execute(String sql, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql, params)) {
            ps.execute();
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private Optional<Object> single(String sql, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql, params);
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.ofNullable(rs.getObject(1)) : Optional.empty();
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < params.length; i++) {
            ps.setObject(i + 1, params[i]);
        }
        return ps;
    }
}
