package io.cumulus.standalone;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.cumulus.ingest.backpressure.BackPressureSettings;
import io.cumulus.sync.conflict.ConflictPolicy;
import io.cumulus.sync.gc.GracePeriod;
import io.cumulus.sync.gc.SweepInterval;
import io.cumulus.sync.history.RetentionPolicy;

/**
 * Where the standalone process keeps its data and where it listens. Each setting comes from a
 * command-line option, else an environment variable, else a default:
 * <pre>
 *   --data-dir=DIR            CUMULUS_DATA_DIR           ~/.cumulus
 *   --port=N                  CUMULUS_PORT               8080
 *   --bind-address=ADDRESS    CUMULUS_BIND_ADDRESS       127.0.0.1 (this machine only; 0.0.0.0 for every interface)
 *   --kafka-port=N            CUMULUS_KAFKA_PORT         9092  (the in-process broker)
 *   --kafka-bootstrap=H:P     CUMULUS_KAFKA_BOOTSTRAP    unset: run the in-process broker
 *   --postgres-url=JDBC_URL   CUMULUS_POSTGRES_URL       unset: 127.0.0.1:5432/cumulus, else embedded
 *   --postgres-user=U         CUMULUS_POSTGRES_USER      postgres
 *   --postgres-password=P     CUMULUS_POSTGRES_PASSWORD  (empty)
 *   --partitions=N            CUMULUS_PARTITIONS         4
 *   --conflict-rules=RULES    CUMULUS_CONFLICT_RULES     (the defaults) ext=merge|last-writer-wins|keep-both,...
 *   --retention-days=N        CUMULUS_RETENTION_DAYS     30  (old versions and the trash)
 *   --retention-versions=N    CUMULUS_RETENTION_VERSIONS 10  (kept however old)
 *   --merge=on|off            CUMULUS_MERGE              on  (three-way merge of concurrent text edits; the API
 *                                                        and the reconciler must be given the same value)
 *   --gc=on|off               CUMULUS_GC                 on  (this process's API deletes chunks nothing references)
 *   --gc-grace=DURATION       CUMULUS_GC_GRACE           24h (unreferenced and not uploaded for this long first)
 *   --gc-interval=DURATION    CUMULUS_GC_INTERVAL        1m  (between two sweeps; at least 100ms)
 *   --backpressure=on|off     CUMULUS_BACKPRESSURE       on  (the API answers 503 to new batches while the pipeline
 *                                                        is past --max-lag or --max-pending-changes)
 *   --max-lag=DURATION        CUMULUS_MAX_LAG            10s (age of the oldest batch not decided yet; at least 100ms)
 *   --max-pending-changes=N   CUMULUS_MAX_PENDING_CHANGES 5000 (changes accepted and not decided yet)
 *   --blob-store=local|s3     CUMULUS_BLOB_STORE         local (chunks under DATA_DIR/blobs)
 *   --s3-endpoint=URL         CUMULUS_S3_ENDPOINT        (required with s3)
 *   --s3-bucket=NAME          CUMULUS_S3_BUCKET          cumulus-chunks (created when missing)
 *   --s3-access-key=K         CUMULUS_S3_ACCESS_KEY      (required with s3)
 *   --s3-secret-key=S         CUMULUS_S3_SECRET_KEY      (required with s3)
 *   --s3-region=R             CUMULUS_S3_REGION          us-east-1
 *   --services=LIST           CUMULUS_SERVICES           all: api,relay,reconciler,projector,gc,photos (api includes the
 *                                                        notifier, the merge worker and the chunk collector; gc is the
 *                                                        chunk reference counter); a subset needs --kafka-bootstrap
 *   --instance-id=ID          CUMULUS_INSTANCE_ID        cumulus-standalone (static group membership, state directory)
 *   --replication-factor=N    CUMULUS_REPLICATION_FACTOR auto: 1 for the in-process broker, else min(3, brokers)
 *   --sync-state=postgres|cassandra  CUMULUS_SYNC_STATE  postgres (where devices' feed, files and cursors live)
 *   --cassandra-contact-points=H:P,...  CUMULUS_CASSANDRA_CONTACT_POINTS  127.0.0.1:9042
 *   --cassandra-datacenter=DC CUMULUS_CASSANDRA_DATACENTER  datacenter1
 *   --cassandra-keyspace=KS   CUMULUS_CASSANDRA_KEYSPACE cumulus (created with replication factor 1 when missing)
 *   --admin-token=T           CUMULUS_ADMIN_TOKEN        unset: made once and kept in DATA_DIR/admin-token
 *   --schema-registry=URL     CUMULUS_SCHEMA_REGISTRY    unset: single-object encoding; else a Confluent-compatible
 *                                                        registry API, and records in Confluent's wire format
 *   --redis-url=URL           CUMULUS_REDIS_URL          unset: rate limits in this process; redis://HOST:PORT shares
 *                                                        them between API instances (docs/limits.md)
 *   --management-port=N       CUMULUS_MANAGEMENT_PORT    9464 (metrics and health of a process without the api
 *                                                        service, on --bind-address; docs/metrics.md)
 *   --log-format=text|json    CUMULUS_LOG_FORMAT         text (json: one object per line, with the correlation id)
 * </pre>
 * A duration is a whole number and a unit ({@code 24h}, {@code 30s}, {@code 7d}; the interval and the
 * maximum lag also {@code 200ms}) or ISO-8601 ({@code PT24H}).
 */
public record StandaloneSettings(
        Path dataDir,
        int httpPort,
        String bindAddress,
        int kafkaPort,
        Optional<String> kafkaBootstrap,
        Optional<String> postgresUrl,
        String postgresUser,
        String postgresPassword,
        int partitions,
        String conflictRules,
        RetentionPolicy retention,
        boolean merge,
        boolean gc,
        Duration gcGrace,
        Duration gcInterval,
        BackPressureSettings backPressure,
        Map<String, String> blobStore,
        Set<Service> services,
        String instanceId,
        Optional<Integer> replicationFactor,
        Map<String, String> syncState,
        Optional<String> adminToken,
        Optional<String> redisUrl,
        int managementPort,
        LogFormat logFormat,
        Optional<String> schemaRegistry) {

    static final List<String> OPTIONS = List.of("data-dir", "port", "bind-address", "kafka-port", "kafka-bootstrap",
            "postgres-url", "postgres-user", "postgres-password", "partitions", "conflict-rules", "retention-days",
            "retention-versions", "merge", "gc", "gc-grace", "gc-interval", "backpressure",
            "max-lag", "max-pending-changes", "blob-store", "s3-endpoint", "s3-bucket",
            "s3-access-key", "s3-secret-key", "s3-region", "services", "instance-id", "replication-factor", "sync-state", "cassandra-contact-points",
            "cassandra-datacenter", "cassandra-keyspace", "admin-token", "redis-url", "management-port",
            "log-format", "schema-registry");

    /** The instance id of a process that runs alone: its reconciler and projector are static group members under it. */
    public static final String DEFAULT_INSTANCE_ID = "cumulus-standalone";

    /**
     * The services one process can run; several processes, each with some or all of them, share one
     * Kafka cluster and one PostgreSQL database.
     */
    public enum Service {
        /** The HTTP API, the notifier's WebSocket endpoint and the merge worker: one Spring context on one port. */
        API,
        /** The outbox relay: one of all running relays is active, the others stand by. */
        RELAY,
        RECONCILER,
        PROJECTOR,
        /**
         * The chunk reference counter: counts the chunk-refs topic into {@code gc.chunk_store}, which the
         * API's chunk collector reads. One consumer group, so any number of processes may run it.
         */
        GC,
        /**
         * The photo library's worker: derives metadata, thumbnails and previews from the file events into
         * {@code photos.*} and the chunk store. One consumer group, so any number of processes may run it.
         */
        PHOTOS;

        String optionName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Thrown for an unknown option or a malformed value; the message is meant for the user. */
    public static final class BadSettings extends RuntimeException {
        public BadSettings(String message) {
            super(message);
        }
    }

    public static StandaloneSettings from(List<String> args, Map<String, String> env) {
        Map<String, String> given = new java.util.HashMap<>();
        List<String> unknown = new ArrayList<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                unknown.add(arg);
                continue;
            }
            String key = arg.substring(2, arg.indexOf('='));
            if (!OPTIONS.contains(key)) {
                unknown.add(arg);
                continue;
            }
            given.put(key, arg.substring(arg.indexOf('=') + 1));
        }
        if (!unknown.isEmpty()) {
            throw new BadSettings("unknown option(s) " + unknown + "; known: "
                    + OPTIONS.stream().map(o -> "--" + o + "=...").toList());
        }
        java.util.function.Function<String, Optional<String>> value = key -> Optional
                .ofNullable(given.get(key))
                .or(() -> Optional.ofNullable(env.get("CUMULUS_" + key.toUpperCase().replace('-', '_'))))
                .filter(v -> !v.isBlank());
        Path dataDir = value.apply("data-dir").map(Path::of)
                .orElse(Path.of(System.getProperty("user.home"), ".cumulus"));
        return new StandaloneSettings(
                dataDir.toAbsolutePath().normalize(),
                port(value.apply("port").orElse("8080"), "port"),
                bindAddress(value.apply("bind-address").orElse(DEFAULT_BIND_ADDRESS)),
                port(value.apply("kafka-port").orElse("9092"), "kafka-port"),
                value.apply("kafka-bootstrap"),
                value.apply("postgres-url"),
                value.apply("postgres-user").orElse("postgres"),
                value.apply("postgres-password").orElse(""),
                positive(value.apply("partitions").orElse("4"), "partitions"),
                validConflictRules(value.apply("conflict-rules").orElse("")),
                retention(value.apply("retention-days").orElse("30"), value.apply("retention-versions").orElse("10")),
                onOff(value.apply("merge").orElse("on"), "merge"),
                onOff(value.apply("gc").orElse("on"), "gc"),
                duration(value.apply("gc-grace").orElse("24h"), "gc-grace", GracePeriod::parse),
                duration(value.apply("gc-interval").orElse("1m"), "gc-interval", SweepInterval::parse),
                backPressure(value),
                blobStore(value),
                services(value.apply("services").orElse("all"), value.apply("kafka-bootstrap").isPresent()),
                instanceId(value.apply("instance-id").orElse(DEFAULT_INSTANCE_ID)),
                replicationFactor(value.apply("replication-factor").orElse("auto"), value.apply("kafka-bootstrap").isPresent()),
                syncState(value),
                adminToken(value.apply("admin-token")),
                redisUrl(value.apply("redis-url")),
                port(value.apply("management-port").orElse(String.valueOf(DEFAULT_MANAGEMENT_PORT)), "management-port"),
                LogFormat.parse(value.apply("log-format").orElse("text")),
                schemaRegistry(value.apply("schema-registry")));
    }

    /**
     * The address the HTTP API and the notifier listen on by default: the loopback interface, so a
     * server started on a laptop is not reachable from the network until its operator says so.
     */
    public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";

    /**
     * Where a process that runs no API serves {@code /actuator/prometheus}, {@code /health/live} and
     * {@code /health/ready} (an API process serves them on its own port): Prometheus exporters' usual port.
     */
    public static final int DEFAULT_MANAGEMENT_PORT = 9464;

    private static String bindAddress(String address) {
        String a = address.trim();
        try {
            InetAddress.getByName(a);
        } catch (UnknownHostException e) {
            throw new BadSettings("--bind-address must be an IP address of this machine (127.0.0.1, 0.0.0.0 for every"
                    + " interface) or a host name, was '" + a + "'");
        }
        return a;
    }

    /**
     * The host a command on this machine reaches the server at: the loopback address when the server
     * listens on it (or on every interface), else the one address it listens on.
     */
    public String localHost() {
        try {
            InetAddress bound = InetAddress.getByName(bindAddress);
            if (bound.isAnyLocalAddress() || bound.isLoopbackAddress()) {
                return "127.0.0.1";
            }
            return bound instanceof java.net.Inet6Address ? "[" + bound.getHostAddress() + "]" : bound.getHostAddress();
        } catch (UnknownHostException e) {
            throw new BadSettings("--bind-address '" + bindAddress + "' no longer resolves");
        }
    }

    /** An operator's own admin token, which every process of one deployment must share: long enough not to be guessed. */
    private static Optional<String> adminToken(Optional<String> token) {
        token.ifPresent(t -> {
            if (t.trim().length() < 24 || t.trim().chars().anyMatch(Character::isWhitespace)) {
                throw new BadSettings("--admin-token must be at least 24 characters without spaces"
                        + " (for example: openssl rand -hex 32)");
            }
        });
        return token.map(String::trim);
    }

    /**
     * A schema registry's Confluent-compatible API ({@code http://HOST:PORT/apis/ccompat/v7} for Apicurio):
     * when given, the public topics' records are written in Confluent's wire format with the registry's
     * schema ids (docs/decisions/0037-schema-registry.md).
     */
    private static Optional<String> schemaRegistry(Optional<String> url) {
        return url.map(String::trim).map(u -> {
            try {
                java.net.URI uri = java.net.URI.create(u);
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                    throw new IllegalArgumentException("not an HTTP URL");
                }
                return u;
            } catch (IllegalArgumentException e) {
                String shown = u.length() > 80 ? u.substring(0, 80) + "..." : u;
                throw new BadSettings("--schema-registry must be the http(s) URL of a Confluent-compatible registry API"
                        + " (http://HOST:PORT/apis/ccompat/v7 for Apicurio), was '" + shown + "'");
            }
        });
    }

    /** A Redis server's URL as Lettuce reads it: {@code redis://[:password@]host[:port][/db]} or {@code rediss://...}. */
    private static Optional<String> redisUrl(Optional<String> url) {
        return url.map(String::trim).map(u -> {
            try {
                java.net.URI uri = java.net.URI.create(u);
                if (!("redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme())) || uri.getHost() == null) {
                    throw new IllegalArgumentException("not a redis URL");
                }
                return u;
            } catch (IllegalArgumentException e) {
                String shown = u.length() > 80 ? u.substring(0, 80) + "..." : u;
                throw new BadSettings("--redis-url must be redis://HOST:PORT (or rediss:// for TLS), was '" + shown + "'");
            }
        });
    }

    /** The rate limits' web properties: in the Redis at {@link #redisUrl} when one is given, else in the API's process. */
    public Map<String, String> rateLimitProperties() {
        return redisUrl.map(u -> Map.of("cumulus.redis.url", u)).orElse(Map.of());
    }

    /** Whether this process runs the service. */
    public boolean runs(Service service) {
        return services.contains(service);
    }

    private static Set<Service> services(String spec, boolean externalKafka) {
        if (spec.trim().equalsIgnoreCase("all")) {
            return java.util.EnumSet.allOf(Service.class);
        }
        Set<Service> chosen = java.util.EnumSet.noneOf(Service.class);
        List<String> known = java.util.Arrays.stream(Service.values()).map(Service::optionName).toList();
        for (String part : spec.split(",")) {
            String name = part.trim().toLowerCase(java.util.Locale.ROOT);
            if (name.isEmpty()) {
                continue;
            }
            Service service = java.util.Arrays.stream(Service.values()).filter(s -> s.optionName().equals(name)).findFirst()
                    .orElseThrow(() -> new BadSettings("--services: unknown service '" + name + "'; known: all or a list of "
                            + String.join(",", known)));
            chosen.add(service);
        }
        if (chosen.isEmpty()) {
            throw new BadSettings("--services must name at least one of " + String.join(",", known) + " (or all)");
        }
        if (chosen.size() < Service.values().length && !externalKafka) {
            // Services split over processes meet in Kafka: an in-process broker here would be seen by this process alone.
            throw new BadSettings("--services=" + spec + " runs part of Cumulus; the other parts must reach the same Kafka:"
                    + " give --kafka-bootstrap");
        }
        return Set.copyOf(chosen);
    }

    private static String instanceId(String id) {
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
            throw new BadSettings("--instance-id must be 1-63 letters, digits, dots, hyphens and underscores, starting"
                    + " with a letter or digit, was '" + id + "'");
        }
        return id;
    }

    private static Optional<Integer> replicationFactor(String text, boolean externalKafka) {
        if (text.trim().equalsIgnoreCase("auto")) {
            return Optional.empty();
        }
        int factor = positive(text, "replication-factor");
        if (factor < 1 || factor > Short.MAX_VALUE) {
            throw new BadSettings("--replication-factor must be auto or at least 1, was " + text);
        }
        if (factor > 1 && !externalKafka) {
            throw new BadSettings("--replication-factor=" + factor + " needs a Kafka cluster (--kafka-bootstrap);"
                    + " the in-process broker is a single node");
        }
        return Optional.of(factor);
    }

    /**
     * The sync state's web properties ({@code cumulus.sync-state.store}, {@code cumulus.cassandra.*}),
     * checked; the projector is given the same Cassandra settings.
     */
    private static Map<String, String> syncState(java.util.function.Function<String, Optional<String>> value) {
        String kind = value.apply("sync-state").orElse("postgres");
        Map<String, String> p = new java.util.TreeMap<>();
        p.put("cumulus.sync-state.store", kind);
        switch (kind) {
            case "postgres" -> {
            }
            case "cassandra" -> {
                String contactPoints = value.apply("cassandra-contact-points").orElse("127.0.0.1:9042");
                String datacenter = value.apply("cassandra-datacenter").orElse("datacenter1");
                String keyspace = value.apply("cassandra-keyspace").orElse("cumulus");
                try {
                    io.cumulus.ingest.syncstate.CassandraSettings.parseContactPoints(contactPoints);
                } catch (IllegalArgumentException e) {
                    throw new BadSettings("--cassandra-contact-points must be host:port,...: " + e.getMessage());
                }
                if (!keyspace.matches("[A-Za-z][A-Za-z0-9_]{0,47}")) {
                    throw new BadSettings("--cassandra-keyspace must be a Cassandra keyspace name (a letter, then up to 47"
                            + " letters, digits or underscores), was '" + keyspace + "'");
                }
                p.put("cumulus.cassandra.contact-points", contactPoints);
                p.put("cumulus.cassandra.datacenter", datacenter);
                p.put("cumulus.cassandra.keyspace", keyspace);
            }
            default -> throw new BadSettings("--sync-state must be postgres or cassandra, was '" + kind + "'");
        }
        return Map.copyOf(p);
    }

    /** Whether devices' sync state lives in Cassandra (else in PostgreSQL). */
    public boolean syncStateOnCassandra() {
        return "cassandra".equals(syncState.get("cumulus.sync-state.store"));
    }

    /** The blob store's web properties ({@code cumulus.blobs.store}, {@code cumulus.s3.*}), checked. */
    private static Map<String, String> blobStore(java.util.function.Function<String, Optional<String>> value) {
        String kind = value.apply("blob-store").orElse("local");
        Map<String, String> p = new java.util.TreeMap<>();
        p.put("cumulus.blobs.store", kind);
        switch (kind) {
            case "local" -> {
            }
            case "s3" -> {
                for (String required : List.of("s3-endpoint", "s3-access-key", "s3-secret-key")) {
                    String v = value.apply(required).orElseThrow(() -> new BadSettings("--blob-store=s3 needs --" + required
                            + " (or CUMULUS_" + required.toUpperCase(java.util.Locale.ROOT).replace('-', '_') + ")"));
                    p.put("cumulus.s3." + required.substring(3), v);
                }
                try {
                    java.net.URI endpoint = java.net.URI.create(p.get("cumulus.s3.endpoint"));
                    if (endpoint.getScheme() == null || endpoint.getHost() == null) {
                        throw new IllegalArgumentException("no scheme or host");
                    }
                } catch (IllegalArgumentException e) {
                    throw new BadSettings("--s3-endpoint must be a URL such as http://127.0.0.1:9000, was '"
                            + p.get("cumulus.s3.endpoint") + "'");
                }
                String bucket = value.apply("s3-bucket").orElse("cumulus-chunks");
                if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
                    throw new BadSettings("--s3-bucket must be an S3 bucket name (3-63 lower-case letters, digits, dots and "
                            + "hyphens), was '" + bucket + "'");
                }
                p.put("cumulus.s3.bucket", bucket);
                p.put("cumulus.s3.region", value.apply("s3-region").orElse("us-east-1"));
            }
            default -> throw new BadSettings("--blob-store must be local or s3, was '" + kind + "'");
        }
        return Map.copyOf(p);
    }

    private static boolean onOff(String text, String name) {
        return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "on", "true", "yes", "1" -> true;
            case "off", "false", "no", "0" -> false;
            default -> throw new BadSettings("--" + name + " must be on or off, was '" + text + "'");
        };
    }

    /** A duration option read by {@code parser}, whose refusal is told with the option's name. */
    private static Duration duration(String text, String option, java.util.function.Function<String, Duration> parser) {
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            throw new BadSettings("--" + option + ": " + e.getMessage());
        }
    }

    /**
     * The chunk collector's web properties: whether this process's API collects ({@code --gc} on and
     * the API runs here), and its grace period and sweep interval as ISO-8601 durations.
     */
    public Map<String, String> gcProperties() {
        return Map.of(
                "cumulus.gc.enabled", String.valueOf(gc && runs(Service.API)),
                "cumulus.gc.grace", gcGrace.toString(),
                "cumulus.gc.interval", gcInterval.toString());
    }

    private static BackPressureSettings backPressure(java.util.function.Function<String, Optional<String>> value) {
        boolean enabled = onOff(value.apply("backpressure").orElse("on"), "backpressure");
        Duration maxLag = value.apply("max-lag").map(text -> duration(text, "max-lag", BackPressureSettings::parseMaxLag))
                .orElse(BackPressureSettings.DEFAULT_MAX_LAG);
        int maxPending = positive(value.apply("max-pending-changes")
                .orElse(Long.toString(BackPressureSettings.DEFAULT_MAX_PENDING_CHANGES)), "max-pending-changes");
        if (maxPending < 1) {
            throw new BadSettings("--max-pending-changes must be at least 1, was " + maxPending);
        }
        return new BackPressureSettings(enabled, maxLag, maxPending);
    }

    /**
     * The intake's back-pressure as web properties ({@code cumulus.backpressure.*}): whether the API
     * refuses new batches while the pipeline is behind, and its two bounds (docs/decisions/0020).
     */
    public Map<String, String> backPressureProperties() {
        return Map.of(
                "cumulus.backpressure.enabled", String.valueOf(backPressure.enabled()),
                "cumulus.backpressure.max-lag", backPressure.maxLag().toString(),
                "cumulus.backpressure.max-pending-changes", Long.toString(backPressure.maxPendingChanges()));
    }

    /** The conflict policy the rules give (checked when the settings were read). */
    public ConflictPolicy conflicts() {
        return ConflictPolicy.parse(conflictRules);
    }

    private static String validConflictRules(String spec) {
        try {
            ConflictPolicy.parse(spec);
            return spec;
        } catch (IllegalArgumentException e) {
            throw new BadSettings("--conflict-rules: " + e.getMessage());
        }
    }

    private static RetentionPolicy retention(String days, String versions) {
        int keep = positive(versions, "retention-versions");
        if (keep < 1) {
            throw new BadSettings("--retention-versions must be at least 1, was " + versions);
        }
        return new RetentionPolicy(Duration.ofDays(positive(days, "retention-days")), keep);
    }

    private static int port(String text, String name) {
        int port = positive(text, name);
        if (port > 65535) {
            throw new BadSettings("--" + name + " must be a TCP port (1-65535), was " + text);
        }
        return port;
    }

    private static int positive(String text, String name) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BadSettings("--" + name + " must be a non-negative whole number, was '" + text + "'");
        }
    }
}
