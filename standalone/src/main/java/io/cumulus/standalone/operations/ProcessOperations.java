package io.cumulus.standalone.operations;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.gc.refs.RefCountConsumer;
import io.cumulus.ingest.chunks.BlobStore;
import io.cumulus.photos.PhotoWorker;
import io.cumulus.photos.albums.AlbumProjector;
import io.cumulus.projector.Projector;
import io.cumulus.reconciler.ReconcilerApp;
import io.cumulus.relay.OutboxRelay;

/**
 * The operations side of one process, told of each service as the process starts it: the stores
 * each service's readiness asks, the consumer groups whose lag it measures, the outbox lag of a relay.
 * {@link #serve} starts the measuring and, when the API does not serve them, the management port.
 */
public final class ProcessOperations implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProcessOperations.class);
    private static final Duration READINESS_EXPORT = Duration.ofSeconds(10);
    private static final Duration ADMIN_CLOSE = Duration.ofSeconds(1);

    private final ProcessMetrics metrics = new ProcessMetrics();
    private final Readiness readiness = new Readiness();
    private final Health health;
    private final List<Supplier<String>> consumerGroups = new ArrayList<>();
    private final Deque<AutoCloseable> running = new ArrayDeque<>();
    private Admin admin;
    private ManagementServer management;

    /** @param stoppedStage the first service that stopped for good, in words (liveness) */
    public ProcessOperations(Supplier<Optional<String>> stoppedStage) {
        this.health = new Health(stoppedStage, readiness);
    }

    public ProcessMetrics metrics() {
        return metrics;
    }

    public Health health() {
        return health;
    }

    /** The event log every service needs: probed, and asked for the groups' offsets, by an admin client of its own. */
    public synchronized void kafka(String bootstrapServers, String instanceId) {
        Admin client = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "cumulus-operations-" + instanceId));
        // Closed after the process's own broker may have stopped: its pending requests are dropped, not waited for.
        started(() -> client.close(ADMIN_CLOSE));
        admin = client;
        readiness.store("kafka", StoreProbes.kafka(client));
    }

    public void postgres(DataSource db) {
        readiness.store("postgresql", StoreProbes.postgres(db));
    }

    /** The API (with the merge worker, when it runs one: {@code mergeGroup}). */
    public synchronized void api(BlobStore blobs, Optional<String> mergeGroup) {
        readiness.store("blob-store", StoreProbes.blobs(blobs));
        readiness.service("api", List.of("postgresql", "blob-store", "kafka"));
        mergeGroup.ifPresent(this::consumerGroup);
    }

    public synchronized void relay(OutboxRelay relay, DataSource db) {
        readiness.store("replication-slot", StoreProbes.replicationSlot(relay, db));
        readiness.service("relay", List.of("postgresql", "replication-slot", "kafka"));
        started(new OutboxLag(relay, db, metrics.registry())).start();
    }

    /** The reconciler, whose group is that of the generation of its stores that publishes, asked each time. */
    public synchronized void reconciler(ReconcilerApp reconciler) {
        readiness.store("reconciler-streams", () -> reconciler.state() == KafkaStreams.State.RUNNING
                ? Optional.empty() : Optional.of("Kafka Streams state " + reconciler.state()));
        readiness.service("reconciler", List.of("kafka", "reconciler-streams"));
        consumerGroups.add(reconciler::applicationId);
    }

    /** The projector, and the Cassandra it writes the sync state to, when it does. */
    public synchronized void projector(Projector projector, String group, Optional<List<InetSocketAddress>> cassandra) {
        readiness.store("projector", StoreProbes.running("the projector", projector::failure));
        List<String> needs = new ArrayList<>(List.of("postgresql", "kafka", "projector"));
        cassandra.ifPresent(points -> {
            readiness.store("cassandra", StoreProbes.cassandra(points));
            needs.add("cassandra");
        });
        readiness.service("projector", needs);
        consumerGroup(group);
    }

    public synchronized void gc(RefCountConsumer counter, String group) {
        readiness.store("chunk-ref-counter", StoreProbes.running("the chunk reference counter", counter::failure));
        readiness.service("gc", List.of("postgresql", "kafka", "chunk-ref-counter"));
        consumerGroup(group);
    }

    public synchronized void photos(PhotoWorker worker, String workerGroup, AlbumProjector albums, String albumGroup,
                                    BlobStore blobs) {
        readiness.store("photo-worker", StoreProbes.running("the photo worker", worker::failure));
        readiness.store("album-projector", StoreProbes.running("the album projector", albums::failure));
        readiness.store("blob-store", StoreProbes.blobs(blobs));
        readiness.service("photos", List.of("postgresql", "blob-store", "kafka", "photo-worker", "album-projector"));
        consumerGroup(workerGroup);
        consumerGroup(albumGroup);
    }

    /**
     * Once every service started: measures the consumer lag and the readiness into the registry and,
     * for a process whose API does not serve them ({@code apiServes} false), opens the management port.
     */
    public synchronized Optional<ManagementServer> serve(boolean apiServes, String bindAddress, int port, String adminToken) {
        if (admin != null) {
            started(new ConsumerLag(admin, consumerGroups, metrics.registry())).start();
        }
        readiness.exportEvery(READINESS_EXPORT, metrics.registry());
        if (!apiServes) {
            metrics.bindJvmMetrics();
            management = started(ManagementServer.start(bindAddress, port, metrics, health, adminToken));
        }
        return Optional.ofNullable(management);
    }

    public synchronized Optional<Integer> managementPort() {
        return Optional.ofNullable(management).map(ManagementServer::port);
    }

    private void consumerGroup(String group) {
        consumerGroups.add(() -> group);
    }

    private <T extends AutoCloseable> T started(T part) {
        running.push(part);
        return part;
    }

    /** Stops measuring and serving, newest first; the registry last. */
    @Override
    public synchronized void close() {
        while (!running.isEmpty()) {
            AutoCloseable part = running.pop();
            try {
                part.close();
            } catch (Exception e) {
                log.warn("stopping {} failed: {}", part.getClass().getSimpleName(), e.toString());
            }
        }
        readiness.close();
        metrics.close();
    }
}
