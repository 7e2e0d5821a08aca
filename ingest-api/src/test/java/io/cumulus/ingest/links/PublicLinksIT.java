package io.cumulus.ingest.links;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Device;
import io.cumulus.ingest.ApiClient.Response;
import io.cumulus.ingest.RunningIngestApi;
import io.cumulus.ingest.chunks.BlobStore;
import io.cumulus.ingest.chunks.ChunkId;
import io.cumulus.photos.PhotosSchema;
import io.cumulus.sync.hash.Sha256;
import tools.jackson.databind.JsonNode;

/**
 * Public links against the real API and PostgreSQL, with a second instance over the same database.
 * Files are put in place as a device and the projector would: chunks uploaded, a batch submitted, and
 * the projector's row of the file written into {@code readmodel.files}; photos and albums are seeded
 * into the photo library's tables, as its worker and projection would write them.
 */
class PublicLinksIT {
    private static final AtomicLong COUNTER = new AtomicLong();
    private static final String JSON = "application/json";

    private static RunningIngestApi api;
    private static RunningIngestApi second;
    private static ApiClient client;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        api = RunningIngestApi.start();
        PhotosSchema.migrate(api.postgres().dataSource());
        second = api.alongside(Map.of());
        client = api.client();
    }

    @AfterAll
    static void stop() {
        second.close();
        api.close();
    }

    // ---- the tests ----

    @Test
    void aLinkTokenIs256RandomBitsOfBase64urlAndOnlyItsHashIsStored() {
        Device alice = client.newAccountWithDevice("alice-", "laptop");
        putFile(alice, alice.namespace(), "docs/a.txt", bytes("a"));

        JsonNode first = createLink(alice, Map.of("path", "docs/a.txt"));
        JsonNode again = createLink(alice, Map.of("path", "docs/a.txt"));

        String token = first.get("token").asString();
        assertThat(token).matches("[A-Za-z0-9_-]{43}");
        assertThat(Base64.getUrlDecoder().decode(token)).hasSize(32);
        assertThat(first.get("url").asString()).isEqualTo("/s/" + token);
        assertThat(again.get("token").asString()).isNotEqualTo(token);
        assertThat(api.count("select count(*) from ingest.links where id = ?::uuid and token_sha256 = ?",
                first.get("linkId").asString(), Sha256.hex(token.getBytes(StandardCharsets.US_ASCII)))).isEqualTo(1);
        assertThat(api.count("select count(*) from ingest.links where row(ingest.links.*)::text like ?", "%" + token + "%"))
                .isZero();
        JsonNode listed = client.get(alice, "/v1/links").json().get("links");
        assertThat(listed).hasSize(2);
        assertThat(listed.toString()).doesNotContain(token).doesNotContain(again.get("token").asString());
        assertThat(listed.get(0).get("state").asString()).isEqualTo("active");
        assertThat(listed.get(0).get("target").asString()).isEqualTo("docs/a.txt");
    }

    @Test
    void aFileLinkListsAndDownloadsThatFileAndNothingElse() {
        Device alice = client.newAccountWithDevice("alice-", "laptop");
        byte[] pdf = bytes("%PDF the report");
        String report = putFile(alice, alice.namespace(), "docs/report.pdf", pdf);
        String other = putFile(alice, alice.namespace(), "docs/other.txt", bytes("other"));

        String token = createLink(alice, Map.of("path", "docs/report.pdf")).get("token").asString();

        JsonNode listing = publicGet("/s/" + token, JSON).json();
        assertThat(listing.get("kind").asString()).isEqualTo("file");
        assertThat(names(listing)).containsExactly("report.pdf");
        Response download = publicGet("/s/" + token + "/files/" + report, "*/*");
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.bytes()).isEqualTo(pdf);
        assertThat(download.header("Content-Disposition")).hasValue("attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf");
        assertThat(download.header("Content-Type")).hasValue("application/octet-stream");
        assertNotFoundLikeAnUnknownLink(publicGet("/s/" + token + "/files/" + other, JSON), JSON);
        assertNotFoundLikeAnUnknownLink(publicGet("/s/" + token + "/files/" + other, "text/html"), "text/html");
    }

    @Test
    void aFolderLinkShowsTheFilesBelowItAndNothingBesideOrAboveIt() {
        Device alice = client.newAccountWithDevice("alice-", "laptop");
        Device bob = client.newAccountWithDevice("bob-", "laptop");
        byte[] x = bytes("x in docs");
        String inside = putFile(alice, alice.namespace(), "docs/x.txt", x);
        putFile(alice, alice.namespace(), "docs/sub/y.txt", bytes("y"));
        String sibling = putFile(alice, alice.namespace(), "docs2/z.txt", bytes("z"));
        String above = putFile(alice, alice.namespace(), "top.txt", bytes("top"));
        String deleted = putFile(alice, alice.namespace(), "docs/gone.txt", bytes("gone"));
        api.execute("update readmodel.files set deleted = true where namespace_id = ?::uuid and file_id = ?", alice.namespace(), deleted);
        String bobs = putFile(bob, bob.namespace(), "docs/x.txt", bytes("bob's"));

        String token = createLink(alice, Map.of("path", "docs/")).get("token").asString();

        JsonNode listing = publicGet("/s/" + token, JSON).json();
        assertThat(listing.get("kind").asString()).isEqualTo("folder");
        assertThat(listing.get("name").asString()).isEqualTo("docs");
        assertThat(names(listing)).containsExactly("sub/y.txt", "x.txt");
        assertThat(listing.get("files").get(1).get("size").asLong()).isEqualTo(x.length);
        assertThat(publicGet("/s/" + token + "/files/" + inside, "*/*").bytes()).isEqualTo(x);
        for (String outside : List.of(sibling, above, deleted, bobs, "no-such-file", "..")) {
            assertNotFoundLikeAnUnknownLink(publicGet("/s/" + token + "/files/" + outside, JSON), JSON);
        }
        String page = publicGet("/s/" + token, "text/html").body();
        assertThat(page).contains("x.txt").contains("sub/y.txt").doesNotContain("z.txt").doesNotContain("top.txt")
                .doesNotContain("gone.txt");
    }

    @Test
    void anAlbumLinkListsItsPhotosWithThumbnailsServedThroughTheLink() {
        Device alice = client.newAccountWithDevice("alice-", "laptop");
        byte[] beach = bytes("beach jpeg bytes");
        String inAlbum = putFile(alice, alice.namespace(), "Photos/beach.jpg", beach);
        String notInAlbum = putFile(alice, alice.namespace(), "Photos/private.jpg", bytes("private jpeg"));
        byte[] thumbnail = bytes("beach thumbnail");
        String thumbnailChunk = storeBlob(thumbnail);
        String privateThumbnail = storeBlob(bytes("private thumbnail"));
        seedPhoto(alice.namespace(), inAlbum, "Photos/beach.jpg", thumbnailChunk);
        seedPhoto(alice.namespace(), notInAlbum, "Photos/private.jpg", privateThumbnail);
        UUID album = seedAlbum(alice, "Summer <2024>", inAlbum);

        JsonNode made = createLink(alice, Map.of("albumId", album.toString()));
        String token = made.get("token").asString();

        assertThat(made.get("kind").asString()).isEqualTo("album");
        JsonNode listing = publicGet("/s/" + token, JSON).json();
        assertThat(listing.get("name").asString()).isEqualTo("Summer <2024>");
        assertThat(names(listing)).containsExactly("beach.jpg");
        assertThat(listing.get("files").get(0).get("thumbnail").asString()).isEqualTo("/s/" + token + "/thumbnails/" + inAlbum);
        Response thumb = publicGet("/s/" + token + "/thumbnails/" + inAlbum, "image/*");
        assertThat(thumb.status()).isEqualTo(200);
        assertThat(thumb.bytes()).isEqualTo(thumbnail);
        assertThat(thumb.header("Content-Type")).hasValue("image/jpeg");
        assertThat(publicGet("/s/" + token + "/files/" + inAlbum, "*/*").bytes()).isEqualTo(beach);
        String page = publicGet("/s/" + token, "text/html").body();
        assertThat(page).contains("<img src=\"/s/" + token + "/thumbnails/" + inAlbum + "\"").contains("Summer &lt;2024&gt;");
        assertNotFoundLikeAnUnknownLink(publicGet("/s/" + token + "/thumbnails/" + notInAlbum, JSON), JSON);
        assertNotFoundLikeAnUnknownLink(publicGet("/s/" + token + "/files/" + notInAlbum, JSON), JSON);
        Device bob = client.newAccountWithDevice("bob-", "laptop");
        Response bobsAttempt = send(bob, "POST", "/v1/links", Map.of("albumId", album.toString()));
        assertThat(bobsAttempt.status()).isEqualTo(404);
        assertThat(bobsAttempt.problem()).isEqualTo("link-target-not-found");
    }

    @Test
    void anAlbumLinkServesAContributionFromItsContributorsLibraryNeverTheOwnersFileOfTheSameId() {
        // given alice's private file, and mallory's own photo under the same file id, contributed to alice's album
        Device alice = client.newAccountWithDevice("alice-", "laptop");
        Device mallory = client.newAccountWithDevice("mallory-", "laptop");
        String sameId = putFile(alice, alice.namespace(), "Private/secret.jpg", bytes("alice's secret bytes"));
        seedPhoto(alice.namespace(), sameId, "Private/secret.jpg", storeBlob(bytes("secret thumbnail")));
        byte[] hers = bytes("mallory's photo bytes");
        String chunk = client.upload(mallory, hers);
        api.execute("""
                        insert into readmodel.files (namespace_id, file_id, path, deleted, vector, chunks, size, seq, device_id, updated_at)
                        values (?::uuid, ?, 'Photos/mine.jpg', false, ?::jsonb, ?::jsonb, ?, 1, ?, now())""",
                mallory.namespace(), sameId, "{\"" + mallory.id() + "\": 1}",
                "[{\"id\":\"" + chunk + "\",\"size\":" + hers.length + "}]", hers.length, mallory.id());
        seedPhoto(mallory.namespace(), sameId, "Photos/mine.jpg", storeBlob(bytes("her thumbnail")));
        UUID album = seedAlbum(alice, "Family");
        api.execute("""
                        INSERT INTO photos.album_photos (namespace_id, album_id, file_id, position, added_at, photo_namespace_id, account_id)
                        VALUES (?::uuid, ?, ?, 0, now(), ?::uuid, ?::uuid)""",
                alice.namespace(), album, sameId, mallory.namespace(), mallory.accountId());

        // when someone opens alice's link to the album
        String token = createLink(alice, Map.of("albumId", album.toString())).get("token").asString();
        JsonNode listing = publicGet("/s/" + token, JSON).json();
        Response download = publicGet("/s/" + token + "/files/" + sameId, "*/*");

        // then it shows mallory's contribution, and nothing of alice's private file
        assertThat(names(listing)).containsExactly("mine.jpg");
        assertThat(download.bytes()).isEqualTo(hers);
        assertThat(publicGet("/s/" + token, "text/html").body()).doesNotContain("secret");
    }

    @Test
    void aHostileFileNameIsEscapedInThePageAndTheDownloadHeader() {
        Device alice = client.newAccountWithDevice("alice-", "laptop");
        String hostile = "<script>alert('x')</script>&\"é.html";
        String file = putFile(alice, alice.namespace(), "shared/" + hostile, bytes("<html>"));
        String token = createLink(alice, Map.of("path", "shared")).get("token").asString();

        Response page = publicGet("/s/" + token, "text/html");

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html");
        assertThat(page.body()).doesNotContain("<script").doesNotContain(hostile)
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;é.html");
        assertThat(page.header("Content-Security-Policy").orElseThrow()).contains("default-src 'none'")
                .doesNotContain("script-src").doesNotContain("unsafe-inline");
        assertThat(page.header("Referrer-Policy")).hasValue("no-referrer");
        assertThat(page.header("Cache-Control")).hasValue("no-store");
        assertThat(page.header("X-Robots-Tag").orElseThrow()).contains("noindex");
        Response download = publicGet("/s/" + token + "/files/" + file, "*/*");
        assertThat(download.header("Content-Disposition")).hasValue(
                "attachment; filename=\"<script>alert('x')<_script>&__.html\"; filename*=UTF-8''%3Cscript%3Ealert%28%27x%27%29%3C%2Fscript%3E&%22%C3%A9.html");
        assertThat(download.header("X-Content-Type-Options")).hasValue("nosniff");
    }

    @Test
    void anExpiredLinkAnswersExactlyAsAnUnknownOne() {
        Device alice = client.newAccountWithDevice("alice-", "laptop");
        String file = putFile(alice, alice.namespace(), "soon.txt", bytes("soon"));
        JsonNode made = createLink(alice, Map.of("path", "soon.txt", "expiresIn", "2s"));
        String token = made.get("token").asString();
        assertThat(made.get("expiresAt").isString()).isTrue();
        assertThat(publicGet("/s/" + token, JSON).status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(15)).until(() -> publicGet("/s/" + token, JSON).status() == 404);

        assertNotFoundLikeAnUnknownLink(publicGet("/s/" + token, JSON), JSON);
        assertNotFoundLikeAnUnknownLink(publicGet("/s/" + token, "text/html"), "text/html");
        assertNotFoundLikeAnUnknownLink(publicGet("/s/" + token + "/files/" + file, JSON), JSON);
        assertThat(client.get(alice, "/v1/links").json().get("links").get(0).get("state").asString()).isEqualTo("expired");
        Response past = send(alice, "POST", "/v1/links", Map.of("path", "soon.txt", "expiresAt", "2020-01-01T00:00:00Z"));
        assertThat(past.status()).isEqualTo(400);
        assertThat(past.problem()).isEqualTo("invalid-link-expiry");
    }

    @Test
    void aPasswordProtectedLinkOpensOnlyWithItsPasswordOrItsOwnCookie() {
        Device alice = client.newAccountWithDevice("alice-", "laptop");
        byte[] secret = bytes("the secret");
        String file = putFile(alice, alice.namespace(), "vault/secret.txt", secret);
        putFile(alice, alice.namespace(), "vault2/other.txt", bytes("other"));
        String token = createLink(alice, Map.of("path", "vault", "password", "open sesame")).get("token").asString();
        String otherToken = createLink(alice, Map.of("path", "vault2", "password", "open sesame")).get("token").asString();

        // without the password: a form, a 401 for JSON, and the one 404 for the file
        Response form = publicGet("/s/" + token, "text/html");
        assertThat(form.status()).isEqualTo(200);
        assertThat(form.body()).contains("type=\"password\"").doesNotContain("secret.txt");
        Response json = publicGet("/s/" + token, JSON);
        assertThat(json.status()).isEqualTo(401);
        assertThat(json.problem()).isEqualTo("link-password-required");
        assertNotFoundLikeAnUnknownLink(publicGet("/s/" + token + "/files/" + file, JSON), JSON);
        assertNotFoundLikeAnUnknownLink(publicRequest("GET", "/s/" + token + "/files/" + file, JSON,
                Map.of("X-Link-Password", "wrong")), JSON);

        // a wrong password: the form again, and no cookie
        Response wrong = postPassword(token, "wrong");
        assertThat(wrong.status()).isEqualTo(403);
        assertThat(wrong.body()).contains("not right");
        assertThat(wrong.header("Set-Cookie")).isEmpty();

        // the right one: a cookie for this link only, which opens its page and files
        Response right = postPassword(token, "open sesame");
        assertThat(right.status()).isEqualTo(303);
        assertThat(right.header("Location")).hasValue("/s/" + token);
        String setCookie = right.header("Set-Cookie").orElseThrow();
        assertThat(setCookie).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/s/" + token);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        Response unlocked = publicRequest("GET", "/s/" + token, "text/html", Map.of("Cookie", cookie));
        assertThat(unlocked.body()).contains("secret.txt");
        assertThat(publicRequest("GET", "/s/" + token + "/files/" + file, "*/*", Map.of("Cookie", cookie)).bytes()).isEqualTo(secret);
        // the same cookie value sent to another link with the very same password opens nothing there
        String forOther = cookie.replace(token, otherToken);
        assertThat(publicRequest("GET", "/s/" + otherToken, JSON, Map.of("Cookie", forOther)).status()).isEqualTo(401);
        assertThat(publicRequest("GET", "/s/" + otherToken, "text/html", Map.of("Cookie", forOther)).body())
                .contains("type=\"password\"").doesNotContain("other.txt");
        // a tampered cookie opens nothing
        String tampered = cookie.substring(0, cookie.length() - 2) + (cookie.endsWith("A") ? "BB" : "AA");
        assertThat(publicRequest("GET", "/s/" + token, JSON, Map.of("Cookie", tampered)).status()).isEqualTo(401);
        // a JSON client sends the password in a header
        Response withHeader = publicRequest("GET", "/s/" + token, JSON, Map.of("X-Link-Password", "open sesame"));
        assertThat(withHeader.status()).isEqualTo(200);
        assertThat(names(withHeader.json())).containsExactly("secret.txt");
        // the password is stored hashed, never as it is
        assertThat(api.count("select count(*) from ingest.links where password_hash like '%open sesame%'")).isZero();
    }

    @Test
    void aRevokedLinkStopsAtOnceOnAnotherInstance() {
        Device alice = client.newAccountWithDevice("alice-", "laptop");
        String file = putFile(alice, alice.namespace(), "shared.txt", bytes("shared"));
        JsonNode made = createLink(alice, Map.of("path", "shared.txt"));
        String token = made.get("token").asString();
        assertThat(second.client().send("GET", "/s/" + token, null, null, Map.of("Accept", JSON)).status()).isEqualTo(200);

        Response revoked = send(alice, "DELETE", "/v1/links/" + made.get("linkId").asString(), null);

        assertThat(revoked.status()).isEqualTo(204);
        Response onSecond = second.client().send("GET", "/s/" + token, null, null, Map.of("Accept", JSON));
        assertThat(onSecond.status()).isEqualTo(404);
        assertThat(onSecond.body()).isEqualTo(unknownLink(JSON).body());
        Response fileOnSecond = second.client().send("GET", "/s/" + token + "/files/" + file, null, null, Map.of("Accept", JSON));
        assertThat(fileOnSecond.status()).isEqualTo(404);
        assertThat(client.get(alice, "/v1/links").json().get("links").get(0).get("state").asString()).isEqualTo("revoked");
        assertThat(send(alice, "DELETE", "/v1/links/" + made.get("linkId").asString(), null).status()).isEqualTo(204);
    }

    @Test
    void aDownloadInProgressIsCutShortWhenTheLinkIsRevoked() throws Exception {
        Device alice = client.newAccountWithDevice("alice-", "laptop");
        int chunks = 32;
        int chunkBytes = 1024 * 1024;
        List<byte[]> parts = new ArrayList<>();
        Random random = new Random(7);
        for (int i = 0; i < chunks; i++) {
            byte[] part = new byte[chunkBytes];
            random.nextBytes(part);
            parts.add(part);
        }
        String file = putFile(alice, alice.namespace(), "big.bin", parts.toArray(byte[][]::new));
        JsonNode made = createLink(alice, Map.of("path", "big.bin"));
        String token = made.get("token").asString();
        long size = (long) chunks * chunkBytes;

        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(client.base() + "/s/" + token + "/files/" + file))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(size);
        long read = 0;
        boolean broken = false;
        try (InputStream in = response.body()) {
            read += in.readNBytes(chunkBytes).length;
            assertThat(send(alice, "DELETE", "/v1/links/" + made.get("linkId").asString(), null).status()).isEqualTo(204);
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                read += n;
                Thread.sleep(1); // a slow reader: the server stays ahead only by what the connection buffers
            }
        } catch (IOException e) {
            broken = true;
        }

        assertThat(read).isLessThan(size);
        assertThat(broken || read < size).isTrue();
    }

    @Test
    void requestsThroughLinksBeyondTheLimitAreAnswered429WithRetryAfter() {
        try (RunningIngestApi limited = api.alongside(SmallLinkLimits.PROPERTIES)) {
            String unknown = "A".repeat(43);
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < SmallLinkLimits.LINK_REQUESTS; i++) {
                statuses.add(limited.client().send("GET", "/s/" + unknown, null, null, Map.of("Accept", JSON)).status());
            }
            Response json = limited.client().send("GET", "/s/" + unknown, null, null, Map.of("Accept", JSON));
            Response page = limited.client().send("GET", "/s/" + "B".repeat(43), null, null, Map.of("Accept", "text/html"));

            assertThat(statuses).containsOnly(404);
            assertThat(json.status()).isEqualTo(429);
            assertThat(json.problem()).isEqualTo("rate-limited");
            assertThat(Long.parseLong(json.header("Retry-After").orElseThrow())).isPositive();
            // another token from the same address: the address's bucket is empty too
            assertThat(page.status()).isEqualTo(429);
            assertThat(page.contentType()).startsWith("text/html");
            assertThat(page.body()).contains("Too many requests");
            assertThat(page.header("Retry-After")).isPresent();
        }
    }

    @Test
    void makingAndRevokingALinkIsAuditedOnTheMakerAndTheShareOwnerWithoutSecrets() {
        try (RunningIngestApi audited = api.alongside(RecordingAuditTrail.PROPERTIES)) {
            Device alice = client.newAccountWithDevice("alice-", "laptop");
            Device carol = client.newAccountWithDevice("carol-", "laptop");
            String share = sharedNamespace(alice, Map.of(carol, "editor"));
            putFile(alice, share, "plans/plan.txt", bytes("the plan"));

            Response made = audited.client().send("POST", "/v1/links", carol.token(),
                    Map.of("namespaceId", share, "path", "plans", "password", "hunter2"), Map.of());
            String linkId = made.json().get("linkId").asString();
            Response revoked = audited.client().send("DELETE", "/v1/links/" + linkId, alice.token(), null, Map.of());

            assertThat(made.status()).isEqualTo(201);
            assertThat(revoked.status()).isEqualTo(204);
            List<RecordingAuditTrail.Entry> entries = RecordingAuditTrail.ENTRIES.stream()
                    .filter(e -> linkId.equals(e.details().get("linkId"))).toList();
            assertThat(entries).extracting(e -> e.action() + " " + e.accountId()).containsExactly(
                    "link-created " + carol.accountId(), "link-created " + alice.accountId(),
                    "link-revoked " + carol.accountId(), "link-revoked " + alice.accountId());
            assertThat(entries.getFirst().deviceId().toString()).isEqualTo(carol.id());
            assertThat(entries.getFirst().details()).containsEntry("path", "plans").containsEntry("kind", "folder")
                    .containsEntry("password", "yes");
            assertThat(entries.toString()).doesNotContain("hunter2").doesNotContain(made.json().get("token").asString());
        }
    }

    @Test
    void aViewerCannotMakeALinkAndAnEditorCan() {
        Device alice = client.newAccountWithDevice("alice-", "laptop");
        Device bob = client.newAccountWithDevice("bob-", "laptop");
        Device carol = client.newAccountWithDevice("carol-", "laptop");
        String share = sharedNamespace(alice, Map.of(bob, "viewer", carol, "editor"));
        putFile(alice, share, "plans/plan.txt", bytes("the plan"));

        Response byViewer = send(bob, "POST", "/v1/links", Map.of("namespaceId", share, "path", "plans"));
        Response byEditor = send(carol, "POST", "/v1/links", Map.of("namespaceId", share, "path", "plans"));
        Response byStranger = send(client.newAccountWithDevice("eve-", "laptop"), "POST", "/v1/links",
                Map.of("namespaceId", share, "path", "plans"));

        assertThat(byViewer.status()).isEqualTo(404);
        assertThat(byViewer.problem()).isEqualTo("namespace-not-found");
        assertThat(byStranger.status()).isEqualTo(404);
        assertThat(byStranger.body()).isEqualTo(byViewer.body());
        assertThat(byEditor.status()).as(byEditor.toString()).isEqualTo(201);
        String token = byEditor.json().get("token").asString();
        assertThat(names(publicGet("/s/" + token, JSON).json())).containsExactly("plan.txt");
        // an editor made a viewer: the links it made stop opening
        api.execute("update ingest.namespace_members set role = 'viewer' where namespace_id = ?::uuid and account_id = ?::uuid",
                share, carol.accountId());
        assertNotFoundLikeAnUnknownLink(publicGet("/s/" + token, JSON), JSON);
    }

    @Test
    void anotherAccountCannotSeeOrRevokeALink() {
        Device alice = client.newAccountWithDevice("alice-", "laptop");
        Device bob = client.newAccountWithDevice("bob-", "laptop");
        putFile(alice, alice.namespace(), "mine.txt", bytes("mine"));
        JsonNode made = createLink(alice, Map.of("path", "mine.txt"));
        String linkId = made.get("linkId").asString();

        Response bobRevokes = send(bob, "DELETE", "/v1/links/" + linkId, null);
        Response bobRevokesNothing = send(bob, "DELETE", "/v1/links/" + UUID.randomUUID(), null);

        assertThat(bobRevokes.status()).isEqualTo(404);
        assertThat(bobRevokes.problem()).isEqualTo("link-not-found");
        assertThat(bobRevokesNothing.status()).isEqualTo(404);
        assertThat(bobRevokesNothing.json().get("title")).isEqualTo(bobRevokes.json().get("title"));
        assertThat(client.get(bob, "/v1/links").json().get("links")).isEmpty();
        assertThat(publicGet("/s/" + made.get("token").asString(), JSON).status()).isEqualTo(200);
        Response bobLinksAlicesPath = send(bob, "POST", "/v1/links", Map.of("namespaceId", alice.namespace(), "path", "mine.txt"));
        assertThat(bobLinksAlicesPath.status()).isEqualTo(404);
        assertThat(bobLinksAlicesPath.problem()).isEqualTo("namespace-not-found");
    }

    @Test
    void theOwnerApiNeedsADeviceTokenAndRefusesBadRequests() {
        Device alice = client.newAccountWithDevice("alice-", "laptop");
        putFile(alice, alice.namespace(), "a.txt", bytes("a"));

        assertThat(client.send("GET", "/v1/links", null, null, Map.of()).status()).isEqualTo(401);
        assertThat(client.send("POST", "/v1/links", null, Map.of("path", "a.txt"), Map.of()).status()).isEqualTo(401);
        assertThat(send(alice, "POST", "/v1/links", Map.of("path", "../a.txt")).problem()).isEqualTo("invalid-link-request");
        assertThat(send(alice, "POST", "/v1/links", Map.of()).problem()).isEqualTo("invalid-link-request");
        assertThat(send(alice, "POST", "/v1/links", Map.of("path", "a.txt", "expiresIn", "soon")).problem())
                .isEqualTo("invalid-link-expiry");
        assertThat(send(alice, "POST", "/v1/links", Map.of("path", "nothing/here")).problem()).isEqualTo("link-target-not-found");
        assertThat(api.count("select count(*) from ingest.links where account_id = ?::uuid", alice.accountId())).isZero();
    }

    // ---- fixtures ----

    private static JsonNode createLink(Device device, Map<String, ?> body) {
        Response r = send(device, "POST", "/v1/links", body);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json();
    }

    private static Response send(Device device, String method, String path, Object body) {
        return client.send(method, path, device.token(), body, Map.of());
    }

    private static Response publicGet(String path, String accept) {
        return publicRequest("GET", path, accept, Map.of());
    }

    private static Response publicRequest(String method, String path, String accept, Map<String, String> headers) {
        Map<String, String> all = new HashMap<>(headers);
        all.put("Accept", accept);
        return client.send(method, path, null, null, all);
    }

    private static Response postPassword(String token, String password) {
        return client.send("POST", "/s/" + token, null, "password=" + java.net.URLEncoder.encode(password, StandardCharsets.UTF_8),
                Map.of("Content-Type", "application/x-www-form-urlencoded", "Accept", "text/html"));
    }

    private static Response unknownLink(String accept) {
        return publicGet("/s/" + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]).replace('A', 'Q'), accept);
    }

    /** The answer is the one an unknown token gets: same status, same type, same body. */
    private static void assertNotFoundLikeAnUnknownLink(Response response, String accept) {
        Response unknown = unknownLink(accept);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(response.status()).as(response.toString()).isEqualTo(404);
        assertThat(response.contentType()).isEqualTo(unknown.contentType());
        assertThat(response.body()).isEqualTo(unknown.body());
    }

    private static List<String> names(JsonNode listing) {
        List<String> names = new ArrayList<>();
        listing.get("files").forEach(f -> names.add(f.get("name").asString()));
        return names;
    }

    private static byte[] bytes(String text) {
        return (text + " " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A file at {@code path} in the namespace made of these chunks, as a device and the projector would
     * put it there: chunks uploaded, a batch submitted, the file's row in {@code readmodel.files}.
     */
    private static String putFile(Device device, String namespace, String path, byte[]... chunks) {
        String fileId = "f" + UUID.randomUUID().toString().replace("-", "");
        List<Map<String, Object>> refs = new ArrayList<>();
        StringBuilder manifest = new StringBuilder("[");
        long size = 0;
        for (byte[] chunk : chunks) {
            String id = client.upload(device, chunk);
            refs.add(Map.of("id", id, "size", chunk.length));
            manifest.append(manifest.length() > 1 ? "," : "").append("{\"id\":\"").append(id).append("\",\"size\":").append(chunk.length).append('}');
            size += chunk.length;
        }
        manifest.append(']');
        long counter = COUNTER.incrementAndGet();
        Response submitted = client.submit(device, "put-" + fileId, Map.of("namespaceId", namespace, "changes", List.of(Map.of(
                "fileId", fileId, "path", path, "op", "UPSERT", "vector", Map.of(device.id(), counter), "size", size,
                "chunks", refs))));
        assertThat(submitted.status() / 100).as(submitted.toString()).isEqualTo(2);
        api.execute("""
                        insert into readmodel.files (namespace_id, file_id, path, deleted, vector, chunks, size, seq, device_id, updated_at)
                        values (?::uuid, ?, ?, false, ?::jsonb, ?::jsonb, ?, ?, ?, ?)""",
                namespace, fileId, path, "{\"" + device.id() + "\": " + counter + "}", manifest.toString(), size, counter,
                device.id(), OffsetDateTime.now(ZoneOffset.UTC));
        return fileId;
    }

    private static String storeBlob(byte[] bytes) {
        String id = Sha256.hex(bytes);
        api.context().getBean(BlobStore.class).put(new ChunkId(id), bytes);
        return id;
    }

    private static void seedPhoto(String namespace, String fileId, String path, String thumbnailChunk) {
        api.execute("""
                        INSERT INTO photos.photos (namespace_id, file_id, seq, path, content_key, size, state, format, taken_at,
                                                   taken_at_source, thumbnail_id, thumbnail_size)
                        VALUES (?::uuid, ?, 1, ?, ?, 100, 'ready', 'jpeg', now(), 'file', ?, 10)""",
                namespace, fileId, path, "ab".repeat(32), thumbnailChunk);
    }

    private static UUID seedAlbum(Device owner, String name, String... fileIds) {
        UUID album = UUID.randomUUID();
        api.execute("""
                        INSERT INTO photos.albums (namespace_id, album_id, account_id, name, created_at, updated_at)
                        VALUES (?::uuid, ?, ?::uuid, ?, now(), now())""", owner.namespace(), album, owner.accountId(), name);
        for (int i = 0; i < fileIds.length; i++) {
            api.execute("""
                            INSERT INTO photos.album_photos (namespace_id, album_id, file_id, position, added_at,
                                                             photo_namespace_id, account_id)
                            VALUES (?::uuid, ?, ?, ?, now(), ?::uuid, ?::uuid)""", owner.namespace(), album, fileIds[i], i,
                    owner.namespace(), owner.accountId());
        }
        return album;
    }

    /** A shared namespace owned by {@code owner}, with these members and roles (as the shares API would leave it). */
    private static String sharedNamespace(Device owner, Map<Device, String> members) {
        UUID share = UUID.randomUUID();
        api.execute("insert into ingest.namespaces (id, kind, name, owner_account) values (?, 'shared', 'Family', ?::uuid)",
                share, owner.accountId());
        api.execute("insert into ingest.namespace_members (namespace_id, account_id, role) values (?, ?::uuid, 'owner')",
                share, owner.accountId());
        members.forEach((device, role) -> api.execute(
                "insert into ingest.namespace_members (namespace_id, account_id, role) values (?, ?::uuid, ?)",
                share, device.accountId(), role));
        return share.toString();
    }
}
