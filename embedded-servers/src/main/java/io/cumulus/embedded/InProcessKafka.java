package io.cumulus.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * A real Kafka broker (KRaft, combined broker and controller, one node) running inside this JVM,
 * its log kept in a directory so that topics survive a restart. Internal topics use replication
 * factor 1 so that transactions and exactly-once processing work on a single node.
 */
public final class InProcessKafka implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InProcessKafka.class);
    private static final int NODE_ID = 1;

    private final KafkaRaftServer server;
    private final String bootstrapServers;

    private InProcessKafka(KafkaRaftServer server, String bootstrapServers) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Formats {@code logDir} on first use, then starts the broker.
     *
     * @param port the client port; 0 picks a free one
     */
    public static InProcessKafka start(Path logDir, int port) {
        int clientPort = port == 0 ? freePort() : port;
        int controllerPort = freePort();
        Path dataDir = logDir.toAbsolutePath();
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Kafka log directory " + dataDir, e);
        }
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dataDir.toString());
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        // One node, one replica: an acknowledged write must be on disk, not only in the page cache.
        p.put("log.flush.interval.messages", "1");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        try {
            KafkaConfig config = new KafkaConfig(p, false);
            formatIfNew(dataDir, NODE_ID, Uuid.randomUuid().toString());
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            String bootstrap = "127.0.0.1:" + clientPort;
            TransactionVersion.settle(bootstrap);
            log.info("kafka started bootstrap={} logDir={}", bootstrap, dataDir);
            return new InProcessKafka(server, bootstrap);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the in-process Kafka broker in " + dataDir + " on port "
                    + clientPort + ": " + e.getMessage(), e);
        }
    }

    /** Writes a KRaft node's {@code meta.properties} and bootstrap metadata, unless the directory already has them. */
    static void formatIfNew(Path dataDir, int nodeId, String clusterId) throws Exception {
        if (Files.exists(dataDir.resolve("meta.properties"))) {
            return;
        }
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                .setFeatureLevel(TransactionVersion.FEATURE, TransactionVersion.LEVEL)
                .setClusterId(clusterId)
                .setNodeId(nodeId)
                .setControllerListenerName("CONTROLLER")
                .setMetadataLogDirectory(dataDir.toString())
                .setDirectories(List.of(dataDir.toString()))
                .setReleaseVersion(MetadataVersion.latestProduction())
                .setIgnoreFormatted(true)
                .run();
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        log.info("kafka stopped bootstrap={}", bootstrapServers);
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free TCP port", e);
        }
    }
}
