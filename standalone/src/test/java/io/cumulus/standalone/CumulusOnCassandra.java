package io.cumulus.standalone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;

import com.datastax.oss.driver.api.core.CqlSession;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.CassandraNode;
import io.cumulus.embedded.testing.TestServers;

/**
 * A standalone Cumulus ({@code --sync-state=cassandra}) on the shared Cassandra node, in a keyspace
 * of its own, on a fresh database and its own in-process Kafka; with a session on the node for the
 * test's own reads. Outside CI, a machine without a Cassandra node skips the test.
 */
record CumulusOnCassandra(StandaloneServer server, CqlSession cassandra, InetSocketAddress contactPoint)
        implements AutoCloseable {

    /** Starts it; {@code name} prefixes its data directory and the lines it prints. */
    static CumulusOnCassandra start(String keyspace, String name) {
        CassandraNode.unavailableReason().filter(reason -> !"true".equals(System.getenv("CI")))
                .ifPresent(reason -> Assumptions.abort("no Cassandra node: " + reason));
        CassandraNode node = CassandraNode.shared();
        PostgresConnection pg = TestServers.freshDatabase();
        InetSocketAddress contactPoint = new InetSocketAddress(node.contactPoint().getHostString(),
                node.contactPoint().getPort());
        StandaloneSettings settings = StandaloneSettings.from(List.of("--data-dir=" + TestServers.workDir(name + "-"),
                "--port=0", "--kafka-port=" + freePort(), "--postgres-url=" + pg.jdbcUrl(), "--postgres-user=" + pg.user(),
                "--postgres-password=" + pg.password(), "--sync-state=cassandra",
                "--cassandra-contact-points=" + contactPoint.getHostString() + ":" + contactPoint.getPort(),
                "--cassandra-datacenter=" + CassandraNode.DATACENTER, "--cassandra-keyspace=" + keyspace), Map.of());
        StandaloneServer server = StandaloneServer.start(settings, line -> System.out.println("[" + name + "] " + line));
        CqlSession cassandra = CqlSession.builder().addContactPoint(node.contactPoint())
                .withLocalDatacenter(CassandraNode.DATACENTER).build();
        return new CumulusOnCassandra(server, cassandra, contactPoint);
    }

    @Override
    public void close() {
        cassandra.close();
        server.close();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
