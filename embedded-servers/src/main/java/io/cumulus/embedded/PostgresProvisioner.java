package io.cumulus.embedded;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Chooses the PostgreSQL of the standalone process: the configured server if a URL is given, else
 * the machine's own server on 127.0.0.1:5432 when it answers and has logical decoding, else an
 * embedded server kept in the data directory. The chosen database is created if missing. The outbox
 * relay needs {@code wal_level=logical}; for a configured server without it, provisioning fails
 * with the exact statement to run.
 */
public final class PostgresProvisioner {
    public static final String DEFAULT_DATABASE = "cumulus";

    public static ProvisionedPostgres provision(Optional<String> url, String user, String password, Path dataDir,
                                                Consumer<String> say) {
        if (url.isPresent()) {
            PostgresConnection configured = parse(url.get(), user, password);
            PostgresConnection admin = configured.withDatabase("postgres");
            String walLevel;
            try {
                walLevel = walLevel(admin);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot reach PostgreSQL at " + configured + ": " + e.getMessage(), e);
            }
            if (!walLevel.equals("logical")) {
                throw new IllegalStateException(needsLogical(configured, walLevel));
            }
            ensureDatabase(admin, configured.database());
            say.accept("PostgreSQL: " + configured.jdbcUrl() + " (configured)");
            return new ProvisionedPostgres(configured);
        }
        PostgresConnection local = new PostgresConnection("127.0.0.1", 5432, DEFAULT_DATABASE, user, password);
        Optional<String> localWal = probe(local.withDatabase("postgres"));
        if (localWal.isPresent() && localWal.get().equals("logical")) {
            ensureDatabase(local.withDatabase("postgres"), DEFAULT_DATABASE);
            say.accept("PostgreSQL: " + local.jdbcUrl() + " (the server on this machine)");
            return new ProvisionedPostgres(local);
        }
        if (localWal.isPresent()) {
            say.accept("PostgreSQL on 127.0.0.1:5432 is not usable: " + needsLogical(local, localWal.get()));
        }
        return embedded(dataDir.resolve("postgres"), say);
    }

    /** Starts (initialising on first use) an embedded server whose data stays in {@code dir}. */
    public static ProvisionedPostgres embedded(Path dir, Consumer<String> say) {
        int port = InProcessKafka.freePort();
        EmbeddedPostgres pg = startEmbedded(dir, port);
        PostgresConnection server = new PostgresConnection("127.0.0.1", pg.getPort(), "postgres", "postgres", "");
        ensureDatabase(server, DEFAULT_DATABASE);
        say.accept("PostgreSQL: embedded server on port " + pg.getPort() + ", data in " + dir);
        return new ProvisionedPostgres(server.withDatabase(DEFAULT_DATABASE), dir, Optional.of(pg),
                () -> startEmbedded(dir, port));
    }

    /** The embedded server over {@code dir} on {@code port}: initialised on first use, its data kept. */
    static EmbeddedPostgres startEmbedded(Path dir, int port) {
        try {
            Files.createDirectories(dir.getParent());
            return EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setPort(port)
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_replication_slots", "64")
                    .setServerConfig("max_wal_senders", "64")
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the embedded PostgreSQL in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The server's wal_level, or empty when nothing answers there. */
    public static Optional<String> probe(PostgresConnection admin) {
        try {
            return Optional.of(walLevel(admin));
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    static String walLevel(PostgresConnection admin) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", admin.user());
        p.setProperty("password", admin.password());
        p.setProperty("connectTimeout", "3");
        try (Connection c = DriverManager.getConnection(admin.jdbcUrl(), p);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW wal_level")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Creates the database unless it exists; safe when several processes race to create it. */
    public static void ensureDatabase(PostgresConnection admin, String database) {
        try (Connection c = admin.connect()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                ps.setString(1, database);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return;
                    }
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE \"" + database.replace("\"", "\"\"") + "\"");
            } catch (SQLException e) {
                if (!"42P04".equals(e.getSQLState())) { // duplicate_database: someone else was first
                    throw e;
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + database + " on " + admin + ": " + e.getMessage(), e);
        }
    }

    static String needsLogical(PostgresConnection server, String walLevel) {
        return "PostgreSQL at " + server.host() + ":" + server.port() + " runs with wal_level=" + walLevel
                + ", but the outbox relay needs logical decoding. As a superuser run:  ALTER SYSTEM SET wal_level = logical;"
                + "  then restart that server (on Debian: pg_ctlcluster <version> main restart).";
    }

    /** Reads {@code jdbc:postgresql://host[:port][/database][?...]}. */
    public static PostgresConnection parse(String jdbcUrl, String user, String password) {
        if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database): " + jdbcUrl);
        }
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
        String host = uri.getHost() == null ? "127.0.0.1" : uri.getHost();
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        return new PostgresConnection(host, port, path.isEmpty() ? DEFAULT_DATABASE : path, user, password);
    }

    private PostgresProvisioner() {
    }
}
