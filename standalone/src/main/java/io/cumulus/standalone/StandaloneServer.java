package io.cumulus.standalone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import io.cumulus.gc.ChunkGcConfig;
import io.cumulus.gc.GcSchema;
import io.cumulus.gc.refs.RefCountConsumer;
import io.cumulus.ingest.resilience.StoreBreakers;
import io.cumulus.ingest.IngestDatabase;
import io.cumulus.ingest.IngestSchema;
import io.cumulus.ingest.chunks.BlobStore;
import io.cumulus.ingest.chunks.BlobStores;
import io.cumulus.ingest.chunks.ChunkCatalog;
import io.cumulus.ingest.chunks.DerivativeStore;
import io.cumulus.ingest.chunks.GuardedBlobStore;
import io.cumulus.photos.ChunkSource;
import io.cumulus.photos.PhotoWorker;
import io.cumulus.photos.PhotoWorkerConfig;
import io.cumulus.photos.PhotosSchema;
import io.cumulus.photos.albums.AlbumProjector;
import io.cumulus.photos.albums.AlbumProjectorConfig;
import io.cumulus.photos.image.PhotoDeriver;
import io.cumulus.projector.CassandraSettings;
import io.cumulus.projector.CassandraSyncStateSchema;
import io.cumulus.projector.Projector;
import io.cumulus.projector.ProjectorConfig;
import io.cumulus.projector.ReadModelSchema;
import io.cumulus.reconciler.ReconcilerApp;
import io.cumulus.reconciler.ReconcilerConfig;
import io.cumulus.relay.OutboxRelay;
import io.cumulus.relay.RelayConfig;
import io.cumulus.schemas.TopicSpecs;
import io.cumulus.standalone.StandaloneSettings.Service;
import io.cumulus.standalone.operations.ManagementServer;
import io.cumulus.standalone.operations.ProcessOperations;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;

/**
 * Every Cumulus service in one JVM (or the ones {@code --services} names), started in the order of an
 * edit's flow: the event log and the database first, then the HTTP API, notifier and merge worker (one
 * Spring context, which creates the ingest schema and runs the chunk collector), the outbox relay, the
 * reconciler, the projector and the chunk reference counter.
 * Several such processes may share one Kafka cluster and one database, each with its own
 * {@code --instance-id}: the reconciler's, projector's and counter's static group membership, under
 * which a restarted process takes its partitions back at once. {@link #close()} stops them in reverse
 * order, so nothing that was acknowledged is lost: an accepted batch is in PostgreSQL before its 202,
 * and every later hop resumes from durable offsets.
 */
public final class StandaloneServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StandaloneServer.class);

    private final StandaloneSettings settings;
    private final Consumer<String> say;
    private final Deque<AutoCloseable> running = new ArrayDeque<>();
    private String bootstrapServers;
    private PostgresConnection postgres;
    private ConfigurableApplicationContext web;
    private int httpPort;
    private volatile OutboxRelay relay;
    private ReconcilerApp reconciler;
    private Projector projector;
    private RefCountConsumer refCounter;
    private PhotoWorker photoWorker;
    private AlbumProjector albumProjector;

    private boolean closed;
    private Thread watchdog;
    /** Metrics and health of every service of this process (docs/metrics.md). */
    private ProcessOperations operations;

    private StandaloneServer(StandaloneSettings settings, Consumer<String> say) {
        this.settings = settings;
        this.say = say;
    }

    /** A server not started yet: {@link #close()} may be registered (say, as a shutdown hook) before {@link #run}. */
    public static StandaloneServer create(StandaloneSettings settings, Consumer<String> say) {
        return new StandaloneServer(settings, say);
    }

    /** Starts everything; on any failure, stops what had started and rethrows. */
    public static StandaloneServer start(StandaloneSettings settings, Consumer<String> say) {
        StandaloneServer server = create(settings, say);
        server.run(stage -> { });
        return server;
    }

    /**
     * Starts every service, then watches the pipeline: when a stage stops for good (the relay, the
     * reconciler, the projector or the chunk reference counter), {@code onStageFailure} is told which
     * and why, since the API would otherwise go on accepting batches that nothing moves on. On a
     * failure to start, stops what had started and rethrows.
     */
    public void run(Consumer<String> onStageFailure) {
        try {
            startAll();
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
        watchdog = new Thread(() -> watch(onStageFailure), "cumulus-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** Runs a started service until close; a service started after close (a Ctrl-C during start-up) stops at once. */
    private synchronized <T extends AutoCloseable> T running(T service) {
        running.push(service);
        if (closed) {
            close();
            throw new IllegalStateException("stopped while starting");
        }
        return service;
    }

    private void watch(Consumer<String> onStageFailure) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(1000); // a health check, not a wait for a condition some event could signal
                stoppedStage().ifPresent(stage -> {
                    log.error("pipeline stage stopped {}", stage);
                    onStageFailure.accept(stage);
                    Thread.currentThread().interrupt();
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The first pipeline stage that has stopped for good, in words; empty while all run. */
    public synchronized java.util.Optional<String> stoppedStage() {
        if (closed) {
            return java.util.Optional.empty();
        }
        if (relay != null && relay.failure().isPresent()) {
            return java.util.Optional.of("stage=outbox-relay error=" + relay.failure().get());
        }
        if (reconciler != null && !reconciler.state().isRunningOrRebalancing()
                && reconciler.state() != org.apache.kafka.streams.KafkaStreams.State.CREATED) {
            return java.util.Optional.of("stage=reconciler state=" + reconciler.state());
        }
        if (projector != null && projector.failure().isPresent()) {
            return java.util.Optional.of("stage=projector error=" + projector.failure().get());
        }
        if (refCounter != null && refCounter.failure().isPresent()) {
            return java.util.Optional.of("stage=chunk-ref-counter error=" + refCounter.failure().get());
        }
        if (photoWorker != null && photoWorker.failure().isPresent()) {
            return java.util.Optional.of("stage=photos error=" + photoWorker.failure().get());
        }
        if (albumProjector != null && albumProjector.failure().isPresent()) {
            return java.util.Optional.of("stage=album-projector error=" + albumProjector.failure().get());
        }
        return java.util.Optional.empty();
    }

    private void startAll() {
        Path dataDir = settings.dataDir();
        createDirectories(dataDir);
        operations = running(new ProcessOperations(this::stoppedStage));

        // 1. The event log.
        if (settings.kafkaBootstrap().isPresent()) {
            bootstrapServers = settings.kafkaBootstrap().get();
            say.accept("Kafka: " + bootstrapServers + " (external)");
        } else {
            InProcessKafka kafka = running(InProcessKafka.start(dataDir.resolve("kafka"), settings.kafkaPort()));
            bootstrapServers = kafka.bootstrapServers();
            say.accept("Kafka: in-process broker on " + bootstrapServers + ", log in " + dataDir.resolve("kafka"));
        }
        short replicationFactor;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            replicationFactor = replicationFactor(admin);
            TopicSpecs.ensure(admin, settings.partitions(), replicationFactor);
        }
        operations.kafka(bootstrapServers, settings.instanceId());

        // 2. The database.
        ProvisionedPostgres provisioned = PostgresProvisioner.provision(settings.postgresUrl(),
                settings.postgresUser(), settings.postgresPassword(), dataDir, say);
        running(provisioned);
        postgres = provisioned.connection();
        operations.postgres(postgres.dataSource());
        if (settings.runs(Service.API)) {
            // The API serves the read models from its first request on, before any projector has started.
            ReadModelSchema.migrate(postgres.dataSource());
        } else if (settings.runs(Service.RELAY)) {
            // The relay publishes the outbox, which the API's schema holds: it must exist before the relay's publication.
            IngestSchema.migrate(postgres.dataSource());
        }
        if (settings.runs(Service.GC) || settings.runs(Service.API) && settings.gc()) {
            // The counter writes the reference counts; the API's collector reads them from its first sweep on.
            GcSchema.migrate(postgres.dataSource());
        }
        if (settings.runs(Service.API) || settings.runs(Service.PHOTOS)) {
            // The API serves the library from its first request on, before the photo worker has started.
            PhotosSchema.migrate(postgres.dataSource());
        }
        Optional<CassandraSettings> cassandra = projectorCassandra();
        if (settings.runs(Service.API) || settings.runs(Service.PROJECTOR)) {
            // Both read it from their start: the API's sync-state reads, the projector's writes.
            cassandra.ifPresent(c -> {
                CassandraSyncStateSchema.create(c);
                say.accept("Sync state: Cassandra at " + c.contactPoints() + ", keyspace " + c.keyspace());
            });
        }

        // 3. HTTP API, WebSocket notifier and merge worker, one Spring context, one port.
        if (settings.runs(Service.API)) {
            SpringApplication app = new SpringApplication(StandaloneApplication.class);
            app.setRegisterShutdownHook(false);
            app.setDefaultProperties(webProperties(dataDir));
            app.addInitializers(StandaloneApplication.operatedBy(operations));
            web = running(app.run());
            operations.api(web.getBean(BlobStore.class), settings.merge()
                    ? Optional.of(io.cumulus.ingest.merge.MergeSettings.DEFAULT_GROUP_ID) : Optional.empty());
            httpPort = ((WebServerApplicationContext) web).getWebServer().getPort();
            say.accept(settings.gc()
                    ? "Chunk collection: every " + settings.gcInterval() + ", grace period " + settings.gcGrace()
                    : "Chunk collection: off (--gc=off), no chunk is deleted");
            say.accept(settings.backPressure().enabled()
                    ? "Back-pressure: new batches get 503 while the oldest undecided one is over "
                            + settings.backPressure().maxLag().toMillis() + " ms old or over "
                            + settings.backPressure().maxPendingChanges() + " changes are undecided"
                    : "Back-pressure: off (--backpressure=off), batches are accepted however far behind the pipeline is");
        }

        // 4. The pipeline behind the outbox, in flow order.
        if (settings.runs(Service.RELAY)) {
            // The relay's breaker joins the API's registry, whose breakers are exported at /actuator/prometheus.
            CircuitBreakerRegistry breakers = web != null ? web.getBean(CircuitBreakerRegistry.class)
                    : StoreBreakers.registry(java.time.Duration.ofSeconds(5));
            relay = new OutboxRelay(RelayConfig.of(postgres.host(), postgres.port(), postgres.database(),
                    postgres.user(), postgres.password(), bootstrapServers, dataDir.resolve("relay")), breakers);
            running(relay).start();
            operations.relay(relay, postgres.dataSource());
            say.accept("Outbox relay: " + (relay.isActive() ? "active" : "standing by (another relay of this database is active)"));
        }

        if (settings.runs(Service.RECONCILER)) {
            ReconcilerConfig reconcilerConfig = ReconcilerConfig.of(bootstrapServers,
                            dataDir.resolve("streams").resolve(settings.instanceId()))
                    .withInstanceId(settings.instanceId())
                    .withReplicationFactor(replicationFactor)
                    .withConflictPolicy(settings.conflicts())
                    .withRetention(settings.retention())
                    // As the API instances' merge worker: a copy is marked as waiting only for a worker that runs.
                    .withTextMerge(settings.merge());
            reconciler = new ReconcilerApp(reconcilerConfig);
            running(reconciler).start();
            if (web != null) {
                // Its stores are rebuilt where it runs: beside the API of this process.
                web.getBean(io.cumulus.standalone.rebuild.Rebuilds.class)
                        .register(new io.cumulus.standalone.rebuild.ReconcilerProjection(reconciler));
            }
            operations.reconciler(reconciler);
        }

        if (settings.runs(Service.PROJECTOR)) {
            ProjectorConfig projectorConfig = ProjectorConfig.of(bootstrapServers).withInstanceId(settings.instanceId());
            projector = new Projector(cassandra.map(projectorConfig::withCassandra).orElse(projectorConfig),
                    postgres.dataSource());
            running(projector).start();
            operations.projector(projector, projectorConfig.groupId(), cassandra.map(CassandraSettings::contactPoints));
        }

        if (settings.runs(Service.GC)) {
            refCounter = new RefCountConsumer(ChunkGcConfig.of(bootstrapServers).withInstanceId(settings.instanceId()),
                    postgres.dataSource());
            running(refCounter).start();
            operations.gc(refCounter, ChunkGcConfig.DEFAULT_GROUP_ID);
        }

        if (settings.runs(Service.PHOTOS)) {
            PhotoDeriver deriver = new PhotoDeriver(PhotoDeriver.defaults());
            DerivativeStore derivatives = derivativeStore(dataDir);
            photoWorker = new PhotoWorker(PhotoWorkerConfig.of(bootstrapServers, dataDir.resolve("photos"))
                    .withInstanceId(settings.instanceId()), postgres.dataSource(), chunkSource(derivatives), deriver);
            running(photoWorker).start();
            // Albums and favourites: the API's requests wait for this projection of their events.
            albumProjector = new AlbumProjector(AlbumProjectorConfig.of(bootstrapServers, postgres.dataSource())
                    .withInstanceId(settings.instanceId()));
            running(albumProjector).start();
            operations.photos(photoWorker, PhotoWorkerConfig.GROUP_ID, albumProjector, AlbumProjectorConfig.DEFAULT_GROUP_ID,
                    derivatives.blobs());
            say.accept(deriver.missingTools().map(missing -> "Photo library: " + missing)
                    .orElse("Photo library: thumbnails, previews and metadata of every image"));
        }

        // 5. Metrics and health: on the API's port, else on a management port of their own.
        operations.serve(web != null, settings.bindAddress(), settings.managementPort(),
                settings.adminToken().orElseGet(() -> adminToken(dataDir))).ifPresent(management -> say.accept(
                "Metrics and health: http://" + settings.localHost() + ":" + management.port() + ManagementServer.METRICS
                        + " (admin token), " + ManagementServer.LIVE + ", " + ManagementServer.READY));

        log.info("cumulus started services={} instanceId={} port={} dataDir={} kafka={} postgres={}",
                settings.services(), settings.instanceId(), httpPort, dataDir, bootstrapServers, postgres.jdbcUrl());
    }

    /**
     * The replication factor of the topics this process creates: the one asked for, else 1 on the
     * in-process broker and three (or every broker of a smaller cluster) on an external cluster.
     */
    private short replicationFactor(Admin admin) {
        int brokers;
        try {
            brokers = admin.describeCluster().nodes().get(30, java.util.concurrent.TimeUnit.SECONDS).size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking Kafka for its brokers", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot reach Kafka at " + bootstrapServers + ": " + e.getMessage(), e);
        }
        int factor = settings.replicationFactor().orElse(Math.min(3, brokers));
        if (factor > brokers) {
            throw new StandaloneSettings.BadSettings("--replication-factor=" + factor + " but the Kafka cluster at "
                    + bootstrapServers + " has " + brokers + " broker(s) running");
        }
        say.accept("Topics: " + settings.partitions() + " partitions, replication factor " + factor + " (" + brokers
                + " broker(s))");
        return (short) factor;
    }

    private Map<String, Object> webProperties(Path dataDir) {
        Map<String, Object> p = new HashMap<>();
        p.put("server.port", settings.httpPort());
        p.put("server.address", settings.bindAddress());
        p.put("spring.datasource.url", postgres.jdbcUrl());
        p.put("spring.datasource.username", postgres.user());
        p.put("spring.datasource.password", postgres.password());
        p.put("cumulus.blobs.dir", dataDir.resolve("blobs").toString());
        p.put("cumulus.admin-token", settings.adminToken().orElseGet(() -> adminToken(dataDir)));
        p.put("cumulus.kafka.bootstrap-servers", bootstrapServers);
        p.put("cumulus.retention.days", settings.retention().period().toDays());
        p.put("cumulus.retention.versions", settings.retention().minVersions());
        // The merge worker runs in the web context (it submits through the intake), beside the pipeline.
        p.put("cumulus.merge.enabled", settings.merge());
        p.put("cumulus.conflicts.rules", settings.conflictRules());
        // The chunk collector runs in the web context too, where the chunks' catalogue and blob store are.
        p.putAll(settings.gcProperties());
        // The intake refuses new batches while the pipeline is behind; the notifier in this context tells it what is decided.
        p.putAll(settings.backPressureProperties());
        p.putAll(settings.blobStore());
        p.putAll(settings.syncState());
        // Rate limits shared with the other API instances through Redis, when one is given.
        p.putAll(settings.rateLimitProperties());
        return p;
    }

    /**
     * The chunk store as the photo worker writes derivatives to it: the API's own catalogue and blob
     * store when the API runs in this process, else the same store opened from the same settings.
     */
    private DerivativeStore derivativeStore(Path dataDir) {
        if (web != null) {
            return new DerivativeStore(web.getBean(ChunkCatalog.class), web.getBean(BlobStore.class));
        }
        Map<String, String> p = settings.blobStore();
        CircuitBreakerRegistry breakers = StoreBreakers.registry(java.time.Duration.ofSeconds(5));
        BlobStore blobs = new GuardedBlobStore(BlobStores.open(p.getOrDefault("cumulus.blobs.store", "local"),
                dataDir.resolve("blobs"), p.getOrDefault("cumulus.s3.endpoint", ""),
                p.getOrDefault("cumulus.s3.bucket", "cumulus-chunks"), p.getOrDefault("cumulus.s3.access-key", ""),
                p.getOrDefault("cumulus.s3.secret-key", ""), p.getOrDefault("cumulus.s3.region", "us-east-1")), breakers);
        IngestDatabase db = IngestDatabase.migrated(postgres.dataSource(), breakers.circuitBreaker("photos-postgres"));
        return new DerivativeStore(new ChunkCatalog(db), blobs);
    }

    private static ChunkSource chunkSource(DerivativeStore store) {
        return new ChunkSource() {
            @Override
            public Optional<java.io.InputStream> open(String chunkId) {
                return store.open(chunkId);
            }

            @Override
            public String store(byte[] bytes) {
                return store.store(bytes);
            }
        };
    }

    /** The projector's view of the Cassandra the web context reads, when the sync state is there. */
    private Optional<CassandraSettings> projectorCassandra() {
        if (!settings.syncStateOnCassandra()) {
            return Optional.empty();
        }
        Map<String, String> p = settings.syncState();
        List<InetSocketAddress> contactPoints = io.cumulus.ingest.syncstate.CassandraSettings
                .parseContactPoints(p.get("cumulus.cassandra.contact-points")).stream()
                .map(a -> new InetSocketAddress(a.getHostString(), a.getPort()))
                .toList();
        return Optional.of(CassandraSettings.of(contactPoints, p.get("cumulus.cassandra.datacenter"),
                p.get("cumulus.cassandra.keyspace")));
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
            Files.deleteIfExists(tmp);
            try {
                // readable by its owner only from the moment it exists
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(tmp); // not a POSIX file system: the data directory's own permissions protect it
            }
            Files.writeString(tmp, token + "\n");
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

    /** Whether this process's outbox relay is the active one (false when it stands by, or runs no relay). */
    public boolean relayActive() {
        OutboxRelay r = relay;
        return r != null && r.isActive();
    }

    public int httpPort() {
        return httpPort;
    }

    /** The port of the management server: metrics and health of a process that runs no API; empty when it runs one. */
    public Optional<Integer> managementPort() {
        return operations == null ? Optional.empty() : operations.managementPort();
    }

    /** The rebuilds of derived stores ({@code ./cumulus admin rebuild}), run by this process's API; empty without one. */
    public Optional<io.cumulus.standalone.rebuild.Rebuilds> rebuilds() {
        return web == null ? Optional.empty() : Optional.of(web.getBean(io.cumulus.standalone.rebuild.Rebuilds.class));
    }

    public String baseUrl() {
        return "http://" + settings.localHost() + ":" + httpPort;
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
        closed = true;
        if (watchdog != null) {
            watchdog.interrupt();
        }
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
