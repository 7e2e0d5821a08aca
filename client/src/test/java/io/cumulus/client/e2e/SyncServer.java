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

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.standalone.StandaloneServer;
import io.cumulus.standalone.StandaloneSettings;

/**
 * A standalone Cumulus for end-to-end tests: its own in-process broker and a fresh database of the
 * real PostgreSQL, on ports chosen once so that it can be stopped and started again at the same
 * address. As a JUnit extension ({@code @RegisterExtension static final SyncServer server =
 * SyncServer.forEachClass();}) it starts before a test class's first test and stops after its last.
 */
final class SyncServer implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    private StandaloneSettings settings;
    private Path dataDir;
    private int port;
    private StandaloneServer server;
    private PostgresConnection database;

    private SyncServer() {
    }

    /** A server that a test class registers as an extension: configured and started before all its tests. */
    static SyncServer forEachClass() {
        return new SyncServer();
    }

    private void configure() {
        PostgresConnection pg = TestServers.freshDatabase();
        database = pg;
        dataDir = workDir("server-");
        port = freePort();
        settings = StandaloneSettings.from(List.of("--data-dir=" + dataDir, "--port=" + port,
                "--kafka-port=" + freePort(), "--postgres-url=" + pg.jdbcUrl(), "--postgres-user=" + pg.user(),
                "--postgres-password=" + pg.password()), Map.of());
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        configure();
        startAgain();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
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

    /** Runs a statement on the server's database behind its back: for a test that needs the server to lose something. */
    void execute(String sql, Object... params) {
        try (java.sql.Connection c = database.connect(); java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.execute();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Where the server keeps its embedded servers' data and its admin token. */
    Path dataDir() {
        return dataDir;
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

    /** The admin token of the running server, for the admin endpoints. */
    String adminToken() {
        return StandaloneServer.adminToken(dataDir);
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
