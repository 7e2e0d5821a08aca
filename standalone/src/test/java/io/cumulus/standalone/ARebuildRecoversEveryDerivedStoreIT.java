package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.schemas.Topics;
import io.cumulus.standalone.CumulusClient.Device;
import io.cumulus.standalone.CumulusClient.Response;
import tools.jackson.databind.JsonNode;

/**
 * Every derived PostgreSQL store of a running server lost at once (the read model, the chunk
 * reference counts, the photo library and albums), and each rebuilt from the topics with
 * {@code cumulus admin rebuild}, one projection after the other: once rebuilt, every table holds
 * exactly what it held before the loss, and the API answers every read as it did. The reconciler's
 * state stores, which cannot be emptied under a running reconciler, are rebuilt too, beside the live
 * ones, and equal them. (The sync state on Cassandra has its own test, {@code SyncStateRebuildIT}.)
 */
class ARebuildRecoversEveryDerivedStoreIT {
    private static StandaloneServer server;
    private static CumulusClient client;
    private static DerivedTables tables;
    private static StoreChangelogs changelogs;

    @BeforeAll
    static void start() {
        server = CollectingCumulus.get();
        client = new CumulusClient(server.baseUrl());
        tables = new DerivedTables(server.postgres().dataSource());
        changelogs = new StoreChangelogs(server.bootstrapServers());
    }

    @Test
    void everyStoreRebuiltFromTheTopicsEqualsTheStoreThatWasLost() throws Exception {
        // given a server that went through a small day of two accounts, and has settled
        SmallWorkload.Result day = new SmallWorkload(client, CollectingCumulus.adminToken())
                .run(ARebuildRecoversEveryDerivedStoreIT::notCatalogued);
        Settled before = Settled.await(tables, changelogs);
        System.out.println("[rebuild-it] before: " + before);
        Map<String, String> answersBefore = day.apiAnswers(client);
        Map<String, String> chunksBefore = new ChunkTables(server).states();
        assertThat(before.tables().rows("readmodel.feed")).isGreaterThan(15);
        assertThat(before.tables().rows("gc.chunk_store")).isGreaterThan(10);
        assertThat(before.tables().rows("photos.photos")).isGreaterThanOrEqualTo(2);
        assertThat(before.tables().rows("photos.album_photos")).isGreaterThanOrEqualTo(1);
        assertThat(before.stores()).containsKeys("file-states", "file-history", "path-index", "namespace-seq");

        // when every derived PostgreSQL store loses its rows at once, while the collector runs (it deletes
        // nothing on the word of a store whose positions went back or vanished)
        tables.truncate("gc", "readmodel", "photos");
        assertThat(client.get(day.anns(), "/v1/namespaces/" + day.anns().namespace() + "/files").json().get("files"))
                .as("the loss shows").isEmpty();

        // and each projection is rebuilt by the admin rebuild command
        for (String projection : List.of("readmodel", "photos", "chunk-refs", "reconciler")) {
            assertThat(AdminRebuilds.onTheCommandLine(server, projection))
                    .containsPattern(projection + " switched to generation \\d+");
        }

        // then every table and every store holds what it held before the loss (but the photo worker's
        // positions in the file events: its own bookkeeping, in no topic the rebuild reads, lost with the
        // store; the worker goes on from where it is and writes them again with its next event)
        Settled after = Settled.await(tables, changelogs);
        DerivedTables.Snapshot expected = withoutPhotoWorkerPositions(before.tables());
        DerivedTables.Snapshot rebuilt = withoutPhotoWorkerPositions(after.tables());
        assertThat(rebuilt.digests()).as(() -> expected.differences(rebuilt)).isEqualTo(expected.digests());
        assertThat(after.stores()).isEqualTo(before.stores());
        // and the API answers every read as before
        assertThat(day.apiAnswers(client)).isEqualTo(answersBefore);
        // and no chunk was collected meanwhile, the thumbnails and previews of the photos included
        assertThat(new ChunkTables(server).states()).isEqualTo(chunksBefore);
        for (String derivative : List.of("beach/thumbnail", "beach/preview", "scan/thumbnail", "scan/preview")) {
            assertThat(client.get(day.anns(), "/v1/photos/" + derivative).status()).as(derivative).isEqualTo(200);
        }

        // and the rebuilt stores are the live ones: a photo synced now is numbered on from the rebuilt
        // reconciler's sequence, listed, counted and derived into the library
        Device phone = day.anns();
        String ns = "/v1/namespaces/" + phone.namespace();
        long head = client.get(phone, ns + "/changes?after=0").json().get("lastSeq").asLong();
        byte[] photo = ThePhotoLibraryFollowsTheFilesIT.image(320, 240, "png");
        String chunk = client.upload(phone, photo);
        Response accepted = SmallWorkload.submit(client, phone, "after-the-rebuild", CumulusClient.oneFileBatch(
                phone.namespace(), "after", "photos/after.png", Map.of(phone.id(), 1), chunk, photo.length),
                Map.of(chunk, photo));
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        JsonNode outcome = EditFlowsThroughThePipelineIT.awaitDone(client, phone, accepted.json().get("batchId").asString())
                .get("changes").get(0);
        assertThat(outcome.get("kind").asString()).isEqualTo("APPLIED");
        assertThat(outcome.get("seq").asLong()).isEqualTo(head + 1);
        assertThat(client.get(phone, ns + "/files").json().get("files").toString()).contains("\"after\"");
        await("the new photo is derived").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> "ready".equals(client.get(phone, "/v1/photos/after").json().path("state").asString()));
        await("the new chunk is counted").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> tables.capture(List.of("gc")).tables().get("gc.chunk_store").rows().stream()
                        .anyMatch(row -> row.startsWith("\"" + chunk + "\", \"1\"")));
    }

    private static DerivedTables.Snapshot withoutPhotoWorkerPositions(DerivedTables.Snapshot tables) {
        return tables.without("photos.consumer_positions", row -> row.startsWith("\"" + Topics.FILE_EVENTS + "\","));
    }

    private static boolean notCatalogued(String chunkId) {
        try (Connection c = server.postgres().dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT 1 FROM ingest.chunks WHERE id = ?")) {
            s.setString(1, chunkId);
            try (ResultSet rs = s.executeQuery()) {
                return !rs.next();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
