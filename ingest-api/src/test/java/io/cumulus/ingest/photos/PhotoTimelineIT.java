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
 * The photo library's reads against the real API, PostgreSQL, Kafka and album projection: the
 * timeline's pages under inserts, a photo's fields, days, months and places, the derivatives and
 * their caching, favourites, and that one account never sees another's photos.
 */
class PhotoTimelineIT {
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

    private static Device aPerson() {
        return client.newAccountWithDevice("photos-", "laptop");
    }

    private static List<String> fileIds(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("photos").forEach(p -> ids.add(p.get("fileId").asString()));
        return ids;
    }

    @Test
    void timelinePagesNeitherRepeatNorSkipAPhotoWhenPhotosArriveBetweenThem() {
        // given 25 photos, two by two taken at the same instant (the file id breaks the tie)
        Device alice = aPerson();
        for (int i = 0; i < 25; i++) {
            aPhoto(String.format("p%02d", i), String.format("2024-05-%02dT10:00:00Z", 1 + i / 2)).insertInto(fixture.api, alice.namespace());
        }

        // when the timeline is read in pages of 7, and after each page photos arrive on both sides of its boundary
        List<String> seen = new ArrayList<>();
        List<String> behind = new ArrayList<>();
        List<String> ahead = new ArrayList<>();
        String cursor = null;
        int page = 0;
        do {
            Response r = client.get(alice, "/v1/photos?limit=7" + (cursor == null ? "" : "&before=" + cursor));
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            JsonNode photos = r.json().get("photos");
            seen.addAll(fileIds(r.json()));
            cursor = r.json().get("nextCursor").isNull() ? null : r.json().get("nextCursor").asString();
            page++;
            if (cursor != null) {
                JsonNode last = photos.get(photos.size() - 1);
                String lastId = last.get("fileId").asString();
                String lastTakenAt = last.get("takenAt").asString();
                // newer than the page's end: it belongs to a page already read
                aPhoto("new" + page, "2025-01-01T00:00:00Z").insertInto(fixture.api, alice.namespace());
                aPhoto(lastId + "z", lastTakenAt).insertInto(fixture.api, alice.namespace()); // same instant, sorts before the end
                ahead.addAll(List.of("new" + page, lastId + "z"));
                // older: still to come
                aPhoto("old" + page, "2020-01-0" + page + "T00:00:00Z").insertInto(fixture.api, alice.namespace());
                String tiedBehind = lastId.substring(0, lastId.length() - 1) + "-" + page; // '-' sorts before every digit and letter
                aPhoto(tiedBehind, lastTakenAt).insertInto(fixture.api, alice.namespace());
                behind.addAll(List.of("old" + page, tiedBehind));
            }
        } while (cursor != null);

        // then every photo there was at the start is seen once, in timeline order, and so is every photo that arrived behind a page
        assertThat(seen).doesNotHaveDuplicates();
        for (int i = 0; i < 25; i++) {
            assertThat(seen).contains(String.format("p%02d", i));
        }
        assertThat(seen).containsAll(behind);
        assertThat(seen).doesNotContainAnyElementsOf(ahead);
        assertThat(seen.subList(0, 4)).containsExactly("p24", "p23", "p22", "p21");
        assertThat(page).isGreaterThan(3);
    }

    @Test
    void aPhotoShowsWhenWhereAndWithWhatItWasTaken() {
        Device alice = aPerson();
        String thumb = fixture.storeJpeg(32, 24);
        String preview = fixture.storeJpeg(64, 48);
        aPhoto("eiffel", "2024-05-01T10:15:30Z").atOffsetMinutes(120).at(48.8584, 2.2945).camera("Canon", "Canon EOS R5")
                .derivatives(thumb, preview).insertInto(fixture.api, alice.namespace());

        JsonNode photo = client.get(alice, "/v1/photos/eiffel").json();

        assertThat(photo.get("takenAt").asString()).isEqualTo("2024-05-01T12:15:30+02:00");
        assertThat(photo.get("takenAtSource").asString()).isEqualTo("exif-offset");
        assertThat(photo.get("camera").asString()).isEqualTo("Canon EOS R5");
        assertThat(photo.get("lens").asString()).isEqualTo("RF 24-70mm");
        assertThat(photo.get("width").asInt()).isEqualTo(4000);
        assertThat(photo.get("latitude").asDouble()).isEqualTo(48.8584);
        assertThat(photo.get("state").asString()).isEqualTo("ready");
        assertThat(photo.get("favourite").asBoolean()).isFalse();
        assertThat(photo.get("thumbnail").asString()).isEqualTo("/v1/photos/eiffel/thumbnail");
        assertThat(photo.get("preview").asString()).isEqualTo("/v1/photos/eiffel/preview");
    }

    @Test
    void badCursorsLimitsAndFileIdsAreRefused() {
        Device alice = aPerson();

        assertThat(client.get(alice, "/v1/photos?before=not-a-cursor").problem()).isEqualTo("invalid-cursor");
        assertThat(client.get(alice, "/v1/photos?limit=0").status()).isEqualTo(400);
        assertThat(client.get(alice, "/v1/photos?limit=501").problem()).isEqualTo("invalid-parameter");
        assertThat(client.get(alice, "/v1/photos?limit=ten").status()).isEqualTo(400);
        assertThat(client.get(alice, "/v1/photos?limit=500").status()).isEqualTo(200);
        assertThat(client.get(alice, "/v1/photos/a%20b").problem()).isEqualTo("invalid-file-id");
    }

    @Test
    void daysAndMonthsCountPhotosOnTheirLocalDayNewestFirst() {
        Device alice = aPerson();
        aPhoto("tokyo-night", "2024-04-30T15:30:00Z").atOffsetMinutes(540).insertInto(fixture.api, alice.namespace()); // May 1st 00:30 local
        aPhoto("utc-noon", "2024-04-30T12:00:00Z").insertInto(fixture.api, alice.namespace());
        aPhoto("march", "2024-03-02T12:00:00Z").insertInto(fixture.api, alice.namespace());

        JsonNode days = client.get(alice, "/v1/photos/days").json().get("days");
        JsonNode months = client.get(alice, "/v1/photos/months").json().get("months");

        assertThat(days.toString()).isEqualTo("[{\"day\":\"2024-05-01\",\"count\":1},{\"day\":\"2024-04-30\",\"count\":1},"
                + "{\"day\":\"2024-03-02\",\"count\":1}]");
        assertThat(months.toString()).isEqualTo("[{\"month\":\"2024-05\",\"count\":1},{\"month\":\"2024-04\",\"count\":1},"
                + "{\"month\":\"2024-03\",\"count\":1}]");
    }

    @Test
    void placesCountLocatedPhotosByCellWithTheNewestAsCover() {
        Device alice = aPerson();
        aPhoto("paris-old", "2023-01-01T00:00:00Z").at(48.85, 2.29).insertInto(fixture.api, alice.namespace());
        aPhoto("paris-new", "2024-01-01T00:00:00Z").at(48.86, 2.35).insertInto(fixture.api, alice.namespace());
        aPhoto("santiago", "2024-02-01T00:00:00Z").at(-33.45, -70.66).insertInto(fixture.api, alice.namespace());
        aPhoto("nowhere", "2024-03-01T00:00:00Z").insertInto(fixture.api, alice.namespace());

        JsonNode places = client.get(alice, "/v1/photos/places?precision=1").json();

        assertThat(places.get("cellDegrees").asDouble()).isEqualTo(1.0);
        assertThat(places.get("places")).hasSize(2);
        JsonNode paris = places.get("places").get(0);
        assertThat(paris.get("count").asInt()).isEqualTo(2);
        assertThat(paris.get("coverFileId").asString()).isEqualTo("paris-new");
        assertThat(paris.get("south").asDouble()).isEqualTo(48.0);
        assertThat(paris.get("west").asDouble()).isEqualTo(2.0);
        JsonNode santiago = places.get("places").get(1);
        assertThat(santiago.get("south").asDouble()).isEqualTo(-34.0);
        assertThat(santiago.get("west").asDouble()).isEqualTo(-71.0);
        assertThat(client.get(alice, "/v1/photos/places?precision=9").status()).isEqualTo(400);
    }

    @Test
    void derivativesAreImmutableJpegsRevalidatedByTheirChunkId() throws Exception {
        Device alice = aPerson();
        String thumb = fixture.storeJpeg(32, 24);
        String preview = fixture.storeJpeg(64, 48);
        aPhoto("cat", "2024-05-01T10:00:00Z").derivatives(thumb, preview).insertInto(fixture.api, alice.namespace());
        aPhoto("broken", "2024-05-01T11:00:00Z").unreadable("truncated file").insertInto(fixture.api, alice.namespace());
        aPhoto("pending", "2024-05-01T12:00:00Z").insertInto(fixture.api, alice.namespace());

        Response thumbnail = client.get(alice, "/v1/photos/cat/thumbnail");

        assertThat(thumbnail.status()).isEqualTo(200);
        assertThat(thumbnail.contentType()).isEqualTo("image/jpeg");
        assertThat(thumbnail.bytes()).isEqualTo(fixture.blob(thumb));
        assertThat(thumbnail.header("ETag")).contains("\"" + thumb + "\"");
        assertThat(thumbnail.header("Cache-Control").orElseThrow()).contains("private", "immutable", "max-age=31536000");
        assertThat(client.get(alice, "/v1/photos/cat/preview").bytes()).isEqualTo(fixture.blob(preview));

        Response revalidated = client.send("GET", "/v1/photos/cat/thumbnail", alice.token(), null, Map.of("If-None-Match", "\"" + thumb + "\""));
        assertThat(revalidated.status()).isEqualTo(304);
        assertThat(revalidated.bytes()).isEmpty();
        assertThat(revalidated.header("ETag")).contains("\"" + thumb + "\"");
        Response otherTag = client.send("GET", "/v1/photos/cat/thumbnail", alice.token(), null, Map.of("If-None-Match", "\"" + preview + "\""));
        assertThat(otherTag.status()).isEqualTo(200);

        assertThat(client.get(alice, "/v1/photos/broken/thumbnail").problem()).isEqualTo("derivative-not-found");
        assertThat(client.get(alice, "/v1/photos/pending/preview").problem()).isEqualTo("derivative-not-found");
        assertThat(client.get(alice, "/v1/photos/nothing/thumbnail").problem()).isEqualTo("photo-not-found");
    }

    @Test
    void favouritesAreMarkedAndListed() {
        Device alice = aPerson();
        aPhoto("sunset", "2024-05-01T20:00:00Z").insertInto(fixture.api, alice.namespace());
        aPhoto("lunch", "2024-05-01T12:00:00Z").insertInto(fixture.api, alice.namespace());

        Response marked = client.send("PUT", "/v1/photos/sunset/favourite", alice.token(), null, Map.of());

        assertThat(marked.status()).as(marked.toString()).isEqualTo(200);
        assertThat(marked.json().get("favourite").asBoolean()).isTrue();
        assertThat(fileIds(client.get(alice, "/v1/photos?favourites=true").json())).containsExactly("sunset");
        assertThat(fileIds(client.get(alice, "/v1/photos").json())).containsExactly("sunset", "lunch");

        Response unmarked = client.send("DELETE", "/v1/photos/sunset/favourite", alice.token(), null, Map.of());

        assertThat(unmarked.status()).isEqualTo(200);
        assertThat(unmarked.json().get("favourite").asBoolean()).isFalse();
        assertThat(fileIds(client.get(alice, "/v1/photos?favourites=true").json())).isEmpty();
    }

    @Test
    void anotherAccountsPhotoIsNotFoundAndNothingOfItIsListed() {
        Device alice = aPerson();
        Device bob = aPerson();
        String thumb = fixture.storeJpeg(8, 8);
        aPhoto("alices", "2024-05-01T10:00:00Z").at(1.5, 1.5).derivatives(thumb, thumb).insertInto(fixture.api, alice.namespace());
        long published = fixture.publishedEvents();

        assertThat(client.get(bob, "/v1/photos/alices").problem()).isEqualTo("photo-not-found");
        assertThat(client.get(bob, "/v1/photos/alices/thumbnail").status()).isEqualTo(404);
        assertThat(client.send("PUT", "/v1/photos/alices/favourite", bob.token(), null, Map.of()).status()).isEqualTo(404);
        assertThat(fileIds(client.get(bob, "/v1/photos").json())).isEmpty();
        assertThat(client.get(bob, "/v1/photos/days").json().get("days")).isEmpty();
        assertThat(client.get(bob, "/v1/photos/places").json().get("places")).isEmpty();
        assertThat(fixture.publishedEvents()).isEqualTo(published);
    }

    @Test
    void withoutATokenNothingIsAnswered() {
        for (String path : List.of("/v1/photos", "/v1/photos/x", "/v1/photos/x/thumbnail", "/v1/photos/days", "/v1/albums")) {
            Response r = client.send("GET", path, null, null, Map.of());
            assertThat(r.status()).as(path).isEqualTo(401);
            assertThat(r.contentType()).as(path).startsWith("application/problem+json");
        }
        assertThat(client.send("POST", "/v1/albums", null, Map.of("name", "x"), Map.of()).status()).isEqualTo(401);
    }
}
