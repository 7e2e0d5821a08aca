package io.cumulus.standalone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.TestServers;

/**
 * One standalone Cumulus per test JVM, on the harness's real Kafka broker and a fresh database of
 * the real PostgreSQL, listening on a free port. Tests isolate themselves by account.
 */
final class RunningCumulus {
    private static StandaloneServer server;

    static synchronized StandaloneServer get() {
        if (server == null) {
            PostgresConnection pg = TestServers.freshDatabase();
            Path dataDir = workDir("standalone-");
            StandaloneSettings settings = StandaloneSettings.from(List.of(
                    "--data-dir=" + dataDir, "--port=0",
                    "--kafka-bootstrap=" + TestServers.kafka().bootstrapServers(),
                    "--postgres-url=" + pg.jdbcUrl(), "--postgres-user=" + pg.user(),
                    "--postgres-password=" + pg.password()), Map.of());
            server = StandaloneServer.start(settings, line -> System.out.println("[cumulus] " + line));
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        }
        return server;
    }

    static CumulusClient client() {
        return new CumulusClient(get().baseUrl());
    }

    static String adminToken() {
        return StandaloneServer.adminToken(get().dataDir());
    }

    static Path workDir(String prefix) {
        try {
            Path root = Path.of(System.getProperty("cumulus.it.workdir", System.getProperty("java.io.tmpdir")));
            Files.createDirectories(root);
            return Files.createTempDirectory(root, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private RunningCumulus() {
    }
}
