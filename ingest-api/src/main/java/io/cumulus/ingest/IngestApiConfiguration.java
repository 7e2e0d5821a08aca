package io.cumulus.ingest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import javax.sql.DataSource;

import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import io.cumulus.ingest.auth.AccountController;
import io.cumulus.ingest.auth.AccountStore;
import io.cumulus.ingest.auth.Accounts;
import io.cumulus.ingest.auth.AdminToken;
import io.cumulus.ingest.auth.Argon2Settings;
import io.cumulus.ingest.auth.DeviceAuthentication;
import io.cumulus.ingest.auth.DeviceController;
import io.cumulus.ingest.auth.DeviceStore;
import io.cumulus.ingest.auth.OperatorEndpoints;
import io.cumulus.ingest.auth.PasswordHasher;
import io.cumulus.ingest.backpressure.BackPressure;
import io.cumulus.ingest.backpressure.BackPressureSettings;
import io.cumulus.ingest.backpressure.PipelineLag;
import io.cumulus.ingest.changes.BatchIntake;
import io.cumulus.ingest.changes.ChangeController;
import io.cumulus.ingest.chunks.BlobStore;
import io.cumulus.ingest.chunks.BlobStores;
import io.cumulus.ingest.chunks.ChunkCatalog;
import io.cumulus.ingest.chunks.ChunkController;
import io.cumulus.ingest.chunks.GuardedBlobStore;
import io.cumulus.ingest.chunks.RawChunkBody;
import io.cumulus.ingest.gc.ChunkCollector;
import io.cumulus.ingest.gc.CountedUpTo;
import io.cumulus.ingest.gc.Fsck;
import io.cumulus.ingest.gc.FsckController;
import io.cumulus.ingest.gc.GcSettings;
import io.cumulus.ingest.gc.RetainedReferences;
import io.cumulus.ingest.merge.ConflictMerger;
import io.cumulus.ingest.merge.MergeSettings;
import io.cumulus.ingest.merge.MergeWorker;
import io.cumulus.ingest.namespaces.NamespaceMembership;
import io.cumulus.ingest.reads.ReadController;
import io.cumulus.ingest.reads.ReadModel;
import io.cumulus.ingest.syncstate.CassandraSettings;
import io.cumulus.ingest.syncstate.CassandraSyncState;
import io.cumulus.ingest.syncstate.PostgresSyncState;
import io.cumulus.ingest.syncstate.SyncState;
import io.cumulus.ingest.resilience.StoreBreakers;
import io.cumulus.ingest.web.JsonBody;
import io.cumulus.ingest.web.ProblemErrorController;
import io.cumulus.ingest.web.ProblemErrorReportValve;
import io.cumulus.ingest.web.ProblemHandler;
import io.cumulus.sync.history.RetentionPolicy;
import io.cumulus.sync.conflict.ConflictPolicy;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.cumulus.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The ingest API in a Spring context: every bean of this module, declared here and nowhere else
 * (no component scanning). The {@code ingest} schema is migrated while the context starts, before
 * the web server accepts a request. Properties: {@code spring.datasource.*} (through the
 * context's {@link DataSource}), {@code cumulus.blobs.dir} (required),
 * {@code cumulus.admin-token} (admin endpoints, and the actuator's besides health, refuse everyone without it),
 * {@code cumulus.breakers.open-seconds} (how long an open store breaker refuses before probing; 5),
 * {@code cumulus.retention.days} / {@code cumulus.retention.versions} (30 and 10, as the reconciler's); for
 * the merge worker, {@code cumulus.merge.enabled} (default false), {@code cumulus.kafka.bootstrap-servers}
 * and {@code cumulus.conflicts.rules} (overrides of the conflict policy, as {@link ConflictPolicy#parse}
 * reads them); for the sync state, {@code cumulus.sync-state.store} ({@code postgres}, the default, or
 * {@code cassandra} with {@code cumulus.cassandra.*}, see {@link #ingestSyncState}); for the chunk
 * collector, {@code cumulus.gc.enabled} (default false), {@code cumulus.gc.grace} (24h) and
 * {@code cumulus.gc.interval} (1m), see {@link GcSettings}; for back-pressure at the intake,
 * {@code cumulus.backpressure.enabled} (true), {@code .max-lag} (10s) and {@code .max-pending-changes}
 * (5000), see {@link BackPressureSettings}; for the photo library, {@code cumulus.photos.*}, see
 * {@link io.cumulus.ingest.photos.PhotoApiConfiguration}; for rate limits, {@code cumulus.limits.*} and
 * {@code cumulus.redis.*}, see {@link io.cumulus.ingest.gateway.GatewayConfiguration}; for password hashes,
 * {@code cumulus.passwords.argon2.*}, see {@link #ingestPasswordHasher}. Bean names start with
 * {@code ingest} so that they sit beside any other module's beans in one context.
 */
@Configuration(proxyBeanMethods = false)
@Import({AccountController.class, DeviceController.class, ChunkController.class, ChangeController.class,
        ReadController.class, io.cumulus.ingest.reads.HistoryController.class,
        io.cumulus.ingest.reads.ConflictController.class, ProblemHandler.class, ProblemErrorController.class,
        io.cumulus.ingest.photos.PhotoApiConfiguration.class,
        io.cumulus.ingest.shares.ShareConfiguration.class,
        io.cumulus.ingest.audit.AuditApiConfiguration.class,
        io.cumulus.ingest.quota.QuotaConfiguration.class,
        io.cumulus.ingest.links.LinkApiConfiguration.class,
        io.cumulus.ingest.gateway.GatewayConfiguration.class})
public class IngestApiConfiguration {

    /** PostgreSQL for every request, behind the {@code postgres} circuit breaker. */
    @Bean
    IngestDatabase ingestDatabase(DataSource dataSource, CircuitBreakerRegistry ingestBreakers) {
        return IngestDatabase.migrated(dataSource, ingestBreakers.circuitBreaker("postgres"));
    }

    /** How long old versions and the trash stay restorable: the reconciler releases their chunks after it. */
    @Bean
    RetentionPolicy ingestRetention(@Value("${cumulus.retention.days:30}") long days,
                                    @Value("${cumulus.retention.versions:10}") int versions) {
        return new RetentionPolicy(Duration.ofDays(days), versions);
    }

    /**
     * The chunk store: a local directory ({@code cumulus.blobs.store=local}, the default) or an S3
     * bucket ({@code s3}: {@code cumulus.s3.endpoint}, {@code .bucket}, {@code .access-key},
     * {@code .secret-key}, {@code .region}), with uploads staged under the blob directory.
     */
    @Bean
    BlobStore ingestBlobStore(CircuitBreakerRegistry ingestBreakers, @Value("${cumulus.blobs.dir}") Path directory,
                              @Value("${cumulus.blobs.store:local}") String kind,
                              @Value("${cumulus.s3.endpoint:}") String endpoint,
                              @Value("${cumulus.s3.bucket:cumulus-chunks}") String bucket,
                              @Value("${cumulus.s3.access-key:}") String accessKey,
                              @Value("${cumulus.s3.secret-key:}") String secretKey,
                              @Value("${cumulus.s3.region:us-east-1}") String region) {
        BlobStore store = BlobStores.open(kind, directory, endpoint, bucket, accessKey, secretKey, region);
        return new GuardedBlobStore(store, ingestBreakers);
    }

    /**
     * The circuit breakers of the stores ({@link StoreBreakers}), with the state and call outcomes
     * of every breaker in it exported as metrics, including breakers other services of the process
     * add to it later.
     */
    @Bean
    CircuitBreakerRegistry ingestBreakers(ObjectProvider<MeterRegistry> meters,
                                          @Value("${cumulus.breakers.open-seconds:5}") long openSeconds) {
        CircuitBreakerRegistry registry = StoreBreakers.registry(Duration.ofSeconds(openSeconds));
        meters.ifAvailable(m -> TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(m));
        return registry;
    }

    @Bean
    AdminToken ingestAdminToken(@Value("${cumulus.admin-token:}") String token) {
        return new AdminToken(token);
    }

    /**
     * Errors Tomcat answers itself, before any servlet (malformed requests, oversized headers,
     * undecodable addresses), get a problem body too: the host's error report valve is ours. It is
     * added when the host starts, after every customizer, so it runs before any other such valve.
     */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> ingestTomcatProblems() {
        return factory -> factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof StandardHost host) {
                for (Valve valve : host.getPipeline().getValves()) {
                    if (valve instanceof ErrorReportValve && !(valve instanceof ProblemErrorReportValve)) {
                        host.getPipeline().removeValve(valve);
                    }
                }
                host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
            }
        });
    }

    /** Chunk uploads are read as raw bytes, before any filter could parse their body as a form. */
    @Bean
    FilterRegistrationBean<RawChunkBody> ingestRawChunkBody() {
        FilterRegistrationBean<RawChunkBody> registration = new FilterRegistrationBean<>(new RawChunkBody());
        registration.addUrlPatterns(RawChunkBody.URL_PATTERN);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    /** Every request's correlation id, before any other filter logs about it (docs/decisions/0039). */
    @Bean
    FilterRegistrationBean<io.cumulus.ingest.web.CorrelationFilter> ingestCorrelation() {
        FilterRegistrationBean<io.cumulus.ingest.web.CorrelationFilter> registration =
                new FilterRegistrationBean<>(new io.cumulus.ingest.web.CorrelationFilter());
        registration.setDispatcherTypes(jakarta.servlet.DispatcherType.REQUEST, jakarta.servlet.DispatcherType.ASYNC,
                jakarta.servlet.DispatcherType.ERROR);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    /** The actuator's endpoints other than health need the admin token. */
    @Bean
    FilterRegistrationBean<OperatorEndpoints> ingestOperatorEndpoints(AdminToken adminToken) {
        FilterRegistrationBean<OperatorEndpoints> registration = new FilterRegistrationBean<>(new OperatorEndpoints(adminToken));
        registration.addUrlPatterns("/actuator/*");
        return registration;
    }

    @Bean
    JsonBody ingestJsonBody() {
        return new JsonBody();
    }

    /**
     * Argon2id at {@code cumulus.passwords.argon2.memory-kib} (19456), {@code .iterations} (2) and
     * {@code .parallelism} (1), OWASP's settings; hashes made at other settings, and PBKDF2 ones, are
     * replaced at their account's next sign-in.
     */
    @Bean
    PasswordHasher ingestPasswordHasher(@Value("${cumulus.passwords.argon2.memory-kib:19456}") int memoryKib,
                                        @Value("${cumulus.passwords.argon2.iterations:2}") int iterations,
                                        @Value("${cumulus.passwords.argon2.parallelism:1}") int parallelism) {
        return new PasswordHasher(new java.security.SecureRandom(), new Argon2Settings(memoryKib, iterations, parallelism));
    }

    @Bean
    AccountStore ingestAccountStore(IngestDatabase db) {
        return new AccountStore(db);
    }

    @Bean
    Accounts ingestAccounts(AccountStore store, PasswordHasher hasher, io.cumulus.ingest.gateway.LoginThrottle throttle) {
        return new Accounts(store, hasher, throttle);
    }

    @Bean
    DeviceStore ingestDeviceStore(IngestDatabase db) {
        return new DeviceStore(db);
    }

    @Bean
    NamespaceMembership ingestNamespaceMembership(IngestDatabase db) {
        return new NamespaceMembership(db);
    }

    @Bean
    ChunkCatalog ingestChunkCatalog(IngestDatabase db) {
        return new ChunkCatalog(db);
    }

    @Bean
    BackPressureSettings ingestBackPressureSettings(@Value("${cumulus.backpressure.enabled:true}") boolean enabled,
                                                    @Value("${cumulus.backpressure.max-lag:10s}") Duration maxLag,
                                                    @Value("${cumulus.backpressure.max-pending-changes:5000}") long maxPendingChanges) {
        return new BackPressureSettings(enabled, maxLag, maxPendingChanges);
    }

    /**
     * The batches this instance accepted and the reconciler has not decided: counted only while the
     * process's reader of the outcomes topic tells it of decisions (the standalone process connects the
     * notifier's; docs/decisions/0020), so without one nothing is counted and nothing refused.
     */
    @Bean
    PipelineLag ingestPipelineLag(BackPressureSettings settings) {
        return new PipelineLag(settings.forgetAfter());
    }

    @Bean
    BackPressure ingestBackPressure(PipelineLag lag, BackPressureSettings settings, ObjectProvider<MeterRegistry> meters) {
        return new BackPressure(lag, settings, meters.getIfAvailable(io.micrometer.core.instrument.simple.SimpleMeterRegistry::new));
    }

    @Bean
    BatchIntake ingestBatchIntake(IngestDatabase db, NamespaceMembership membership, ChunkCatalog chunks, PipelineLag lag,
                                  io.cumulus.ingest.audit.AuditTrail audit, io.cumulus.ingest.quota.StorageQuotas quotas) {
        return new BatchIntake(db, membership, chunks, lag, audit, quotas);
    }

    @Bean
    ReadModel ingestReadModel(IngestDatabase db) {
        return new ReadModel(db);
    }

    /**
     * Where devices' polls are answered from: the PostgreSQL read model ({@code cumulus.sync-state.store=postgres},
     * the default) or Cassandra ({@code cassandra}: {@code cumulus.cassandra.contact-points} as
     * {@code host:port,...}, {@code .datacenter}, {@code .keyspace}, {@code .request-timeout},
     * {@code .consistency}, {@code .replication} for a keyspace created here), behind circuit breakers of
     * the API's registry. Closed with the context.
     */
    @Bean
    SyncState ingestSyncState(IngestDatabase db, CircuitBreakerRegistry ingestBreakers,
                              @Value("${cumulus.sync-state.store:postgres}") String store,
                              @Value("${cumulus.cassandra.contact-points:127.0.0.1:9042}") String contactPoints,
                              @Value("${cumulus.cassandra.datacenter:datacenter1}") String datacenter,
                              @Value("${cumulus.cassandra.keyspace:cumulus}") String keyspace,
                              @Value("${cumulus.cassandra.request-timeout:2s}") Duration requestTimeout,
                              @Value("${cumulus.cassandra.consistency:LOCAL_QUORUM}") String consistency,
                              @Value("${cumulus.cassandra.replication:" + CassandraSettings.SIMPLE_REPLICATION + "}")
                              String replication) {
        return switch (store) {
            case "postgres" -> new PostgresSyncState(db);
            case "cassandra" -> {
                CassandraSettings settings;
                try {
                    settings = new CassandraSettings(CassandraSettings.parseContactPoints(contactPoints), datacenter,
                            keyspace, replication, requestTimeout, consistency, CassandraSettings.FEED_BUCKET_SIZE);
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException("cumulus.cassandra.*: " + e.getMessage(), e);
                }
                yield CassandraSyncState.open(settings, ingestBreakers, db);
            }
            default -> throw new IllegalStateException("cumulus.sync-state.store must be postgres or cassandra, not '"
                    + store + "'");
        };
    }

    @Bean
    ConflictPolicy ingestConflictPolicy(@Value("${cumulus.conflicts.rules:}") String rules) {
        return ConflictPolicy.parse(rules);
    }

    /** Merges conflicted copies of text files on its own thread, when enabled; submits through the intake. */
    @Bean
    MergeWorker ingestMergeWorker(@Value("${cumulus.merge.enabled:false}") boolean enabled,
                                  @Value("${cumulus.kafka.bootstrap-servers:}") String bootstrapServers,
                                  ReadModel readModel, BlobStore blobs, ChunkCatalog chunks, BatchIntake intake,
                                  IngestDatabase db, ConflictPolicy policy) {
        return new MergeWorker(MergeSettings.of(enabled, bootstrapServers),
                new ConflictMerger(readModel, blobs, chunks, intake, db, policy));
    }

    @Bean
    GcSettings ingestGcSettings(@Value("${cumulus.gc.enabled:false}") boolean enabled,
                                @Value("${cumulus.gc.grace:24h}") String grace,
                                @Value("${cumulus.gc.interval:1m}") String interval) {
        return GcSettings.of(enabled, grace, interval);
    }

    @Bean
    RetainedReferences ingestRetainedReferences(IngestDatabase db, RetentionPolicy retention) {
        return new RetainedReferences(db, retention);
    }

    /**
     * Deletes unreferenced chunks on its own thread, when enabled (docs/decisions/0014: it runs where
     * the chunk catalogue and the blob store are); it reads the counts {@code chunk-gc-worker} keeps.
     */
    @Bean
    ChunkCollector ingestChunkCollector(GcSettings settings, IngestDatabase db, BlobStore blobs,
                                        RetainedReferences references,
                                        @Value("${cumulus.kafka.bootstrap-servers:}") String bootstrapServers,
                                        ObjectProvider<MeterRegistry> meters) {
        if (settings.enabled() && bootstrapServers.isBlank()) {
            throw new IllegalStateException("the chunk collector (cumulus.gc.enabled) needs cumulus.kafka.bootstrap-servers");
        }
        return new ChunkCollector(settings, db, blobs, references,
                new CountedUpTo(db, bootstrapServers, Topics.CHUNK_REFS),
                io.cumulus.ingest.gc.StoreGuard.of(db, bootstrapServers, Topics.CHUNK_REFS, Topics.FILE_EVENTS),
                meters.getIfAvailable(io.micrometer.core.instrument.simple.SimpleMeterRegistry::new),
                ChunkCollector.StepListener.NONE);
    }

    @Bean
    DeviceAuthentication ingestDeviceAuthentication(DeviceStore devices) {
        return new DeviceAuthentication(devices);
    }

    /**
     * Device tokens are checked before any ingest handler runs, and handed to handlers as a DeviceSession;
     * then the device's and its account's request limits are spent (in this order: a limit needs the session).
     */
    @Bean
    WebMvcConfigurer ingestWebMvc(DeviceAuthentication authentication, io.cumulus.ingest.gateway.RequestLimits requestLimits) {
        return new WebMvcConfigurer() {
            @Override
            public void addInterceptors(InterceptorRegistry registry) {
                registry.addInterceptor(authentication);
                registry.addInterceptor(requestLimits);
            }

            @Override
            public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
                resolvers.add(authentication);
            }
        };
    }

    // ---- fsck: the chunk store's consistency check, POST /v1/admin/fsck ----

    /**
     * The chunk store's consistency check, with the collector's grace period ({@link GcSettings}) and
     * the counter's progress read from {@code cumulus.kafka.bootstrap-servers} (without it, counts are
     * not compared and nothing is deleted).
     */
    @Bean
    Fsck ingestFsck(IngestDatabase db, BlobStore blobs, ChunkCatalog chunks, RetainedReferences retained,
                    GcSettings settings, @Value("${cumulus.kafka.bootstrap-servers:}") String bootstrapServers) {
        return new Fsck(db, blobs, chunks, retained, settings.grace(),
                new Fsck.Counter(bootstrapServers, Topics.CHUNK_REFS, Duration.ofSeconds(30)));
    }

    @Bean
    FsckController ingestFsckController(Fsck fsck, AdminToken adminToken) {
        return new FsckController(fsck, adminToken);
    }
}
