package io.cumulus.ingest.photos;

import static io.cumulus.ingest.photos.PhotoLibraryFixture.aPhoto;
import static org.assertj.core.api.Assertions.assertThat;

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
 * Shared albums against the real API, PostgreSQL, Kafka and album projection (docs/decisions/0032):
 * an owner shares an album to view or to contribute, members list and read it with every photo's
 * thumbnail, a contributor's photos stay in their library and leave with them, roles are enforced,
 * and an account the album is not shared with finds nothing, exactly as for an unknown album.
 */
class SharedAlbumsIT {
    private static PhotoLibraryFixture fixture;
    private static ApiClient client;

    @BeforeAll
    static void start() {
        fixture = new PhotoLibraryFixture(Duration.ofSeconds(5));
        client = fixture.client;
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    /** A new account with photos named prefix-1, prefix-2 in its library, each with a stored thumbnail and preview. */
    private static Device aPersonWithPhotos(String prefix) {
        Device person = client.newAccountWithDevice("shared-albums-", "laptop");
        for (String id : List.of(prefix + "-1", prefix + "-2")) {
            aPhoto(id, "2024-05-01T10:00:00Z").derivatives(fixture.storeJpeg(32, 32), fixture.storeJpeg(64, 64))
                    .insertInto(fixture.api, person.namespace());
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

    private static void share(Device owner, String album, Device member, String role) {
        Response shared = send(owner, "POST", "/v1/albums/" + album + "/members", Map.of("username", member.username(), "role", role));
        assertThat(shared.status()).as(shared.toString()).isEqualTo(201);
    }

    private static void add(Device device, String album, String... fileIds) {
        Response added = send(device, "POST", "/v1/albums/" + album + "/photos", Map.of("fileIds", List.of(fileIds)));
        assertThat(added.status()).as(added.toString()).isEqualTo(200);
    }

    /** The album's photos as fileId@owner. */
    private static List<String> photosOf(Device reader, String album) {
        Response shown = client.get(reader, "/v1/albums/" + album);
        assertThat(shown.status()).as(shown.toString()).isEqualTo(200);
        List<String> photos = new ArrayList<>();
        shown.json().get("photos").forEach(p -> photos.add(p.get("fileId").asString() + "@" + p.get("owner").asString()));
        return photos;
    }

    private static JsonNode listed(Device reader, String album) {
        for (JsonNode a : client.get(reader, "/v1/albums").json().get("albums")) {
            if (a.get("albumId").asString().equals(album)) {
                return a;
            }
        }
        return null;
    }

    @Test
    void membersListAndReadASharedAlbumWithItsOwnerAndTheirRole() {
        Device alice = aPersonWithPhotos("alice");
        Device bob = aPersonWithPhotos("bob");
        Device carol = aPersonWithPhotos("carol");
        String album = create(alice, "Family");
        add(alice, album, "alice-1");

        share(alice, album, bob, "view");
        share(alice, album, carol, "contribute");

        JsonNode bobsEntry = listed(bob, album);
        assertThat(bobsEntry).isNotNull();
        assertThat(bobsEntry.get("shared").asBoolean()).isTrue();
        assertThat(bobsEntry.get("owner").asString()).isEqualTo(alice.username());
        assertThat(bobsEntry.get("role").asString()).isEqualTo("view");
        assertThat(listed(carol, album).get("role").asString()).isEqualTo("contribute");
        JsonNode alicesEntry = listed(alice, album);
        assertThat(alicesEntry.get("role").asString()).isEqualTo("owner");
        assertThat(alicesEntry.get("shared").asBoolean()).isTrue();

        JsonNode shown = client.get(bob, "/v1/albums/" + album).json();
        assertThat(shown.get("name").asString()).isEqualTo("Family");
        assertThat(shown.get("members")).extracting(m -> m.get("username").asString() + ":" + m.get("role").asString())
                .containsExactly(bob.username() + ":view", carol.username() + ":contribute");
        assertThat(photosOf(bob, album)).containsExactly("alice-1@" + alice.username());
        // the owner's photo is served to a member through the album, not through the member's own library
        JsonNode photo = shown.get("photos").get(0);
        assertThat(photo.get("thumbnail").asString()).isEqualTo("/v1/albums/" + album + "/photos/" + alice.namespace() + "/alice-1/thumbnail");
        assertThat(photo.get("path").asString()).isEqualTo("alice-1.jpg");
        assertThat(client.get(bob, photo.get("thumbnail").asString()).status()).isEqualTo(200);
        assertThat(client.get(bob, "/v1/photos/alice-1/thumbnail").status()).isEqualTo(404);
    }

    @Test
    void aContributorsPhotoStaysTheirsAndIsServedToAViewMemberThroughTheAlbum() throws Exception {
        Device alice = aPersonWithPhotos("alice");
        Device bob = aPersonWithPhotos("bob");
        Device carol = aPersonWithPhotos("carol");
        String album = create(alice, "Trip");
        add(alice, album, "alice-1");
        share(alice, album, bob, "view");
        share(alice, album, carol, "contribute");

        add(carol, album, "carol-1");

        assertThat(photosOf(bob, album)).containsExactly("alice-1@" + alice.username(), "carol-1@" + carol.username());
        assertThat(photosOf(alice, album)).containsExactly("alice-1@" + alice.username(), "carol-1@" + carol.username());
        JsonNode carols = client.get(bob, "/v1/albums/" + album).json().get("photos").get(1);
        assertThat(carols.get("namespaceId").asString()).isEqualTo(carol.namespace());
        Response thumbnail = client.get(bob, carols.get("thumbnail").asString());
        assertThat(thumbnail.status()).as(thumbnail.toString()).isEqualTo(200);
        assertThat(thumbnail.contentType()).isEqualTo("image/jpeg");
        String chunk = fixture.api.context().getBean(io.cumulus.ingest.IngestDatabase.class).jdbc()
                .sql("SELECT thumbnail_id FROM photos.photos WHERE namespace_id = ?::uuid AND file_id = 'carol-1'")
                .param(carol.namespace()).query(String.class).single();
        assertThat(thumbnail.bytes()).isEqualTo(fixture.blob(chunk));
        assertThat(client.get(bob, carols.get("preview").asString()).status()).isEqualTo(200);
        // the photo was referenced, not copied: it is in carol's library only
        assertThat(fixture.api.count("SELECT count(*) FROM photos.photos WHERE file_id = 'carol-1'")).isEqualTo(1);

        // carol takes out her own photo; she cannot take out alice's, the owner can take out anyone's
        add(carol, album, "carol-2");
        assertThat(send(carol, "DELETE", "/v1/albums/" + album + "/photos",
                Map.of("fileIds", List.of(Map.of("namespaceId", alice.namespace(), "fileId", "alice-1")))).problem())
                .isEqualTo("not-album-owner");
        assertThat(send(carol, "DELETE", "/v1/albums/" + album + "/photos", Map.of("fileIds", List.of("carol-1"))).status())
                .isEqualTo(200);
        Response byOwner = send(alice, "DELETE", "/v1/albums/" + album + "/photos",
                Map.of("fileIds", List.of(Map.of("namespaceId", carol.namespace(), "fileId", "carol-2"))));
        assertThat(byOwner.status()).as(byOwner.toString()).isEqualTo(200);
        assertThat(photosOf(bob, album)).containsExactly("alice-1@" + alice.username());
    }

    @Test
    void aViewMemberCannotAddAndAContributorCannotAddAnotherAccountsPhoto() {
        Device alice = aPersonWithPhotos("alice");
        Device bob = aPersonWithPhotos("bob");
        Device carol = aPersonWithPhotos("carol");
        String album = create(alice, "Rules");
        share(alice, album, bob, "view");
        share(alice, album, carol, "contribute");
        long published = fixture.publishedEvents();

        assertThat(send(bob, "POST", "/v1/albums/" + album + "/photos", Map.of("fileIds", List.of("bob-1"))).status()).isEqualTo(403);
        assertThat(send(bob, "POST", "/v1/albums/" + album + "/photos", Map.of("fileIds", List.of("bob-1"))).problem())
                .isEqualTo("not-album-contributor");
        // bob's photo is not carol's to add, whether named bare or with bob's library
        assertThat(send(carol, "POST", "/v1/albums/" + album + "/photos", Map.of("fileIds", List.of("bob-1"))).status()).isEqualTo(404);
        Response other = send(carol, "POST", "/v1/albums/" + album + "/photos",
                Map.of("fileIds", List.of(Map.of("namespaceId", bob.namespace(), "fileId", "bob-1"))));
        assertThat(other.status()).isEqualTo(404);
        assertThat(other.problem()).isEqualTo("photo-not-found");
        // renaming, deleting, ordering and sharing stay the owner's
        assertThat(send(carol, "PATCH", "/v1/albums/" + album, Map.of("name", "Mine")).problem()).isEqualTo("not-album-owner");
        assertThat(send(carol, "DELETE", "/v1/albums/" + album, null).status()).isEqualTo(403);
        assertThat(send(carol, "PUT", "/v1/albums/" + album + "/order", Map.of("fileIds", List.of("carol-1"))).status()).isEqualTo(403);
        assertThat(send(carol, "POST", "/v1/albums/" + album + "/members", Map.of("username", bob.username(), "role", "contribute"))
                .status()).isEqualTo(403);
        assertThat(send(bob, "DELETE", "/v1/albums/" + album + "/members/" + carol.accountId(), null).status()).isEqualTo(403);

        assertThat(fixture.publishedEvents()).isEqualTo(published);
        assertThat(listed(alice, album).get("count").asInt()).isZero();
    }

    @Test
    void anAccountTheAlbumIsNotSharedWithFindsNothingOnAnyAlbumEndpoint() {
        Device alice = aPersonWithPhotos("alice");
        Device bob = aPersonWithPhotos("bob");
        Device mallory = aPersonWithPhotos("mallory");
        String album = create(alice, "Private");
        add(alice, album, "alice-1");
        share(alice, album, bob, "contribute");
        String unknown = java.util.UUID.randomUUID().toString();
        long published = fixture.publishedEvents();

        for (String id : List.of(album, unknown)) {
            String base = "/v1/albums/" + id;
            List<Response> answers = List.of(
                    client.get(mallory, base),
                    send(mallory, "PATCH", base, Map.of("name", "x")),
                    send(mallory, "DELETE", base, null),
                    send(mallory, "POST", base + "/photos", Map.of("fileIds", List.of("mallory-1"))),
                    send(mallory, "DELETE", base + "/photos", Map.of("fileIds", List.of("alice-1"))),
                    send(mallory, "PUT", base + "/order", Map.of("fileIds", List.of("alice-1"))),
                    send(mallory, "POST", base + "/members", Map.of("username", mallory.username(), "role", "view")),
                    send(mallory, "PUT", base + "/members/" + bob.accountId(), Map.of("role", "view")),
                    send(mallory, "DELETE", base + "/members/" + bob.accountId(), null),
                    send(mallory, "DELETE", base + "/members/me", null),
                    client.get(mallory, base + "/photos/" + alice.namespace() + "/alice-1/thumbnail"),
                    client.get(mallory, base + "/photos/" + alice.namespace() + "/alice-1/preview"));
            for (Response answer : answers) {
                assertThat(answer.status()).as(id + " " + answer).isEqualTo(404);
                assertThat(answer.problem()).isEqualTo("album-not-found");
                assertThat(answer.json().get("detail").asString()).isEqualTo("no album " + id + " in this account's library");
            }
        }
        assertThat(listed(mallory, album)).isNull();
        assertThat(fixture.publishedEvents()).isEqualTo(published);
    }

    @Test
    void aRemovedMemberLosesTheAlbumAndTheirContributionsLeaveItAtOnce() {
        Device alice = aPersonWithPhotos("alice");
        Device bob = aPersonWithPhotos("bob");
        Device carol = aPersonWithPhotos("carol");
        String album = create(alice, "Party");
        add(alice, album, "alice-1");
        share(alice, album, bob, "view");
        share(alice, album, carol, "contribute");
        add(carol, album, "carol-1");
        String carolsThumbnail = "/v1/albums/" + album + "/photos/" + carol.namespace() + "/carol-1/thumbnail";
        assertThat(client.get(bob, carolsThumbnail).status()).isEqualTo(200);

        // the owner removes carol: the answer comes once it has taken effect
        assertThat(send(alice, "DELETE", "/v1/albums/" + album + "/members/" + carol.accountId(), null).status()).isEqualTo(204);

        assertThat(client.get(carol, "/v1/albums/" + album).problem()).isEqualTo("album-not-found");
        assertThat(listed(carol, album)).isNull();
        assertThat(send(carol, "POST", "/v1/albums/" + album + "/photos", Map.of("fileIds", List.of("carol-2"))).status()).isEqualTo(404);
        assertThat(photosOf(bob, album)).containsExactly("alice-1@" + alice.username());
        assertThat(client.get(bob, carolsThumbnail).status()).isEqualTo(404);

        // bob leaves
        assertThat(send(bob, "DELETE", "/v1/albums/" + album + "/members/me", null).status()).isEqualTo(204);
        assertThat(client.get(bob, "/v1/albums/" + album).status()).isEqualTo(404);
        assertThat(listed(alice, album).get("shared").asBoolean()).isFalse();
        assertThat(send(alice, "DELETE", "/v1/albums/" + album + "/members/me", null).problem()).isEqualTo("owner-cannot-leave");
    }

    @Test
    void aRoleChangeTakesEffectAndSharingWithAnUnknownAccountOrTheOwnerIsRefused() {
        Device alice = aPersonWithPhotos("alice");
        Device bob = aPersonWithPhotos("bob");
        String album = create(alice, "Roles");
        share(alice, album, bob, "contribute");
        add(bob, album, "bob-1");

        Response changed = send(alice, "PUT", "/v1/albums/" + album + "/members/" + bob.accountId(), Map.of("role", "view"));
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        assertThat(changed.json().get("role").asString()).isEqualTo("view");
        assertThat(send(bob, "POST", "/v1/albums/" + album + "/photos", Map.of("fileIds", List.of("bob-2"))).status()).isEqualTo(403);
        // what bob contributed before stays while he is a member
        assertThat(photosOf(alice, album)).containsExactly("bob-1@" + bob.username());

        assertThat(send(alice, "POST", "/v1/albums/" + album + "/members", Map.of("username", "nobody-" + album, "role", "view"))
                .problem()).isEqualTo("account-not-found");
        assertThat(send(alice, "POST", "/v1/albums/" + album + "/members", Map.of("username", alice.username(), "role", "view"))
                .problem()).isEqualTo("invalid-album-member");
        assertThat(send(alice, "POST", "/v1/albums/" + album + "/members", Map.of("username", bob.username(), "role", "edit"))
                .problem()).isEqualTo("invalid-album-role");
        assertThat(send(alice, "PUT", "/v1/albums/" + album + "/members/" + alice.accountId(), Map.of("role", "view"))
                .problem()).isEqualTo("album-member-not-found");
    }

    @Test
    void deletingAContributedPhotosFileRemovesItFromTheAlbumForEveryone() {
        Device alice = aPersonWithPhotos("alice");
        Device bob = aPersonWithPhotos("bob");
        Device carol = aPersonWithPhotos("carol");
        String album = create(alice, "Beach");
        add(alice, album, "alice-1");
        share(alice, album, bob, "view");
        share(alice, album, carol, "contribute");
        add(carol, album, "carol-1");
        assertThat(listed(bob, album).get("count").asInt()).isEqualTo(2);

        // carol deletes the file: the photo worker deletes its row from her library
        fixture.api.execute("DELETE FROM photos.photos WHERE namespace_id = ?::uuid AND file_id = 'carol-1'", carol.namespace());

        for (Device reader : List.of(alice, bob, carol)) {
            assertThat(photosOf(reader, album)).containsExactly("alice-1@" + alice.username());
            assertThat(listed(reader, album).get("count").asInt()).isEqualTo(1);
        }
        assertThat(client.get(bob, "/v1/albums/" + album + "/photos/" + carol.namespace() + "/carol-1/thumbnail").status())
                .isEqualTo(404);
    }

    @Test
    void aPhotoWithTheSameFileIdInTwoLibrariesIsTwoPhotosOfTheAlbum() {
        Device alice = aPersonWithPhotos("same");
        Device carol = aPersonWithPhotos("same");
        String album = create(alice, "Twins");
        share(alice, album, carol, "contribute");

        add(alice, album, "same-1");
        add(carol, album, "same-1");

        assertThat(photosOf(alice, album)).containsExactly("same-1@" + alice.username(), "same-1@" + carol.username());
        Response ordered = send(alice, "PUT", "/v1/albums/" + album + "/order", Map.of("fileIds", List.of(
                Map.of("namespaceId", carol.namespace(), "fileId", "same-1"), "same-1")));
        assertThat(ordered.status()).as(ordered.toString()).isEqualTo(200);
        assertThat(photosOf(carol, album)).containsExactly("same-1@" + carol.username(), "same-1@" + alice.username());
    }
}
