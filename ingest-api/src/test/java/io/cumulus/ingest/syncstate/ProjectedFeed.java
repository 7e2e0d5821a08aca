package io.cumulus.ingest.syncstate;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.CassandraNode;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.projector.CassandraSyncStateSchema;
import io.cumulus.projector.Projector;
import io.cumulus.projector.ProjectorConfig;
import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.ChunkRef;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.FileOp;
import io.cumulus.schemas.VersionEntry;

/**
 * The real pipeline's last hop for the sync-state tests: file events produced to topics of their
 * own on the test broker, and the real projector writing them to a Cassandra keyspace of their own
 * (and to a PostgreSQL database), as the standalone process does. Close it to stop the projector.
 */
final class ProjectedFeed implements AutoCloseable {
    static final String DEVICE = "11111111-1111-1111-1111-111111111111";
    static final String CHUNK = "c".repeat(64);

    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String eventsTopic = "sync-state-events-" + suffix;
    private final String outcomesTopic = "sync-state-outcomes-" + suffix;
    private final String bootstrapServers = TestServers.kafka().bootstrapServers();
    private final KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new ByteArraySerializer());
    private final io.cumulus.projector.CassandraSettings projectorSettings;
    private final PostgresConnection postgres;
    private Projector projector;

    /** The keyspace's settings as the API reads them: the same contact point, keyspace and bucket size. */
    final CassandraSettings settings;

    ProjectedFeed(CassandraNode node, long bucketSize, PostgresConnection postgres) {
        this(node, bucketSize, postgres, "sync_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    }

    ProjectedFeed(CassandraNode node, long bucketSize, PostgresConnection postgres, String keyspace) {
        List<InetSocketAddress> contact = List.of(node.contactPoint());
        this.projectorSettings = io.cumulus.projector.CassandraSettings.of(contact, CassandraNode.DATACENTER, keyspace)
                .withFeedBucketSize(bucketSize);
        this.settings = CassandraSettings.of(contact, CassandraNode.DATACENTER, keyspace).withFeedBucketSize(bucketSize)
                .withRequestTimeout(Duration.ofSeconds(1));
        this.postgres = postgres;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(eventsTopic, 1, (short) 1), new NewTopic(outcomesTopic, 1, (short) 1)))
                    .all().get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
        CassandraSyncStateSchema.create(projectorSettings);
    }

    String keyspace() {
        return settings.keyspace();
    }

    /** Starts a projector in a new consumer group, which reads the topics from their start. */
    ProjectedFeed startProjector() {
        stopProjector();
        projector = new Projector(ProjectorConfig.of(bootstrapServers).withGroupId("sync-it-" + UUID.randomUUID())
                .withTopics(eventsTopic, outcomesTopic).withMaxRetryBackoff(Duration.ofMillis(500))
                .withCassandra(projectorSettings), postgres.dataSource());
        projector.start();
        return this;
    }

    void stopProjector() {
        if (projector != null) {
            projector.close();
            projector = null;
        }
    }

    static FileEvent.Builder anEvent(UUID namespace, long seq, String fileId) {
        return FileEvent.newBuilder()
                .setNamespaceId(namespace.toString())
                .setSeq(seq)
                .setFileId(fileId)
                .setPath("docs/" + fileId + ".txt")
                .setOp(FileOp.UPSERT)
                .setVector(List.of(new VersionEntry(DEVICE, seq)))
                .setChunks(List.of(new ChunkRef(CHUNK, 7L)))
                .setSize(7L)
                .setDeviceId(DEVICE)
                .setBatchId("batch-" + seq)
                .setChangeIndex(0)
                .setAt(1_760_000_000_000L + seq);
    }

    void produce(FileEvent... events) {
        try {
            for (FileEvent e : events) {
                producer.send(new ProducerRecord<>(eventsTopic, e.getNamespaceId(), AvroSerde.fileEvents().encode(e))).get();
            }
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stopProjector();
        producer.close();
    }
}
