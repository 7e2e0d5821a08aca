package io.cumulus.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Public links with a real client and a real server: a synced folder is linked with
 * {@code cumulus link create}, opened by someone without an account, listed, and revoked with
 * {@code cumulus link revoke} while that someone is downloading from it.
 */
class PublicLinkCommandsIT {
    @RegisterExtension
    static final SyncServer server = SyncServer.forEachClass();

    private static final Pattern ADDRESS = Pattern.compile("(http://\\S+/s/[A-Za-z0-9_-]{43})");
    private static final Pattern LINK_ID = Pattern.compile("link ([0-9a-f-]{36}) \\(folder\\)");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aLinkedFolderOpensForAnyoneUntilItsLinkIsRevokedMidDownload() throws Exception {
        // given a synced folder with a report and a large video under docs, and a file beside docs
        String user = server.newAccount();
        Device laptop = Device.login(server, user, "Laptop");
        laptop.write("docs/report.txt", "the report\n");
        byte[] video = FoldersConvergeIT.bytes(24 * 1024 * 1024, 11);
        laptop.write("docs/video.bin", video);
        laptop.write("docs2/private.txt", "not shared\n");
        laptop.syncInSync();

        // when the folder is linked (once the server's listing has it)
        String docs = laptop.file("docs").toString();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> laptop.run("link", "create", docs, "--expires", "1d") == 0);
        Matcher address = ADDRESS.matcher(laptop.output());
        Matcher id = LINK_ID.matcher(laptop.output());
        assertThat(address.find()).as(laptop.output()).isTrue();
        assertThat(id.find()).as(laptop.output()).isTrue();
        String url = address.group(1);

        // then anyone with the address sees the folder's files and nothing beside it, and downloads them
        JsonNode listing = JsonMapper.builder().build().readTree(get(url, "application/json").body());
        List<String> names = new ArrayList<>();
        listing.get("files").forEach(f -> names.add(f.get("name").asString()));
        assertThat(names).containsExactly("report.txt", "video.bin");
        String report = listing.get("files").get(0).get("download").asString();
        assertThat(get(URI.create(url).resolve(report).toString(), "*/*").body()).isEqualTo("the report\n");
        assertThat(laptop.run("link", "list")).isZero();
        assertThat(laptop.output()).contains(id.group(1)).contains("active");

        // and when the link is revoked while the video is being downloaded, the download stops short
        String videoUrl = URI.create(url).resolve(listing.get("files").get(1).get("download").asString()).toString();
        HttpResponse<InputStream> download = http.send(HttpRequest.newBuilder(URI.create(videoUrl)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(download.statusCode()).isEqualTo(200);
        long read = 0;
        try (InputStream in = download.body()) {
            read += in.readNBytes(1024 * 1024).length;
            assertThat(laptop.run("link", "revoke", id.group(1))).as(laptop.output()).isZero();
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                read += n;
            }
        } catch (IOException cutShort) {
            // the connection closed before the declared length: what a revoked download looks like
        }
        assertThat(read).isLessThan(video.length);
        assertThat(get(url, "application/json").statusCode()).isEqualTo(404);
        assertThat(laptop.run("link", "list")).isZero();
        assertThat(laptop.output()).contains("revoked");
    }

    private HttpResponse<String> get(String url, String accept) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", accept).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
