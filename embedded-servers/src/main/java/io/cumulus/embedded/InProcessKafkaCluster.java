package io.cumulus.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * A real Kafka cluster of several KRaft nodes inside this JVM, each both broker and controller (the
 * controllers form a static quorum of all nodes), each with its own log directory and fixed ports,
 * so that one node can be stopped and started again as the same broker while the others carry on.
 * Topics are replicated to every node by default and internal topics (consumer offsets, transaction
 * state) too, with {@code min.insync.replicas} of a majority: with one node of three down, an
 * {@code acks=all} write, a transaction and a group commit all still succeed.
 *
 * <p>All replicas live in one process, so the cluster protects against a stopped broker, not against
 * a crash of the JVM; unlike {@link InProcessKafka} it does not fsync every message, since the
 * replicas are what an acknowledged write relies on.
 */
public final class InProcessKafkaCluster implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InProcessKafkaCluster.class);
    private static final long START_TIMEOUT_SECONDS = 120;

    private final List<Node> nodes;
    private final String clusterId;

    /** One node: its id (1..N), directory, ports and, while it runs, its server. */
    private static final class Node {
        final int id;
        final Path dir;
        final int clientPort;
        final int controllerPort;
        KafkaRaftServer server;

        Node(int id, Path dir, int clientPort, int controllerPort) {
            this.id = id;
            this.dir = dir;
            this.clientPort = clientPort;
            this.controllerPort = controllerPort;
        }
    }

    private InProcessKafkaCluster(List<Node> nodes, String clusterId) {
        this.nodes = nodes;
        this.clusterId = clusterId;
    }

    /**
     * Formats a directory per node under {@code baseDir} and starts all nodes at once: each broker
     * waits for the controller quorum, which needs a majority of the nodes running.
     */
    public static InProcessKafkaCluster start(Path baseDir, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a cluster needs at least one node, was " + size);
        }
        List<Node> nodes = new ArrayList<>();
        for (int id = 1; id <= size; id++) {
            Path dir = baseDir.toAbsolutePath().resolve("node-" + id);
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the Kafka log directory " + dir, e);
            }
            nodes.add(new Node(id, dir, InProcessKafka.freePort(), InProcessKafka.freePort()));
        }
        InProcessKafkaCluster cluster = new InProcessKafkaCluster(nodes, Uuid.randomUuid().toString());
        ExecutorService starters = Executors.newFixedThreadPool(size, r -> new Thread(r, "kafka-cluster-start"));
        try {
            List<Future<?>> started = new ArrayList<>();
            for (Node node : nodes) {
                started.add(starters.submit(() -> cluster.startNode(node)));
            }
            for (Future<?> f : started) {
                f.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cluster.close();
            throw new IllegalStateException("interrupted while starting the Kafka cluster", e);
        } catch (ExecutionException | TimeoutException e) {
            cluster.close();
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("cannot start the in-process Kafka cluster in " + baseDir + ": "
                    + cause.getMessage(), cause);
        } finally {
            starters.shutdownNow();
        }
        log.info("kafka cluster started nodes={} bootstrap={}", size, cluster.bootstrapServers());
        return cluster;
    }

    /** Every node's client address, running or not: clients find the live ones. */
    public String bootstrapServers() {
        return nodes.stream().map(n -> "127.0.0.1:" + n.clientPort).collect(Collectors.joining(","));
    }

    public int size() {
        return nodes.size();
    }

    /** The node ids, 1 to {@link #size()}. */
    public List<Integer> nodeIds() {
        return nodes.stream().map(n -> n.id).toList();
    }

    public synchronized boolean isRunning(int nodeId) {
        return node(nodeId).server != null;
    }

    /** Stops one node (a controlled shutdown: its partition leaderships move to the others first). */
    public synchronized void stop(int nodeId) {
        Node node = node(nodeId);
        if (node.server == null) {
            return;
        }
        node.server.shutdown();
        node.server.awaitShutdown();
        node.server = null;
        log.info("kafka node stopped node={} port={}", nodeId, node.clientPort);
    }

    /** Starts a stopped node again, on its ports and its log directory; it catches up from the others. */
    public synchronized void restart(int nodeId) {
        Node node = node(nodeId);
        if (node.server != null) {
            return;
        }
        startNode(node);
    }

    private void startNode(Node node) {
        try {
            InProcessKafka.formatIfNew(node.dir, node.id, clusterId);
            KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(properties(node), false), Time.SYSTEM);
            server.startup();
            synchronized (this) {
                node.server = server;
            }
            log.info("kafka node started node={} port={} logDir={}", node.id, node.clientPort, node.dir);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start Kafka node " + node.id + " on port " + node.clientPort + ": "
                    + e.getMessage(), e);
        }
    }

    private Properties properties(Node node) {
        String voters = nodes.stream().map(n -> n.id + "@127.0.0.1:" + n.controllerPort)
                .collect(Collectors.joining(","));
        String replicas = String.valueOf(nodes.size());
        // A majority must hold a write: with three nodes, one may be down.
        String minInSync = String.valueOf(nodes.size() / 2 + 1);
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(node.id));
        p.put("controller.quorum.voters", voters);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + node.clientPort + ",CONTROLLER://127.0.0.1:" + node.controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + node.clientPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", node.dir.toString());
        p.put("num.partitions", "1");
        p.put("default.replication.factor", replicas);
        p.put("min.insync.replicas", minInSync);
        p.put("offsets.topic.replication.factor", replicas);
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", replicas);
        p.put("transaction.state.log.min.isr", minInSync);
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", replicas);
        p.put("share.coordinator.state.topic.min.isr", minInSync);
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        // A stopped node is noticed by the controller within seconds, not the default nine.
        p.put("broker.session.timeout.ms", "6000");
        p.put("broker.heartbeat.interval.ms", "1000");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("num.replica.fetchers", "1");
        return p;
    }

    private Node node(int nodeId) {
        if (nodeId < 1 || nodeId > nodes.size()) {
            throw new IllegalArgumentException("no Kafka node " + nodeId + "; nodes are 1.." + nodes.size());
        }
        return nodes.get(nodeId - 1);
    }

    /** Stops every running node, all at once: a node stopped alone would wait for a quorum already gone. */
    @Override
    public void close() {
        List<KafkaRaftServer> running;
        synchronized (this) {
            running = nodes.stream().filter(n -> n.server != null).map(n -> n.server).toList();
            nodes.forEach(n -> n.server = null);
        }
        List<Thread> stopping = running.stream().map(server -> Thread.ofPlatform().name("kafka-cluster-stop")
                .start(() -> {
                    server.shutdown();
                    server.awaitShutdown();
                })).toList();
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        log.info("kafka cluster stopped bootstrap={}", bootstrapServers());
    }
}
