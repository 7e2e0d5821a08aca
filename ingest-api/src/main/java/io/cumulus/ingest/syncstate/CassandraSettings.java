package io.cumulus.ingest.syncstate;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;

/**
 * Where the Cassandra sync state lives and how the API talks to it: contact points, the local
 * datacenter, the keyspace (created with {@code replication} when missing, as the projector does),
 * the timeout of every request, the consistency level, and the feed's bucket size, which must be
 * the projector's ({@link #FEED_BUCKET_SIZE} unless a test says otherwise).
 */
public record CassandraSettings(
        List<InetSocketAddress> contactPoints,
        String localDatacenter,
        String keyspace,
        String replication,
        Duration requestTimeout,
        String consistency,
        long feedBucketSize) {

    /** Rows per feed partition, as the projector writes them. */
    public static final long FEED_BUCKET_SIZE = 4096;
    public static final String SIMPLE_REPLICATION = "{'class': 'SimpleStrategy', 'replication_factor': 1}";
    public static final int DEFAULT_PORT = 9042;
    private static final Pattern KEYSPACE = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,47}");

    public CassandraSettings {
        contactPoints = List.copyOf(contactPoints);
        Objects.requireNonNull(replication, "replication");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (contactPoints.isEmpty()) {
            throw new IllegalArgumentException("at least one Cassandra contact point is needed");
        }
        if (Objects.requireNonNull(localDatacenter, "localDatacenter").isBlank()) {
            throw new IllegalArgumentException("the Cassandra local datacenter must be named");
        }
        if (!KEYSPACE.matcher(Objects.requireNonNull(keyspace, "keyspace")).matches()) {
            throw new IllegalArgumentException("'" + keyspace + "' is not a Cassandra keyspace name (a letter, then up to 47"
                    + " letters, digits or underscores)");
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("the Cassandra request timeout must be positive, was " + requestTimeout);
        }
        try {
            DefaultConsistencyLevel.valueOf(Objects.requireNonNull(consistency, "consistency").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + consistency + "' is not a Cassandra consistency level");
        }
        if (feedBucketSize < 1) {
            throw new IllegalArgumentException("feedBucketSize must be positive, was " + feedBucketSize);
        }
    }

    public static CassandraSettings of(List<InetSocketAddress> contactPoints, String localDatacenter, String keyspace) {
        return new CassandraSettings(contactPoints, localDatacenter, keyspace, SIMPLE_REPLICATION, Duration.ofSeconds(2),
                "LOCAL_QUORUM", FEED_BUCKET_SIZE);
    }

    public CassandraSettings withRequestTimeout(Duration timeout) {
        return new CassandraSettings(contactPoints, localDatacenter, keyspace, replication, timeout, consistency,
                feedBucketSize);
    }

    public CassandraSettings withFeedBucketSize(long size) {
        return new CassandraSettings(contactPoints, localDatacenter, keyspace, replication, requestTimeout, consistency, size);
    }

    /**
     * {@code host:port,host:port,...} (the port defaults to 9042; an IPv6 address in brackets).
     *
     * @throws IllegalArgumentException naming the first malformed entry
     */
    public static List<InetSocketAddress> parseContactPoints(String spec) {
        List<InetSocketAddress> points = new ArrayList<>();
        for (String raw : Objects.requireNonNull(spec, "spec").split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            String host = entry;
            int port = DEFAULT_PORT;
            int colon = entry.lastIndexOf(':');
            boolean bracketed = entry.startsWith("[");
            if (colon > 0 && (!bracketed || colon > entry.indexOf(']'))) {
                host = entry.substring(0, colon);
                try {
                    port = Integer.parseInt(entry.substring(colon + 1));
                } catch (NumberFormatException e) {
                    port = -1;
                }
            }
            if (bracketed) {
                host = host.substring(1, Math.max(1, host.indexOf(']')));
            }
            if (host.isBlank() || port < 1 || port > 65535 || host.contains(":") && !bracketed) {
                throw new IllegalArgumentException("'" + entry + "' is not a Cassandra contact point (host or host:port,"
                        + " port 1-65535)");
            }
            points.add(InetSocketAddress.createUnresolved(host, port));
        }
        if (points.isEmpty()) {
            throw new IllegalArgumentException("no Cassandra contact point in '" + spec + "'");
        }
        return List.copyOf(points);
    }

    /** A session whose every request ends within {@link #requestTimeout()}, reconnecting within a second of a node's return. */
    CqlSession openSession() {
        return CqlSession.builder()
                .addContactPoints(contactPoints.stream()
                        .map(p -> p.isUnresolved() ? new InetSocketAddress(p.getHostString(), p.getPort()) : p).toList())
                .withLocalDatacenter(localDatacenter)
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, requestTimeout)
                        .withString(DefaultDriverOption.REQUEST_CONSISTENCY, consistency.toUpperCase(Locale.ROOT))
                        .withDuration(DefaultDriverOption.CONNECTION_CONNECT_TIMEOUT, requestTimeout)
                        .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, requestTimeout)
                        .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, requestTimeout)
                        .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(30))
                        .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(200))
                        .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(1))
                        .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
                        .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0)
                        .build())
                .build();
    }
}
