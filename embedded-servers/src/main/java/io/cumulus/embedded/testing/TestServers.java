package io.cumulus.embedded.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.cumulus.embedded.InProcessKafka;
import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.PostgresProvisioner;
import io.cumulus.embedded.ProvisionedPostgres;

/**
 * The real servers of the integration tests, started once per test JVM and stopped when it exits:
 * a Kafka broker in this JVM, and a PostgreSQL with logical decoding. PostgreSQL is, in order, the
 * server named by {@code -Dcumulus.it.postgres.url} (or {@code CUMULUS_IT_POSTGRES_URL}), the
 * machine's server on 127.0.0.1:5432 when it has {@code wal_level=logical}, or an embedded one.
 * Every test gets its own database, dropped (with its replication slots) at exit.
 */
public final class TestServers {
    private static InProcessKafka kafka;
    private static PostgresConnection postgresServer;
    private static final List<String> databases = new ArrayList<>();
    private static boolean hookInstalled;

    public static synchronized InProcessKafka kafka() {
        if (kafka == null) {
            kafka = InProcessKafka.start(workDir("kafka-"), 0);
            installShutdownHook();
        }
        return kafka;
    }

    /** A new, empty database on the test PostgreSQL server. */
    public static synchronized PostgresConnection freshDatabase() {
        PostgresConnection server = postgresServer();
        String name = "it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        PostgresProvisioner.ensureDatabase(server, name);
        databases.add(name);
        return server.withDatabase(name);
    }

    private static PostgresConnection postgresServer() {
        if (postgresServer != null) {
            return postgresServer;
        }
        installShutdownHook();
        String url = Optional.ofNullable(System.getProperty("cumulus.it.postgres.url"))
                .or(() -> Optional.ofNullable(System.getenv("CUMULUS_IT_POSTGRES_URL")))
                .filter(s -> !s.isBlank()).orElse(null);
        String user = Optional.ofNullable(System.getProperty("cumulus.it.postgres.user")).orElse("postgres");
        String password = Optional.ofNullable(System.getProperty("cumulus.it.postgres.password")).orElse("");
        if (url != null) {
            postgresServer = PostgresProvisioner.parse(url, user, password).withDatabase("postgres");
            System.out.println("[test-servers] PostgreSQL: " + postgresServer + " (configured)");
        } else if (PostgresProvisioner.probe(new PostgresConnection("127.0.0.1", 5432, "postgres", user, password))
                .filter("logical"::equals).isPresent()) {
            postgresServer = new PostgresConnection("127.0.0.1", 5432, "postgres", user, password);
            System.out.println("[test-servers] PostgreSQL: the server on 127.0.0.1:5432");
        } else {
            embeddedToStop = PostgresProvisioner.embedded(workDir("pg-").resolve("data"),
                    line -> System.out.println("[test-servers] " + line));
            postgresServer = embeddedToStop.connection().withDatabase("postgres");
        }
        return postgresServer;
    }

    private static ProvisionedPostgres embeddedToStop;

    private static void installShutdownHook() {
        if (hookInstalled) {
            return;
        }
        hookInstalled = true;
        Runtime.getRuntime().addShutdownHook(new Thread(TestServers::stopAll, "test-servers-stop"));
    }

    private static synchronized void stopAll() {
        if (postgresServer != null) {
            dropDatabases();
        }
        if (embeddedToStop != null) {
            try {
                embeddedToStop.close();
            } catch (Exception e) {
                System.err.println("[test-servers] stopping the embedded PostgreSQL failed: " + e);
            }
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** Drops every database this JVM made, after its replication slots (a slot pins a database). */
    private static void dropDatabases() {
        try (Connection c = postgresServer.connect()) {
            for (String db : databases) {
                try (PreparedStatement slots = c.prepareStatement(
                        "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = ? AND active_pid IS NOT NULL")) {
                    slots.setString(1, db);
                    slots.execute();
                }
                try (PreparedStatement slots = c.prepareStatement(
                        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = ? AND NOT active")) {
                    slots.setString(1, db);
                    slots.execute();
                } catch (SQLException e) {
                    System.err.println("[test-servers] dropping the slots of " + db + " failed: " + e.getMessage());
                }
                try (Statement s = c.createStatement()) {
                    s.execute("DROP DATABASE IF EXISTS \"" + db + "\" WITH (FORCE)");
                } catch (SQLException e) {
                    System.err.println("[test-servers] dropping " + db + " failed: " + e.getMessage());
                }
            }
        } catch (SQLException e) {
            System.err.println("[test-servers] cannot clean up the test databases: " + e.getMessage());
        }
    }

    /** A fresh directory under the build's work directory ({@code cumulus.it.workdir}) or the temp directory. */
    public static Path workDir(String prefix) {
        try {
            Path root = Path.of(System.getProperty("cumulus.it.workdir", System.getProperty("java.io.tmpdir")));
            Files.createDirectories(root);
            return Files.createTempDirectory(root, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private TestServers() {
    }
}
