package io.cumulus.ingest.photos;

import static io.cumulus.ingest.photos.PhotoLibraryFixture.aPhoto;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Device;
import io.cumulus.ingest.ApiClient.Response;
import tools.jackson.databind.JsonNode;

/**
 * Albums against the real API, PostgreSQL, Kafka and album projection: the whole life of an album,
 * a retried creation, every refusal (which publishes nothing), another account's album, and the
 * {@code 202} answer while the projection is away.
 */
class AlbumApiIT {
    private static PhotoLibraryFixture fixture;
    private static ApiClient client;

    @BeforeAll
    static void start() {
        fixture = new PhotoLibraryFixture(Duration.ofSeconds(2));
        client = fixture.client;
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    /** A new account with photos a, b, c, d in its library. */
    private static Device aPersonWithPhotos() {
        Device person = client.newAccountWithDevice("albums-", "laptop");
        for (String id : List.of("a", "b", "c", "d")) {
            aPhoto(id, "2024-05-01T10:00:00Z").insertInto(fixture.api, person.namespace());
        }
        return person;
    }

    private static Response send(Device device, String method, String path, Object body) {
        return client.send(method, path, device.token(), body, Map.of());
    }

    private static String create(Device device, String name) {
        Response created = send(device, "POST", "/v1/albums", Map.of("name", name));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("albumId").asString();
    }

    private static List<String> photosOf(JsonNode album) {
        List<String> ids = new ArrayList<>();
        album.get("photos").forEach(p -> ids.add(p.get("fileId").asString()));
        return ids;
    }

    @Test
    void anAlbumIsCreatedFilledOrderedRenamedAndDeleted() {
        Device alice = aPersonWithPhotos();

        // created
        Response created = send(alice, "POST", "/v1/albums", Map.of("name", "Holiday"));
        assertThat(created.status()).isEqualTo(201);
        String album = created.json().get("albumId").asString();
        assertThat(created.header("Location")).contains("/v1/albums/" + album);
        assertThat(created.json().get("count").asInt()).isZero();

        // filled: at the end, then before a photo
        Response added = send(alice, "POST", "/v1/albums/" + album + "/photos", Map.of("fileIds", List.of("a", "b", "c")));
        assertThat(added.status()).as(added.toString()).isEqualTo(200);
        assertThat(photosOf(added.json())).containsExactly("a", "b", "c");
        Response before = send(alice, "POST", "/v1/albums/" + album + "/photos", Map.of("fileIds", List.of("d"), "before", "b"));
        assertThat(photosOf(before.json())).containsExactly("a", "d", "b", "c");

        // ordered
        Response ordered = send(alice, "PUT", "/v1/albums/" + album + "/order", Map.of("fileIds", List.of("c", "b", "d", "a")));
        assertThat(ordered.status()).isEqualTo(200);
        assertThat(photosOf(ordered.json())).containsExactly("c", "b", "d", "a");

        // a photo taken out, the album renamed
        Response removed = send(alice, "DELETE", "/v1/albums/" + album + "/photos", Map.of("fileIds", List.of("b")));
        assertThat(photosOf(removed.json())).containsExactly("c", "d", "a");
        Response renamed = send(alice, "PATCH", "/v1/albums/" + album, Map.of("name", "Holiday 2024"));
        assertThat(renamed.json().get("name").asString()).isEqualTo("Holiday 2024");

        // listed with its count and cover; a photo whose file is deleted no longer shows
        fixture.api.execute("DELETE FROM photos.photos WHERE file_id = 'c' AND namespace_id = ?::uuid", alice.namespace());
        JsonNode listed = client.get(alice, "/v1/albums").json().get("albums");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("name").asString()).isEqualTo("Holiday 2024");
        assertThat(listed.get(0).get("count").asInt()).isEqualTo(2);
        assertThat(listed.get(0).get("coverFileId").asString()).isEqualTo("d");
        assertThat(photosOf(client.get(alice, "/v1/albums/" + album).json())).containsExactly("d", "a");

        // deleted
        assertThat(send(alice, "DELETE", "/v1/albums/" + album, null).status()).isEqualTo(204);
        assertThat(client.get(alice, "/v1/albums/" + album).problem()).isEqualTo("album-not-found");
        assertThat(client.get(alice, "/v1/albums").json().get("albums")).isEmpty();
        assertThat(send(alice, "PATCH", "/v1/albums/" + album, Map.of("name", "Back")).status()).isEqualTo(404);
    }

    @Test
    void aRetriedCreationWithTheSameIdempotencyKeyMakesOneAlbum() {
        Device alice = aPersonWithPhotos();

        Response first = client.send("POST", "/v1/albums", alice.token(), Map.of("name", "Once"), Map.of("Idempotency-Key", "create-once"));
        Response retry = client.send("POST", "/v1/albums", alice.token(), Map.of("name", "Once"), Map.of("Idempotency-Key", "create-once"));
        Response other = client.send("POST", "/v1/albums", alice.token(), Map.of("name", "Once"), Map.of("Idempotency-Key", "create-twice"));

        assertThat(first.status()).isEqualTo(201);
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.json().get("albumId")).isEqualTo(first.json().get("albumId"));
        assertThat(other.json().get("albumId")).isNotEqualTo(first.json().get("albumId"));
        assertThat(client.get(alice, "/v1/albums").json().get("albums")).hasSize(2);
        assertThat(client.send("POST", "/v1/albums", alice.token(), Map.of("name", "x"), Map.of("Idempotency-Key", "k".repeat(201))).status())
                .isEqualTo(400);
    }

    @Test
    void refusedRequestsPublishNothing() {
        Device alice = aPersonWithPhotos();
        String album = create(alice, "Refusals");
        send(alice, "POST", "/v1/albums/" + album + "/photos", Map.of("fileIds", List.of("a", "b")));
        long published = fixture.publishedEvents();

        assertThat(send(alice, "POST", "/v1/albums", Map.of("name", "")).problem()).isEqualTo("invalid-album-name");
        assertThat(send(alice, "POST", "/v1/albums", Map.of("name", "   ")).problem()).isEqualTo("invalid-album-name");
        assertThat(send(alice, "POST", "/v1/albums", Map.of("name", "x".repeat(201))).problem()).isEqualTo("invalid-album-name");
        assertThat(send(alice, "POST", "/v1/albums", Map.of("name", "line\nbreak")).problem()).isEqualTo("invalid-album-name");
        assertThat(send(alice, "POST", "/v1/albums", Map.of("name", 7)).problem()).isEqualTo("invalid-album-name");
        assertThat(send(alice, "POST", "/v1/albums", "{not json").problem()).isEqualTo("malformed-json");
        assertThat(send(alice, "PATCH", "/v1/albums/" + album, Map.of("name", "\u0007")).status()).isEqualTo(400);
        assertThat(send(alice, "POST", "/v1/albums/" + album + "/photos", Map.of("fileIds", List.of())).problem())
                .isEqualTo("invalid-file-ids");
        assertThat(send(alice, "POST", "/v1/albums/" + album + "/photos", Map.of("fileIds", List.of("c", "c"))).problem())
                .isEqualTo("invalid-file-ids");
        assertThat(send(alice, "POST", "/v1/albums/" + album + "/photos", Map.of("fileIds", List.of("c", "nope"))).problem())
                .isEqualTo("photo-not-found");
        assertThat(send(alice, "POST", "/v1/albums/" + album + "/photos", Map.of("fileIds", List.of("c"), "before", "d")).problem())
                .isEqualTo("invalid-before");
        assertThat(send(alice, "DELETE", "/v1/albums/" + album + "/photos", Map.of("fileIds", List.of("c"))).problem())
                .isEqualTo("photo-not-found");
        assertThat(send(alice, "PUT", "/v1/albums/" + album + "/order", Map.of("fileIds", List.of("a"))).problem())
                .isEqualTo("order-mismatch");
        assertThat(send(alice, "PUT", "/v1/albums/" + album + "/order", Map.of("fileIds", List.of("a", "b", "c"))).problem())
                .isEqualTo("order-mismatch");
        assertThat(send(alice, "POST", "/v1/albums/not-a-uuid/photos", Map.of("fileIds", List.of("a"))).problem())
                .isEqualTo("album-not-found");
        assertThat(send(alice, "PUT", "/v1/photos/nope/favourite", null).problem()).isEqualTo("photo-not-found");

        assertThat(fixture.publishedEvents()).isEqualTo(published);
        assertThat(photosOf(client.get(alice, "/v1/albums/" + album).json())).containsExactly("a", "b");
    }

    @Test
    void anotherAccountsAlbumIsNotFoundAndItsPhotosCannotBeAdded() {
        Device alice = aPersonWithPhotos();
        Device bob = aPersonWithPhotos();
        aPhoto("alices-only", "2024-05-01T10:00:00Z").insertInto(fixture.api, alice.namespace());
        String alices = create(alice, "Alice's");
        String bobs = create(bob, "Bob's");
        long published = fixture.publishedEvents();

        assertThat(client.get(bob, "/v1/albums/" + alices).problem()).isEqualTo("album-not-found");
        assertThat(send(bob, "PATCH", "/v1/albums/" + alices, Map.of("name", "Mine")).status()).isEqualTo(404);
        assertThat(send(bob, "DELETE", "/v1/albums/" + alices, null).status()).isEqualTo(404);
        assertThat(send(bob, "POST", "/v1/albums/" + alices + "/photos", Map.of("fileIds", List.of("a"))).status()).isEqualTo(404);
        assertThat(send(bob, "POST", "/v1/albums/" + bobs + "/photos", Map.of("fileIds", List.of("alices-only"))).problem())
                .isEqualTo("photo-not-found");
        assertThat(client.get(bob, "/v1/albums").json().get("albums")).extracting(a -> a.get("name").asString())
                .containsExactly("Bob's");

        assertThat(fixture.publishedEvents()).isEqualTo(published);
        assertThat(client.get(alice, "/v1/albums/" + alices).json().get("name").asString()).isEqualTo("Alice's");
    }

    @Test
    void whileTheProjectionIsAwayAChangeIsAcceptedAndShowsOnceItIsBack() {
        Device alice = aPersonWithPhotos();
        fixture.stopProjector();
        try {
            Response accepted = send(alice, "POST", "/v1/albums", Map.of("name", "Later"));

            assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
            assertThat(accepted.contentType()).startsWith("application/json");
            assertThat(accepted.json().get("status").asString()).isEqualTo("accepted");
            String album = accepted.json().get("albumId").asString();
            assertThat(client.get(alice, "/v1/albums/" + album).status()).isEqualTo(404);

            fixture.startProjector();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(client.get(alice, "/v1/albums/" + album).status()).isEqualTo(200));
        } finally {
            fixture.startProjectorIfStopped();
        }
    }
}
