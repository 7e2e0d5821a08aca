package io.cumulus.client.cli;

import static io.cumulus.client.testing.JsonAnswers.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.cumulus.client.config.DeviceConfig;

/**
 * The photo commands against a stand-in server: what they ask for (paths resolved to file ids, a
 * creation's idempotency key) and what they print.
 */
class PhotoCommandsTest {
    private static final String NS = "00000000-0000-0000-0000-0000000000aa";
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private Path configDir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private PrintStream stdout;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", x -> {
            String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(x.getRequestMethod() + " " + x.getRequestURI() + " " + body + " "
                    + (x.getRequestHeaders().containsKey("Idempotency-Key") ? "keyed" : "unkeyed"));
            String path = x.getRequestURI().getPath();
            Map<String, Object> photo = Map.of("fileId", "f1", "path", "Photos/cat.jpg", "takenAt", "2024-05-01T12:15:30+02:00",
                    "width", 4000, "height", 3000, "camera", "Canon EOS R5", "state", "ready", "favourite", true);
            switch (path) {
                case "/v1/photos" -> json(x, 200, Map.of("photos", List.of(photo), "nextCursor", "CUR"));
                case "/v1/namespaces/" + NS + "/files" -> json(x, 200, Map.of("namespaceId", NS, "files",
                        List.of(Map.of("fileId", "f1", "path", "Photos/cat.jpg", "size", 1, "seq", 1))));
                case "/v1/albums" -> json(x, 201, Map.of("albumId", "A1", "name", "Holiday", "count", 0, "photos", List.of()));
                case "/v1/albums/A1/photos" -> json(x, 200, Map.of("albumId", "A1", "name", "Holiday", "count", 1,
                        "photos", List.of(photo)));
                default -> json(x, 404, Map.of("type", "/problems/not-found", "detail", "no " + path));
            }
            x.close();
        });
        server.start();
        configDir = Files.createTempDirectory("photo-commands-");
        new DeviceConfig(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "alice", "acc", "dev", "laptop",
                "token", NS).save(configDir);
        stdout = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        System.setOut(stdout);
        server.stop(0);
    }

    private int run(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--config-dir";
        all[1] = configDir.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return ClientMain.run(all);
    }

    @Test
    void theTimelineListsWhenSizeCameraAndPathAndHowToGetTheNextPage() {
        assertThat(run("photos", "--limit", "1", "--favourites")).isZero();

        assertThat(requests.getFirst()).startsWith("GET /v1/photos?limit=1&favourites=true");
        assertThat(out.toString()).contains("2024-05-01T12:15:30+02:00", "4000x3000", "Canon EOS R5", "Photos/cat.jpg  *",
                "more: cumulus photos --before CUR --favourites --limit 1");
    }

    @Test
    void textFromAPhotoReachesTheTerminalWithoutItsControlCharacters() {
        assertThat(PhotoCommands.printable("Canon\u001b[2J\u001b]0;owned\u0007 EOS\nR5")).isEqualTo("Canon?[2J?]0;owned? EOS?R5");
        assertThat(PhotoCommands.printable("Fujifilm X-T5 日本")).isEqualTo("Fujifilm X-T5 日本");
    }

    @Test
    void jsonIsTheServersAnswerAsItIs() {
        assertThat(run("photos", "--json")).isZero();

        tools.jackson.databind.JsonNode printed = tools.jackson.databind.json.JsonMapper.builder().build().readTree(out.toString());
        assertThat(printed.get("nextCursor").asString()).isEqualTo("CUR");
        assertThat(printed.get("photos").get(0).get("path").asString()).isEqualTo("Photos/cat.jpg");
        assertThat(printed.get("photos").get(0).get("width").asInt()).isEqualTo(4000);
    }

    @Test
    void anAlbumIsCreatedUnderAnIdempotencyKey() {
        assertThat(run("album", "create", "Holiday")).isZero();

        assertThat(requests.getFirst()).isEqualTo("POST /v1/albums {\"name\":\"Holiday\"} keyed");
        assertThat(out.toString()).contains("Holiday  (0 photos, id A1)");
    }

    @Test
    void photosAddedByPathAreSentByFileId() {
        assertThat(run("album", "add", "A1", "Photos/cat.jpg")).isZero();

        assertThat(requests).anySatisfy(r -> assertThat(r).startsWith("GET /v1/namespaces/" + NS + "/files?prefix=Photos%2Fcat.jpg"));
        assertThat(requests.getLast()).isEqualTo("POST /v1/albums/A1/photos {\"fileIds\":[\"f1\"]} unkeyed");
    }

    @Test
    void aPathThatIsNoFileOfTheAccountIsAUsageError() {
        assertThat(run("favourite", "Photos/dog.jpg")).isEqualTo(2);
    }
}
