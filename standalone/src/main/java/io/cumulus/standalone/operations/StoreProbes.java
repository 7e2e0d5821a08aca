package io.cumulus.standalone.operations;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.apache.kafka.clients.admin.Admin;

import io.cumulus.ingest.chunks.BlobStore;
import io.cumulus.ingest.chunks.ChunkId;
import io.cumulus.relay.OutboxRelay;

/** The probes of the stores Cumulus's services need, each a round trip that the store must answer. */
public final class StoreProbes {
    /** A chunk id no content hashes to in practice: asking for it touches the store and finds nothing. */
    private static final String PROBE_CHUNK = "0".repeat(64);

    private StoreProbes() {
    }

    /** PostgreSQL answers a query on a connection of the pool. */
    public static StoreProbe postgres(DataSource db) {
        return () -> {
            try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("SELECT 1")) {
                s.setQueryTimeout((int) Readiness.TIMEOUT.toSeconds());
                s.executeQuery().close();
                return Optional.empty();
            }
        };
    }

    /** Kafka's cluster answers with at least one broker. */
    public static StoreProbe kafka(Admin admin) {
        return () -> admin.describeCluster().nodes().get(Readiness.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).isEmpty()
                ? Optional.of("the cluster has no broker running") : Optional.empty();
    }

    /** The blob store answers whether it holds a chunk (its breaker, when open, answers for it). */
    public static StoreProbe blobs(BlobStore blobs) {
        ChunkId probe = new ChunkId(PROBE_CHUNK);
        return () -> {
            blobs.exists(probe);
            return Optional.empty();
        };
    }

    /**
     * The relay: when active, its replication slot exists and streams to it, and it has not stopped;
     * standing by (another relay streams the outbox) is ready too.
     */
    public static StoreProbe replicationSlot(OutboxRelay relay, DataSource db) {
        return () -> {
            if (relay.failure().isPresent()) {
                return Optional.of("the relay stopped: " + relay.failure().get());
            }
            if (!relay.isActive()) {
                return Optional.empty();
            }
            try (Connection c = db.getConnection();
                 PreparedStatement s = c.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
                s.setQueryTimeout((int) Readiness.TIMEOUT.toSeconds());
                s.setString(1, relay.slotName());
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        return Optional.of("replication slot " + relay.slotName() + " does not exist");
                    }
                    return r.getBoolean(1) ? Optional.empty()
                            : Optional.of("replication slot " + relay.slotName() + " is not streaming");
                }
            }
        };
    }

    /** A Cassandra node of the contact points accepts a connection on its native port. */
    public static StoreProbe cassandra(List<InetSocketAddress> contactPoints) {
        return () -> {
            List<String> refused = new ArrayList<>();
            for (InetSocketAddress point : contactPoints) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(point.getHostString(), point.getPort()),
                            (int) Readiness.TIMEOUT.toMillis());
                    return Optional.empty();
                } catch (IOException e) {
                    refused.add(point.getHostString() + ":" + point.getPort() + " " + e.getMessage());
                }
            }
            return Optional.of("no contact point answers: " + refused);
        };
    }

    /** A stage that stops for good on an error: ready while it has none. */
    public static StoreProbe running(String stage, java.util.function.Supplier<Optional<Throwable>> failure) {
        return () -> failure.get().map(e -> stage + " stopped: " + e);
    }
}
