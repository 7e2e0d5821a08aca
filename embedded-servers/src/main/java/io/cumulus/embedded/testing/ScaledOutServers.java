package io.cumulus.embedded.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.cumulus.embedded.InProcessKafkaCluster;

/**
 * The distributed engines of the scaled-out deployment, on this machine: a 3-broker Kafka cluster
 * (in this JVM, topics replicated three times), a real Cassandra node (forked, JDK 17) and an S3 API
 * server (s3proxy). {@link #options()} are the {@code cumulus serve} options that point Cumulus at
 * them, the same settings {@code docker-compose.yml} gives its services. PostgreSQL is not here: it
 * is the same server in both deployments, chosen with {@code --postgres-url}.
 *
 * <p>A module that uses this class needs {@code io.cumulus:cumulus-cassandra-node} and
 * {@code org.gaul:s3proxy} on its classpath, as for {@link CassandraNode} and {@link S3Server}.
 */
public final class ScaledOutServers implements AutoCloseable {
    public static final int BROKERS = 3;
    public static final String BUCKET = "cumulus-chunks";
    public static final String KEYSPACE = "cumulus";

    private final InProcessKafkaCluster kafka;
    private final CassandraNode cassandra;
    private final S3Server s3;

    private ScaledOutServers(InProcessKafkaCluster kafka, CassandraNode cassandra, S3Server s3) {
        this.kafka = kafka;
        this.cassandra = cassandra;
        this.s3 = s3;
    }

    /** Starts the three servers, saying each as it is up; on a failure, stops those already started. */
    public static ScaledOutServers start(Path workDir, Consumer<String> say) {
        InProcessKafkaCluster kafka = null;
        CassandraNode cassandra = null;
        try {
            kafka = InProcessKafkaCluster.start(workDir.resolve("kafka"), BROKERS);
            say.accept("Kafka: " + BROKERS + " brokers on " + kafka.bootstrapServers());
            cassandra = CassandraNode.startNew();
            say.accept("Cassandra: a node on " + cassandra.contactPoint());
            S3Server s3 = S3Server.startNew();
            say.accept("S3: s3proxy on " + s3.endpoint());
            return new ScaledOutServers(kafka, cassandra, s3);
        } catch (RuntimeException | Error e) {
            if (cassandra != null) {
                cassandra.close();
            }
            if (kafka != null) {
                kafka.close();
            }
            throw e;
        }
    }

    /** The options of {@code cumulus serve} that use these servers. */
    public List<String> options() {
        List<String> options = new ArrayList<>(List.of(
                "--kafka-bootstrap=" + kafka.bootstrapServers(),
                "--replication-factor=" + BROKERS,
                "--sync-state=cassandra",
                "--cassandra-contact-points=" + cassandra.contactPoint().getHostString() + ":"
                        + cassandra.contactPoint().getPort(),
                "--cassandra-datacenter=" + CassandraNode.DATACENTER,
                "--cassandra-keyspace=" + KEYSPACE));
        options.addAll(s3.cumulusOptions(BUCKET));
        return options;
    }

    public InProcessKafkaCluster kafka() {
        return kafka;
    }

    public CassandraNode cassandra() {
        return cassandra;
    }

    public S3Server s3() {
        return s3;
    }

    @Override
    public void close() {
        s3.close();
        cassandra.close();
        kafka.close();
    }
}
