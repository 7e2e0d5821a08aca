package io.cumulus.projector;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;

/**
 * Where the Cassandra sync state lives and how the projector talks to it: contact points, the local
 * datacenter, the keyspace (created with {@code replication} when it is missing; an operator who
 * wants other replication creates it first), the timeout of every request, the consistency level of
 * every write, and the size of a feed bucket (the feed's partitions are {@code (namespace, seq /
 * feedBucketSize)}, so a partition never holds more than that many rows). The bucket size is part of
 * the data's layout: the API reads with the same one, so it is not meant to be changed on a keyspace
 * that holds data.
 */
public record CassandraSettings(
        List<InetSocketAddress> contactPoints,
        String localDatacenter,
        String keyspace,
        String replication,
        Duration requestTimeout,
        String consistency,
        long feedBucketSize) {

    /** Rows per feed partition: a few MB at most, and one or two partitions per feed page of 1,000. */
    public static final long FEED_BUCKET_SIZE = 4096;
    public static final String SIMPLE_REPLICATION = "{'class': 'SimpleStrategy', 'replication_factor': 1}";
    private static final Pattern KEYSPACE = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,47}");

    public CassandraSettings {
        contactPoints = List.copyOf(contactPoints);
        Objects.requireNonNull(localDatacenter, "localDatacenter");
        Objects.requireNonNull(replication, "replication");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(consistency, "consistency");
        if (contactPoints.isEmpty()) {
            throw new IllegalArgumentException("at least one Cassandra contact point is needed");
        }
        if (!KEYSPACE.matcher(Objects.requireNonNull(keyspace, "keyspace")).matches()) {
            throw new IllegalArgumentException("not a Cassandra keyspace name: '" + keyspace + "'");
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive, was " + requestTimeout);
        }
        if (feedBucketSize < 1) {
            throw new IllegalArgumentException("feedBucketSize must be positive, was " + feedBucketSize);
        }
    }

    /** The defaults: RF 1 when the keyspace is created here, 2 s per request, LOCAL_QUORUM, buckets of 4096. */
    public static CassandraSettings of(List<InetSocketAddress> contactPoints, String localDatacenter, String keyspace) {
        return new CassandraSettings(contactPoints, localDatacenter, keyspace, SIMPLE_REPLICATION, Duration.ofSeconds(2),
                "LOCAL_QUORUM", FEED_BUCKET_SIZE);
    }

    public CassandraSettings withFeedBucketSize(long size) {
        return new CassandraSettings(contactPoints, localDatacenter, keyspace, replication, requestTimeout, consistency, size);
    }

    /** The same cluster and options, another keyspace (a generation of the sync state, see {@link SyncStateGenerations}). */
    public CassandraSettings withKeyspace(String other) {
        return new CassandraSettings(contactPoints, localDatacenter, other, replication, requestTimeout, consistency,
                feedBucketSize);
    }

    public CassandraSettings withRequestTimeout(Duration timeout) {
        return new CassandraSettings(contactPoints, localDatacenter, keyspace, replication, timeout, consistency,
                feedBucketSize);
    }

    /**
     * A session with every request bounded by {@link #requestTimeout()} (schema changes get longer:
     * they wait for the cluster's agreement), reconnecting within a second of a node coming back.
     */
    CqlSession openSession() {
        return CqlSession.builder()
                .addContactPoints(contactPoints)
                .withLocalDatacenter(localDatacenter)
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, requestTimeout)
                        .withString(DefaultDriverOption.REQUEST_CONSISTENCY, consistency)
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
