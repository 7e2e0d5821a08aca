package io.cumulus.ingest;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.projector.ReadModelSchema;

/**
 * The ingest API on a random port over a fresh database of the real test PostgreSQL (with the
 * projector's read tables created, as the standalone process does) and its own blob directory.
 * One per test class: start it in {@code @BeforeAll}, close it in {@code @AfterAll}.
 */
public final class RunningIngestApi implements AutoCloseable {
    private final PostgresConnection postgres;
    private final Path blobs;
    private final String adminToken;
    private final ConfigurableApplicationContext context;
    private final ApiClient client;
    /** Whether closing this instance drops its database: false for a second instance over another's. */
    private final boolean ownsDatabase;

    private RunningIngestApi(PostgresConnection postgres, Path blobs, String adminToken, Map<String, Object> extra,
                             boolean ownsDatabase) {
        this.ownsDatabase = ownsDatabase;
        this.postgres = postgres;
        this.blobs = blobs;
        this.adminToken = adminToken;
        Map<String, Object> properties = new HashMap<>();
        properties.put("server.port", 0);
        properties.put("spring.main.banner-mode", "off");
        properties.put("spring.datasource.url", postgres.jdbcUrl());
        properties.put("spring.datasource.username", postgres.user());
        properties.put("spring.datasource.password", postgres.password());
        properties.put("spring.datasource.hikari.connection-timeout", 2000);
        properties.put("server.tomcat.max-swallow-size", "8MB");
        // as standalone's application.yaml has it
        properties.put("server.compression.enabled", true);
        properties.put("server.compression.mime-types", "application/json,application/problem+json");
        properties.put("server.compression.min-response-size", "1KB");
        properties.put("cumulus.blobs.dir", blobs.toString());
        properties.put("cumulus.admin-token", adminToken);
        properties.putAll(extra);
        SpringApplication app = new SpringApplication(IngestApiTestApplication.class);
        app.setRegisterShutdownHook(false);
        app.setDefaultProperties(properties);
        this.context = app.run();
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        this.client = new ApiClient("http://127.0.0.1:" + port, adminToken);
    }

    public static RunningIngestApi start() {
        return start(Map.of());
    }

    public static RunningIngestApi start(Map<String, Object> extraProperties) {
        PostgresConnection postgres = TestServers.freshDatabase();
        ReadModelSchema.migrate(postgres.dataSource());
        return new RunningIngestApi(postgres, TestServers.workDir("blobs-"), "admin-" + UUID.randomUUID(), extraProperties, true);
    }

    /**
     * Another instance of the API over {@code first}'s database, blob directory and admin token, as a
     * second replica behind a load balancer: what one stores, the other reads. Close it before {@code first},
     * which owns the database.
     */
    public static RunningIngestApi startBeside(RunningIngestApi first, Map<String, Object> extraProperties) {
        return new RunningIngestApi(first.postgres, first.blobs, first.adminToken, extraProperties, false);
    }

    /** The port the API listens on, for clients that speak HTTP by hand. */
    public int port() {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    public ApiClient client() {
        return client;
    }

    public String adminToken() {
        return adminToken;
    }

    public Path blobs() {
        return blobs;
    }

    public PostgresConnection postgres() {
        return postgres;
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    /** The single number a query such as {@code select count(*) ...} answers. */
    public long count(String sql, Object... params) {
        try (Connection c = postgres.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    public void execute(String sql, Object... params) {
        try (Connection c = postgres.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.execute();
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Rows in the tables a refused request must never touch. */
    public record Footprint(long batches, long outbox, long chunks, long accountChunks) {
    }

    public Footprint footprint() {
        return new Footprint(count("select count(*) from ingest.batches"), count("select count(*) from ingest.outbox"),
                count("select count(*) from ingest.chunks"), count("select count(*) from ingest.account_chunks"));
    }

    @Override
    public void close() {
        context.close();
        if (ownsDatabase) {
            postgres.close();
        }
    }
}
