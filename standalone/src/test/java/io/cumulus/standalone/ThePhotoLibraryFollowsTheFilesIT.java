package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import io.cumulus.standalone.CumulusClient.Device;
import io.cumulus.standalone.CumulusClient.Response;
import tools.jackson.databind.JsonNode;

/**
 * The photo library through every real service: a device uploads files, the pipeline decides them,
 * the photo worker recognises the images among them and derives them, and the API serves the
 * timeline, the thumbnails and the albums; a rename keeps the photo, a delete takes it out.
 */
class ThePhotoLibraryFollowsTheFilesIT {
    private static final Duration LIBRARY = Duration.ofSeconds(90);

    private final CumulusClient client = RunningCumulus.client();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void imagesSyncedByADeviceAppearInTheLibraryAndLeaveItWhenDeleted() throws Exception {
        // given an account whose laptop syncs two images and a text file
        String user = "photos-" + UUID.randomUUID().toString().substring(0, 8);
        Device laptop = client.newAccountWithDevice(RunningCumulus.adminToken(), user, "Laptop");
        Device phone = client.registerDevice(user, "Phone");
        byte[] jpeg = image(1024, 768, "jpg");
        byte[] png = image(300, 400, "png");
        byte[] text = "not a photo".getBytes(StandardCharsets.UTF_8);
        submit(laptop, "beach", "2026/beach.jpg", jpeg, 1);
        submit(laptop, "scan", "scans/page", png, 1);
        submit(laptop, "notes", "notes.jpg", text, 1);

        // then the phone sees the two images in the timeline, derived, and not the text
        JsonNode timeline = await().atMost(LIBRARY).until(() -> client.get(phone, "/v1/photos").json(),
                t -> t.get("photos").size() == 2 && allReady(t));
        List<String> ids = new ArrayList<>();
        timeline.get("photos").forEach(p -> ids.add(p.get("fileId").asString()));
        assertThat(ids).containsExactlyInAnyOrder("beach", "scan");
        JsonNode beach = client.get(phone, "/v1/photos/beach").json();
        assertThat(beach.get("width").asInt()).isEqualTo(1024);
        assertThat(beach.get("height").asInt()).isEqualTo(768);
        assertThat(beach.get("format").asString()).isEqualTo("jpeg");

        // and its thumbnail is a square JPEG, cached for good, answered 304 when the phone has it
        HttpResponse<byte[]> thumbnail = download(phone, "/v1/photos/beach/thumbnail", null);
        assertThat(thumbnail.statusCode()).isEqualTo(200);
        assertThat(thumbnail.headers().firstValue("Content-Type")).hasValue("image/jpeg");
        assertThat(thumbnail.headers().firstValue("Cache-Control").orElse("")).contains("private").contains("immutable");
        BufferedImage square = ImageIO.read(new ByteArrayInputStream(thumbnail.body()));
        assertThat(square.getWidth()).isEqualTo(square.getHeight());
        String etag = thumbnail.headers().firstValue("ETag").orElseThrow();
        assertThat(download(phone, "/v1/photos/beach/thumbnail", etag).statusCode()).isEqualTo(304);
        HttpResponse<byte[]> preview = download(phone, "/v1/photos/beach/preview", null);
        assertThat(ImageIO.read(new ByteArrayInputStream(preview.body())).getWidth()).isEqualTo(1024);

        // and another account sees none of it
        Device stranger = client.newAccountWithDevice(RunningCumulus.adminToken(), user + "-other", "Laptop");
        assertThat(client.get(stranger, "/v1/photos").json().get("photos")).isEmpty();
        assertThat(client.get(stranger, "/v1/photos/beach").status()).isEqualTo(404);
        assertThat(download(stranger, "/v1/photos/beach/thumbnail", null).statusCode()).isEqualTo(404);

        // when the phone puts the photo in an album, and the laptop renames it
        Response album = client.send("POST", "/v1/albums", phone.token(), Map.of("name", "Summer"), Map.of());
        assertThat(album.status()).isEqualTo(201);
        String albumId = album.json().get("albumId").asString();
        Response added = client.send("POST", "/v1/albums/" + albumId + "/photos", phone.token(),
                Map.of("fileIds", List.of("beach")), Map.of());
        assertThat(added.status()).isEqualTo(200);
        submitRename(laptop, "beach", "2026/renamed.jpg", jpeg, 2);

        // then the photo keeps its derivatives under its new path, in its album
        await().atMost(LIBRARY).until(() -> client.get(phone, "/v1/photos/beach").json().get("path").asString()
                .equals("2026/renamed.jpg"));
        assertThat(download(phone, "/v1/photos/beach/thumbnail", etag).statusCode()).isEqualTo(304);
        JsonNode inAlbum = client.get(phone, "/v1/albums/" + albumId).json();
        assertThat(inAlbum.toString()).contains("beach");

        // when the laptop deletes it, it leaves the library
        Response deleted = client.submit(laptop, "del-" + user, CumulusClient.deleteBatch(laptop.namespace(), "beach",
                "2026/renamed.jpg", Map.of(laptop.id(), 3)));
        assertThat(deleted.status()).isEqualTo(202);
        await().atMost(LIBRARY).until(() -> client.get(phone, "/v1/photos/beach").status() == 404);
        assertThat(client.get(phone, "/v1/photos").json().get("photos")).hasSize(1);
    }

    private static boolean allReady(JsonNode timeline) {
        for (JsonNode p : timeline.get("photos")) {
            if (!"ready".equals(p.get("state").asString())) {
                return false;
            }
        }
        return true;
    }

    private void submit(Device device, String fileId, String path, byte[] content, int counter) {
        String chunk = client.upload(device, content);
        Response r = client.submit(device, "k-" + fileId + "-" + counter + "-" + device.id(), CumulusClient.oneFileBatch(
                device.namespace(), fileId, path, Map.of(device.id(), counter), chunk, content.length));
        assertThat(r.status()).isEqualTo(202);
    }

    private void submitRename(Device device, String fileId, String newPath, byte[] content, int counter) {
        submit(device, fileId, newPath, content, counter);
    }

    private HttpResponse<byte[]> download(Device device, String path, String ifNoneMatch) throws Exception {
        HttpRequest.Builder get = HttpRequest.newBuilder(URI.create(RunningCumulus.get().baseUrl() + path))
                .header("Authorization", "Bearer " + device.token()).GET();
        if (ifNoneMatch != null) {
            get.header("If-None-Match", ifNoneMatch);
        }
        return http.send(get.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static byte[] image(int width, int height, String format) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(30, 120, 200));
        g.fillRect(0, 0, width, height);
        g.setColor(Color.ORANGE);
        g.fillOval(width / 4, height / 4, width / 2, height / 2);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }
}
