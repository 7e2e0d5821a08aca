package io.cumulus.client.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.standalone.StandaloneServer;
import io.cumulus.standalone.StandaloneSettings;

/**
 * A standalone Cumulus for end-to-end tests: its own in-process broker and a fresh database of the
 * real PostgreSQL, on fixed ports so that it can be stopped and started again at the same address.
 */
final class SyncServer implements AutoCloseable {
    private final StandaloneSettings settings;
    private final Path dataDir;
    private final int port;
    private StandaloneServer server;

    private SyncServer(StandaloneSettings settings, Path dataDir, int port) {
        this.settings = settings;
        this.dataDir = dataDir;
        this.port = port;
    }

    static SyncServer start() {
        PostgresConnection pg = TestServers.freshDatabase();
        Path dataDir = workDir("server-");
        int port = freePort();
        StandaloneSettings settings = StandaloneSettings.from(List.of("--data-dir=" + dataDir, "--port=" + port,
                "--kafka-port=" + freePort(), "--postgres-url=" + pg.jdbcUrl(), "--postgres-user=" + pg.user(),
                "--postgres-password=" + pg.password()), Map.of());
        SyncServer s = new SyncServer(settings, dataDir, port);
        s.startAgain();
        return s;
    }

    void startAgain() {
        server = StandaloneServer.start(settings, line -> System.out.println("[server] " + line));
    }

    void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Creates an account through the admin endpoint; its password is {@link #passwordOf}. */
    String newAccount() {
        String username = "u" + UUID.randomUUID().toString().substring(0, 8);
        String body = "{\"username\":\"" + username + "\",\"password\":\"" + passwordOf(username) + "\"}";
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url().resolve("/v1/admin/accounts"))
                    .header("Authorization", "Bearer " + StandaloneServer.adminToken(dataDir))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 201) {
                throw new IllegalStateException("account creation failed: " + r.statusCode() + " " + r.body());
            }
            return username;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String passwordOf(String username) {
        return "password of " + username;
    }

    static Path workDir(String prefix) {
        return TestServers.workDir(prefix);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
