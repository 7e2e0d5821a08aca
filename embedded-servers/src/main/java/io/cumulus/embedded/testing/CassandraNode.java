package io.cumulus.embedded.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A real Apache Cassandra node for integration tests, in a forked JVM: cassandra-all 5.0 runs on
 * JDK 11 or 17 only (it installs a SecurityManager, which JDK 24 removed), and its jars (Netty 4.1,
 * Guava, Logback, Jackson 2) must never meet the project's on one classpath. Its classpath comes from
 * the resource that the {@code cassandra-node} module writes, so a module using this class adds
 * {@code cumulus-cassandra-node} with test scope. The JDK is {@code CUMULUS_CASSANDRA_JAVA} (a java
 * executable or a JDK home), else the first JDK 17 or 11 under {@code /usr/lib/jvm}.
 *
 * <p>One node per test JVM is {@link #shared()}; a test may stop, kill or pause it, and the next
 * {@code shared()} brings it back on the same data, ports and contact point. The node is killed when
 * the test JVM exits.
 */
public final class CassandraNode implements AutoCloseable {
    /** SimpleSnitch's data centre: the local datacenter a driver session must name. */
    public static final String DATACENTER = "datacenter1";

    private static final String CLASSPATH_RESOURCE = "META-INF/cumulus/cassandra-node.classpath";
    private static final Duration START_DEADLINE = Duration.ofSeconds(120);
    private static final Duration STOP_DEADLINE = Duration.ofSeconds(60);
    private static final Pattern VERSION = Pattern.compile("version \"(\\d+)");
    private static CassandraNode shared;

    private final Path javaExecutable;
    private final String classpath;
    private final Path dir;
    private final int nativePort;
    private final int storagePort;
    private final Thread killAtExit;
    private Process process;
    private boolean paused;

    private CassandraNode(Path java, String classpath, Path dir) {
        this.javaExecutable = java;
        this.classpath = classpath;
        this.dir = dir;
        this.nativePort = freePort();
        this.storagePort = freePort();
        this.killAtExit = new Thread(this::destroyForcibly, "cassandra-node-kill");
        Runtime.getRuntime().addShutdownHook(killAtExit);
    }

    /** A new node in a fresh work directory, started and accepting CQL. */
    public static CassandraNode startNew() {
        Path java = findJava().orElseThrow(() -> new IllegalStateException(unavailableReason().orElseThrow()));
        CassandraNode node = new CassandraNode(java, classpath(), TestServers.workDir("cassandra-"));
        node.start();
        return node;
    }

    /** The node this test JVM shares, started on first use and started again if a test stopped, killed or paused it. */
    public static synchronized CassandraNode shared() {
        if (shared == null) {
            shared = startNew();
        } else if (shared.paused) {
            shared.resume();
        } else if (!shared.isRunning()) {
            shared.start();
        }
        return shared;
    }

    /** Why no node can be started here (no JDK 11/17, no classpath resource), or empty when one can. */
    public static Optional<String> unavailableReason() {
        if (findJava().isEmpty()) {
            return Optional.of("no JDK 17 or 11 for Cassandra 5.0: set CUMULUS_CASSANDRA_JAVA to its java, or install one "
                    + "under /usr/lib/jvm (apt-get install openjdk-17-jre-headless)");
        }
        if (Thread.currentThread().getContextClassLoader().getResource(CLASSPATH_RESOURCE) == null
                && CassandraNode.class.getClassLoader().getResource(CLASSPATH_RESOURCE) == null) {
            return Optional.of("no " + CLASSPATH_RESOURCE + " on the classpath: add io.cumulus:cumulus-cassandra-node with test scope");
        }
        return Optional.empty();
    }

    /** Starts the node (again) on the same directory and ports, and waits until it accepts CQL connections. */
    public synchronized CassandraNode start() {
        if (isRunning()) {
            throw new IllegalStateException("the Cassandra node in " + dir + " is already running (pid " + process.pid() + ")");
        }
        try {
            writeConfiguration();
            Path log = log();
            Files.writeString(log, "---- starting on " + javaExecutable + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            long began = System.nanoTime();
            process = new ProcessBuilder(command())
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            paused = false;
            awaitNativePort(began);
            System.out.printf("[test-servers] Cassandra node pid %d accepts CQL on %s after %d ms (dir %s)%n",
                    process.pid(), contactPoint(), (System.nanoTime() - began) / 1_000_000, dir);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Cassandra node in " + dir, e);
        }
    }

    public InetSocketAddress contactPoint() {
        return new InetSocketAddress("127.0.0.1", nativePort);
    }

    public Path directory() {
        return dir;
    }

    /** The node's console output (its log), kept across restarts. */
    public Path log() {
        return dir.resolve("node.log");
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** SIGTERM, and waits for the node to exit (it flushes its memtables first). */
    public synchronized void stop() {
        end(false);
    }

    /** SIGKILL: the node vanishes as in a crash; what it acknowledged is in its commit log. */
    public synchronized void kill() {
        end(true);
    }

    /** SIGSTOP: the node hangs with its sockets open, as a node stuck in a long pause does. */
    public synchronized void pause() {
        signal("-STOP");
        paused = true;
    }

    /** SIGCONT after {@link #pause()}. */
    public synchronized void resume() {
        signal("-CONT");
        paused = false;
    }

    /** Kills the node; its directory stays for a look after the test. */
    @Override
    public synchronized void close() {
        if (isRunning()) {
            kill();
        }
        if (this == shared) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killAtExit);
        } catch (IllegalStateException alreadyExiting) {
            // the hook runs anyway and finds nothing left to kill
        }
    }

    private void end(boolean force) {
        if (process == null) {
            return;
        }
        if (paused) {
            // a stopped process ignores SIGTERM until it runs again
            resume();
        }
        if (force) {
            process.destroyForcibly();
        } else {
            process.destroy();
        }
        try {
            if (!process.waitFor(STOP_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the Cassandra node was stopping", e);
        }
    }

    private void destroyForcibly() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
        }
    }

    private void signal(String signal) {
        if (!isRunning()) {
            throw new IllegalStateException("the Cassandra node in " + dir + " is not running");
        }
        try {
            int rc = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start().waitFor();
            if (rc != 0) {
                throw new IllegalStateException("kill " + signal + " " + process.pid() + " exited with " + rc);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitNativePort(long began) {
        long deadline = began + START_DEADLINE.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the Cassandra node exited with " + process.exitValue()
                        + " before accepting CQL on " + contactPoint() + "; its log " + log() + " ends:\n" + logTail());
            }
            try (Socket socket = new Socket()) {
                socket.connect(contactPoint(), 200);
                return;
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("the Cassandra node did not accept CQL on " + contactPoint() + " within "
                        + START_DEADLINE.toSeconds() + " s; killed it. Its log " + log() + " ends:\n" + logTail());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                throw new IllegalStateException("interrupted while the Cassandra node was starting", e);
            }
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log(), StandardCharsets.UTF_8);
            // lines cut short: Cassandra prints its whole configuration as one line of some 15,000 characters
            return lines.subList(Math.max(0, lines.size() - 40), lines.size()).stream()
                    .map(line -> line.length() > 400 ? line.substring(0, 400) + " [...]" : line)
                    .collect(Collectors.joining("\n"));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read it: " + e + ")";
        }
    }

    private List<String> command() {
        List<String> c = new ArrayList<>(List.of(javaExecutable.toString(),
                // a small heap: RSS follows -Xms; 512 MB is enough for tests (recipes/real-servers-storage.md)
                "-Xms128m", "-Xmx512m", "-Xss256k", "-XX:+UseG1GC", "-XX:TieredStopAtLevel=1",
                "-XX:MaxDirectMemorySize=256m", "-XX:+ExitOnOutOfMemoryError",
                "-Djdk.attach.allowAttachSelf=true"));
        // Cassandra's conf/jvm17-server.options, plus java.nio
        for (String export : List.of("java.base/jdk.internal.misc", "java.management.rmi/com.sun.jmx.remote.internal.rmi",
                "java.rmi/sun.rmi.registry", "java.rmi/sun.rmi.server", "java.sql/java.sql", "java.base/java.lang.ref",
                "jdk.unsupported/sun.misc", "jdk.compiler/com.sun.tools.javac.file", "jdk.attach/sun.tools.attach")) {
            c.add("--add-exports");
            c.add(export + "=ALL-UNNAMED");
        }
        for (String open : List.of("java.base/java.lang.module", "java.base/jdk.internal.loader", "java.base/jdk.internal.ref",
                "java.base/jdk.internal.reflect", "java.base/jdk.internal.math", "java.base/jdk.internal.module",
                "java.base/jdk.internal.util.jar", "jdk.management/com.sun.management.internal", "java.base/sun.nio.ch",
                "java.base/java.io", "java.base/java.lang.reflect", "jdk.compiler/com.sun.tools.javac", "java.base/java.lang",
                "java.base/java.util", "java.base/java.nio")) {
            c.add("--add-opens");
            c.add(open + "=ALL-UNNAMED");
        }
        c.addAll(List.of(
                "-Dio.netty.tryReflectionSetAccessible=true",
                "-Dcassandra.config=" + dir.resolve("cassandra.yaml").toUri(),
                "-Dcassandra.storagedir=" + dir,
                "-Dcassandra.logdir=" + dir.resolve("logs"),
                "-Dcassandra.triggers_dir=" + dir.resolve("triggers"),
                "-Dlogback.configurationFile=" + dir.resolve("logback.xml").toUri(),
                // lz4 and snappy unpack their native libraries here; keep them out of the shared /tmp
                "-Djava.io.tmpdir=" + dir.resolve("tmp"),
                "-Dcassandra-foreground=yes",
                // one node: nothing to wait for in gossip; the node is ready as soon as CQL opens
                "-Dcassandra.skip_wait_for_gossip_to_settle=0",
                "-Dcassandra.ring_delay_ms=0",
                "-Dcassandra.superuser_setup_delay_ms=0",
                "-cp", classpath,
                "org.apache.cassandra.service.CassandraDaemon"));
        return c;
    }

    private void writeConfiguration() throws IOException {
        for (String sub : List.of("logs", "triggers", "tmp")) {
            Files.createDirectories(dir.resolve(sub));
        }
        // commitlog_sync batch: a write is acknowledged only after its commit log section is synced.
        // Cassandra's default (periodic, 10 s) acknowledges at once and writes the section's sync marker
        // only at the next sync; replay stops at the last marker, so a SIGKILL loses up to 10 s of
        // acknowledged writes even though their bytes reached the page cache.
        Files.writeString(dir.resolve("cassandra.yaml"), """
                cluster_name: cumulus-it
                num_tokens: 1
                initial_token: 0
                partitioner: org.apache.cassandra.dht.Murmur3Partitioner
                endpoint_snitch: SimpleSnitch
                dynamic_snitch: false
                seed_provider:
                  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
                    parameters:
                      - seeds: "127.0.0.1:%2$d"
                listen_address: 127.0.0.1
                rpc_address: 127.0.0.1
                storage_port: %2$d
                native_transport_port: %3$d
                start_native_transport: true
                auto_bootstrap: false
                data_file_directories: [%1$s/data]
                commitlog_directory: %1$s/commitlog
                saved_caches_directory: %1$s/saved_caches
                hints_directory: %1$s/hints
                cdc_raw_directory: %1$s/cdc_raw
                commitlog_sync: batch
                commitlog_segment_size: 8MiB
                authenticator: AllowAllAuthenticator
                authorizer: AllowAllAuthorizer
                auto_snapshot: false
                key_cache_size: 0MiB
                counter_cache_size: 0MiB
                memtable_heap_space: 64MiB
                memtable_offheap_space: 64MiB
                concurrent_reads: 4
                concurrent_writes: 4
                concurrent_counter_writes: 4
                concurrent_compactors: 1
                """.formatted(dir, storagePort, nativePort), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("logback.xml"), """
                <configuration>
                  <appender name="CONSOLE" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n</pattern></encoder>
                  </appender>
                  <root level="INFO"><appender-ref ref="CONSOLE"/></root>
                </configuration>
                """, StandardCharsets.UTF_8);
    }

    private static String classpath() {
        ClassLoader loader = Optional.ofNullable(Thread.currentThread().getContextClassLoader())
                .orElse(CassandraNode.class.getClassLoader());
        try (InputStream in = loader.getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(unavailableReason().orElse("no " + CLASSPATH_RESOURCE));
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** CUMULUS_CASSANDRA_JAVA, else the first JDK 17 or 11 under /usr/lib/jvm (17 first). */
    static Optional<Path> findJava() {
        String configured = System.getenv("CUMULUS_CASSANDRA_JAVA");
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            Path java = Files.isDirectory(p) ? p.resolve("bin/java") : p;
            if (!Files.isExecutable(java)) {
                throw new IllegalStateException("CUMULUS_CASSANDRA_JAVA=" + configured + " is not a java executable or a JDK home");
            }
            return Optional.of(java);
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (var homes = Files.list(jvms)) {
            List<Path> javas = homes.sorted().map(h -> h.resolve("bin/java")).filter(Files::isExecutable).toList();
            for (int wanted : new int[] {17, 11}) {
                for (Path java : javas) {
                    if (featureVersion(java) == wanted) {
                        return Optional.of(java);
                    }
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The feature version a java executable reports ({@code java -version} prints "17.0.15" or "11.0.2"), or -1. */
    private static int featureVersion(Path java) {
        try {
            Process p = new ProcessBuilder(java.toString(), "-version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            Matcher m = VERSION.matcher(out);
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
