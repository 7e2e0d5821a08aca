package io.cumulus.standalone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import io.cumulus.embedded.InProcessKafka;
import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.PostgresProvisioner;
import io.cumulus.embedded.ProvisionedPostgres;
import io.cumulus.projector.Projector;
import io.cumulus.projector.ProjectorConfig;
import io.cumulus.projector.ReadModelSchema;
import io.cumulus.reconciler.ReconcilerApp;
import io.cumulus.reconciler.ReconcilerConfig;
import io.cumulus.relay.OutboxRelay;
import io.cumulus.relay.RelayConfig;
import io.cumulus.schemas.TopicSpecs;

/**
 * Every Cumulus service in one JVM, started in the order of an edit's flow: the event log and the
 * database first, then the HTTP API and notifier (which create the ingest schema), the outbox relay,
 * the reconciler and the projector. {@link #close()} stops them in reverse order, so nothing that
 * was acknowledged is lost: an accepted batch is in PostgreSQL before its 202, and every later hop
 * resumes from durable offsets.
 */
public final class StandaloneServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StandaloneServer.class);

    /**
     * The one standalone process is a static member of the reconciler's and projector's consumer
     * groups: after a crash, the restarted process takes its partitions back at once.
     */
    private static final String STATIC_MEMBER_ID = "cumulus-standalone";

    private final StandaloneSettings settings;
    private final Consumer<String> say;
    private final Deque<AutoCloseable> running = new ArrayDeque<>();
    private String bootstrapServers;
    private PostgresConnection postgres;
    private ConfigurableApplicationContext web;
    private int httpPort;

    private StandaloneServer(StandaloneSettings settings, Consumer<String> say) {
        this.settings = settings;
        this.say = say;
    }

    /** Starts everything; on any failure, stops what had started and rethrows. */
    public static StandaloneServer start(StandaloneSettings settings, Consumer<String> say) {
        StandaloneServer server = new StandaloneServer(settings, say);
        try {
            server.startAll();
            return server;
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
    }

    private void startAll() {
        Path dataDir = settings.dataDir();
        createDirectories(dataDir);

        // 1. The event log.
        if (settings.kafkaBootstrap().isPresent()) {
            bootstrapServers = settings.kafkaBootstrap().get();
            say.accept("Kafka: " + bootstrapServers + " (external)");
        } else {
            InProcessKafka kafka = InProcessKafka.start(dataDir.resolve("kafka"), settings.kafkaPort());
            running.push(kafka);
            bootstrapServers = kafka.bootstrapServers();
            say.accept("Kafka: in-process broker on " + bootstrapServers + ", log in " + dataDir.resolve("kafka"));
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            TopicSpecs.createMissing(admin, settings.partitions(), (short) 1);
        }

        // 2. The database.
        ProvisionedPostgres provisioned = PostgresProvisioner.provision(settings.postgresUrl(),
                settings.postgresUser(), settings.postgresPassword(), dataDir, say);
        running.push(provisioned);
        postgres = provisioned.connection();
        // The API serves the read models from its first request on, before the projector starts.
        ReadModelSchema.migrate(postgres.dataSource());

        // 3. HTTP API and WebSocket notifier, one Spring context, one port.
        SpringApplication app = new SpringApplication(StandaloneApplication.class);
        app.setRegisterShutdownHook(false);
        app.setDefaultProperties(webProperties(dataDir));
        web = app.run();
        running.push(web);
        httpPort = ((WebServerApplicationContext) web).getWebServer().getPort();

        // 4. The pipeline behind the outbox, in flow order.
        OutboxRelay relay = new OutboxRelay(RelayConfig.of(postgres.host(), postgres.port(), postgres.database(),
                postgres.user(), postgres.password(), bootstrapServers, dataDir.resolve("relay")));
        running.push(relay);
        relay.start();

        ReconcilerApp reconciler = new ReconcilerApp(ReconcilerConfig.of(bootstrapServers, dataDir.resolve("streams"))
                .withInstanceId(STATIC_MEMBER_ID));
        running.push(reconciler);
        reconciler.start();

        Projector projector = new Projector(ProjectorConfig.of(bootstrapServers).withInstanceId(STATIC_MEMBER_ID),
                postgres.dataSource());
        running.push(projector);
        projector.start();

        log.info("cumulus started port={} dataDir={} kafka={} postgres={}", httpPort, dataDir, bootstrapServers,
                postgres.jdbcUrl());
    }

    private Map<String, Object> webProperties(Path dataDir) {
        Map<String, Object> p = new HashMap<>();
        p.put("server.port", settings.httpPort());
        p.put("spring.datasource.url", postgres.jdbcUrl());
        p.put("spring.datasource.username", postgres.user());
        p.put("spring.datasource.password", postgres.password());
        p.put("cumulus.blobs.dir", dataDir.resolve("blobs").toString());
        p.put("cumulus.admin-token", adminToken(dataDir));
        p.put("cumulus.kafka.bootstrap-servers", bootstrapServers);
        return p;
    }

    /** The admin endpoints' bearer token: made once, kept in the data directory readable by its owner only. */
    public static String adminToken(Path dataDir) {
        Path file = dataDir.resolve("admin-token");
        try {
            if (Files.exists(file)) {
                return Files.readString(file).trim();
            }
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Path tmp = dataDir.resolve("admin-token.tmp");
            Files.writeString(tmp, token + "\n");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the data directory's own permissions protect it
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + dir, e);
        }
    }

    public int httpPort() {
        return httpPort;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public PostgresConnection postgres() {
        return postgres;
    }

    public Path dataDir() {
        return settings.dataDir();
    }

    /** Stops every started service, newest first; a failure to stop one does not keep the others running. */
    @Override
    public synchronized void close() {
        while (!running.isEmpty()) {
            AutoCloseable service = running.pop();
            try {
                service.close();
            } catch (Exception e) {
                log.warn("stopping {} failed: {}", service.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
