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
 * {@code album share|unshare|list|show} against a stand-in server: an album named by its name, the
 * member by username, and what the listing prints of albums shared with this account.
 */
class SharedAlbumCommandsTest {
    private static final String NS = "00000000-0000-0000-0000-0000000000aa";
    private static final String TRIP = "11111111-1111-1111-1111-111111111111";
    private static final String FAMILY = "22222222-2222-2222-2222-222222222222";
    private static final String BOB = "33333333-3333-3333-3333-333333333333";
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
            requests.add(x.getRequestMethod() + " " + x.getRequestURI() + " " + body);
            String path = x.getRequestURI().getPath();
            Map<String, Object> trip = Map.of("albumId", TRIP, "name", "Trip", "count", 1, "shared", true, "owner", "alice",
                    "role", "owner");
            Map<String, Object> family = Map.of("albumId", FAMILY, "name", "Family", "count", 2, "shared", true, "owner", "carol",
                    "role", "contribute");
            switch (x.getRequestMethod() + " " + path) {
                case "GET /v1/albums" -> json(x, 200, Map.of("albums", List.of(trip, family)));
                case "GET /v1/albums/" + TRIP -> json(x, 200, Map.of("albumId", TRIP, "name", "Trip", "count", 1, "shared", true,
                        "owner", "alice", "role", "owner",
                        "members", List.of(Map.of("accountId", BOB, "username", "bob", "role", "view")),
                        "photos", List.of(Map.of("fileId", "f1", "namespaceId", NS, "owner", "dave", "path", "beach.jpg",
                                "takenAt", "2024-05-01T12:15:30+02:00", "state", "ready"))));
                case "POST /v1/albums/" + TRIP + "/members" -> json(x, 201, Map.of("accountId", BOB, "username", "bob", "role", "contribute"));
                case "DELETE /v1/albums/" + TRIP + "/members/" + BOB -> {
                    x.sendResponseHeaders(204, -1);
                }
                default -> json(x, 404, Map.of("type", "/problems/album-not-found", "detail", "no " + path));
            }
            x.close();
        });
        server.start();
        configDir = Files.createTempDirectory("shared-album-commands-");
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
    void anAlbumNamedByItsNameIsSharedWithAUsernameInARole() {
        assertThat(run("album", "share", "Trip", "bob", "--role", "contribute")).isZero();

        assertThat(requests.getLast()).startsWith("POST /v1/albums/" + TRIP + "/members {");
        assertThat(requests.getLast()).contains("\"username\":\"bob\"", "\"role\":\"contribute\"");
        assertThat(out.toString()).contains("shared album Trip with bob (contribute)");
    }

    @Test
    void unsharingFindsTheMembersAccountByUsername() {
        assertThat(run("album", "unshare", "Trip", "bob")).isZero();

        assertThat(requests.getLast()).startsWith("DELETE /v1/albums/" + TRIP + "/members/" + BOB);
        assertThat(out.toString()).contains("album Trip is no longer shared with bob");
    }

    @Test
    void anUnknownRoleOrAlbumOrMemberIsAUsageError() {
        assertThat(run("album", "share", "Trip", "bob", "--role", "edit")).isEqualTo(2);
        assertThat(run("album", "share", "Nowhere", "bob")).isEqualTo(2);
        assertThat(run("album", "unshare", "Trip", "erin")).isEqualTo(2);
        assertThat(requests).noneMatch(r -> r.startsWith("POST") || r.startsWith("DELETE"));
    }

    @Test
    void theListShowsEachAlbumsOwnerAndThisAccountsRole() {
        assertThat(run("album", "list")).isZero();

        assertThat(out.toString()).containsPattern(TRIP + "\\s+1\\s+alice\\s+owner, shared\\s+Trip")
                .containsPattern(FAMILY + "\\s+2\\s+carol\\s+contribute\\s+Family");
    }

    @Test
    void showingASharedAlbumNamesItsMembersAndEachPhotosOwner() {
        assertThat(run("album", "show", "Trip")).isZero();

        assertThat(out.toString()).contains("owner: alice, your role: owner, shared with: bob (view)")
                .containsPattern("2024-05-01T12:15:30\\+02:00\\s+dave\\s+beach.jpg");
    }
}
