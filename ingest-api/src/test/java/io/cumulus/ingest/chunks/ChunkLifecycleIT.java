package io.cumulus.ingest.chunks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Device;
import io.cumulus.ingest.ApiClient.Response;
import io.cumulus.ingest.IngestDatabase;
import io.cumulus.ingest.RunningIngestApi;
import io.cumulus.sync.hash.Sha256;

/**
 * The chunk states the garbage collector relies on: an upload writes its row before its bytes and
 * makes it {@code stored} after; a chunk marked {@code deleting} (as the collector marks it) can be
 * neither uploaded again, nor read, nor committed; and a commit's lock on a chunk holds the
 * collector's mark off until the commit has ended.
 */
class ChunkLifecycleIT {
    private static RunningIngestApi api;
    private static ApiClient client;

    @BeforeAll
    static void start() {
        api = RunningIngestApi.start();
        client = api.client();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String stateOf(String chunkId) {
        return api.context().getBean(ChunkCatalog.class).stateOf(new ChunkId(chunkId)).orElse("no row");
    }

    /** What the collector does when it decides to delete a chunk: lock the row, then mark it. */
    private static void markDeleting(Connection c, String chunkId) throws SQLException {
        try (var lock = c.prepareStatement("SELECT id FROM ingest.chunks WHERE id = ? FOR UPDATE");
             var mark = c.prepareStatement(
                     "UPDATE ingest.chunks SET state = 'deleting', deleting_since = now() WHERE id = ?")) {
            lock.setString(1, chunkId);
            lock.executeQuery().close();
            mark.setString(1, chunkId);
            mark.executeUpdate();
        }
    }

    @Test
    void anUploadedChunkIsStoredAndARefusedUploadLeavesNoRow() {
        // given a device
        Device laptop = client.newAccountWithDevice("lifecycle-" + UUID.randomUUID().toString().substring(0, 8), "Laptop");

        // when it uploads a chunk, and then bytes that do not match the id they are sent under
        String stored = client.upload(laptop, bytes("stored in the end"));
        String claimed = Sha256.hex(bytes("what the id promises"));
        Response refused = client.put(laptop, claimed, bytes("something else"));

        // then the first is stored, and the refused upload left nothing behind
        assertThat(stateOf(stored)).isEqualTo("stored");
        assertThat(refused.problem()).as(refused.toString()).isEqualTo("hash-mismatch");
        assertThat(stateOf(claimed)).isEqualTo("no row");
    }

    @Test
    void aChunkBeingCollectedCannotBeUploadedAgainReadOrCommitted() throws Exception {
        // given a stored chunk the collector has marked for deletion
        Device laptop = client.newAccountWithDevice("collected-" + UUID.randomUUID().toString().substring(0, 8), "Laptop");
        byte[] content = bytes("about to be collected");
        String id = client.upload(laptop, content);
        try (Connection c = api.postgres().dataSource().getConnection()) {
            markDeleting(c, id);
        }

        // when the device uploads it again, reads it, asks whether it is missing, and commits a file using it
        Response again = client.put(laptop, id, content);
        Response read = client.get(laptop, "/v1/chunks/" + id);
        Response missing = client.send("POST", "/v1/chunks/missing", laptop.token(), Map.of("chunkIds", List.of(id)), Map.of());
        Response commit = client.submit(laptop, "collected-" + id.substring(0, 8), ApiClient.oneFileBatch(laptop.namespace(),
                "f-" + id.substring(0, 8), "collected.txt", Map.of(laptop.id(), 1), id, content.length));

        // then the upload is told to come back (nothing changed), the chunk is not served, it is missing,
        // and the commit is refused as referencing a missing chunk
        assertThat(again.status()).as(again.toString()).isEqualTo(503);
        assertThat(again.problem()).isEqualTo("chunk-being-collected");
        assertThat(again.header("Retry-After")).isPresent();
        assertThat(stateOf(id)).isEqualTo("deleting");
        assertThat(read.status()).isEqualTo(404);
        assertThat(missing.json().get("missing").get(0).asString()).isEqualTo(id);
        assertThat(commit.status()).as(commit.toString()).isEqualTo(400);
        assertThat(commit.problem()).isEqualTo("chunk-missing");
    }

    @Test
    void aCommitsLockOnAChunkHoldsTheCollectorsMarkOffUntilTheCommitEnds() throws Exception {
        // given a stored chunk
        Device laptop = client.newAccountWithDevice("locked-" + UUID.randomUUID().toString().substring(0, 8), "Laptop");
        String id = client.upload(laptop, bytes("referenced by a commit in progress"));
        ChunkCatalog catalog = api.context().getBean(ChunkCatalog.class);
        IngestDatabase db = api.context().getBean(IngestDatabase.class);

        // when a commit has locked it and not yet ended, the collector tries to mark it
        db.transactions().executeWithoutResult(tx -> {
            assertThat(catalog.lockVisible(UUID.fromString(laptop.accountId()), List.of(id))).containsKey(id);
            try (Connection collector = api.postgres().dataSource().getConnection();
                 Statement s = collector.createStatement()) {
                s.execute("SET lock_timeout = '300ms'");
                // then the mark cannot be taken while the commit runs
                assertThatThrownBy(() -> markDeleting(collector, id)).isInstanceOf(SQLException.class)
                        .hasMessageContaining("lock timeout");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });

        // and the chunk is still stored once the commit has ended
        assertThat(stateOf(id)).isEqualTo("stored");
    }

    @Test
    void anUploadWhoseBytesAreGoneByTheTimeItIsRecordedIsToldToComeBack() {
        // given an upload under way whose row is there but whose bytes are not (another upload's row, written
        // after the collector deleted the bytes this one found stored and so did not write again)
        Device laptop = client.newAccountWithDevice("vanished-" + UUID.randomUUID().toString().substring(0, 8), "Laptop");
        ChunkCatalog catalog = api.context().getBean(ChunkCatalog.class);
        BlobStore blobs = api.context().getBean(BlobStore.class);
        ChunkId id = new ChunkId(Sha256.hex(bytes("bytes deleted under an upload")));
        catalog.beginUpload(id);

        // when the upload is recorded, then it is refused as being collected, and nothing is stored
        assertThatThrownBy(() -> catalog.recordUpload(UUID.fromString(laptop.accountId()), id, 29, blobs))
                .isInstanceOf(ChunkBeingCollectedException.class);
        assertThat(stateOf(id.hex())).isEqualTo("uploading");
        assertThat(api.count("SELECT count(*) FROM ingest.account_chunks WHERE chunk_id = ?", id.hex())).isZero();
    }

    @Test
    void aChunksLastUseNeverMovesBack() {
        // given a chunk an account used at some later time (as a commit whose transaction began later did)
        Device laptop = client.newAccountWithDevice("use-order-" + UUID.randomUUID().toString().substring(0, 8), "Laptop");
        String id = client.upload(laptop, bytes("used by two overlapping commits"));
        api.execute("UPDATE ingest.account_chunks SET last_used_at = now() + interval '1 hour' WHERE chunk_id = ?", id);
        long later = api.count("SELECT extract(epoch FROM last_used_at)::bigint FROM ingest.account_chunks WHERE chunk_id = ?", id);

        // when a commit dated earlier records its use, and the account uploads it again
        api.context().getBean(ChunkCatalog.class).recordReferences(UUID.fromString(laptop.namespace()), List.of(id));
        client.upload(laptop, bytes("used by two overlapping commits"));

        // then the last use stays the later one
        assertThat(api.count("SELECT extract(epoch FROM last_used_at)::bigint FROM ingest.account_chunks WHERE chunk_id = ?", id))
                .isEqualTo(later);
    }
}
