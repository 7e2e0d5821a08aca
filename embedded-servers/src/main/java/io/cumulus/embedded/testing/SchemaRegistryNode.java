package io.cumulus.embedded.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real schema registry for integration tests: Apicurio Registry, in a forked JVM, with its in-memory
 * (H2) storage and its Confluent-compatible API at {@link #confluentApi()}. The runnable registry is built
 * by the {@code schema-registry-node} module, which writes its path into a resource: a module using this
 * class may add {@code cumulus-schema-registry-node} with test scope (it gets none of the registry's jars,
 * but a build of it with {@code -am} then runs the registry's Quarkus build too), or rely on a build of the
 * whole project, whose runner this class finds under {@code schema-registry-node/target} above the working
 * directory. It runs on the JVM that runs the tests (Java 17 or newer). One registry per test JVM is
 * {@link #shared()}; it is killed when the test JVM exits. See docs/decisions/0037-schema-registry.md.
 */
public final class SchemaRegistryNode implements AutoCloseable {
    private static final String RUNNER_RESOURCE = "META-INF/cumulus/schema-registry-node.runner";
    private static final String RUNNER_NAME = "cumulus-schema-registry-node-runner.jar";
    private static final Duration START_DEADLINE = Duration.ofSeconds(120);
    private static SchemaRegistryNode shared;

    private final Path runner;
    private final Path dir;
    private final int port;
    private final Thread killAtExit;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private Process process;

    private SchemaRegistryNode(Path runner, Path dir) {
        this.runner = runner;
        this.dir = dir;
        this.port = freePort();
        this.killAtExit = new Thread(this::destroyForcibly, "schema-registry-node-kill");
        Runtime.getRuntime().addShutdownHook(killAtExit);
    }

    /** A new registry, started and answering on its Confluent-compatible API. */
    public static SchemaRegistryNode startNew() {
        SchemaRegistryNode node = new SchemaRegistryNode(runner().orElseThrow(
                () -> new IllegalStateException(unavailableReason().orElseThrow())), TestServers.workDir("schema-registry-"));
        node.start();
        return node;
    }

    /** The registry this test JVM shares, started on first use. */
    public static synchronized SchemaRegistryNode shared() {
        if (shared == null || !shared.isRunning()) {
            shared = startNew();
        }
        return shared;
    }

    /** Why no registry can be started here (its runner is not built), or empty when one can. */
    public static Optional<String> unavailableReason() {
        if (runner().isEmpty()) {
            return Optional.of("no runnable registry: neither " + RUNNER_RESOURCE + " on the classpath names a built one, nor is"
                    + " schema-registry-node/target/" + RUNNER_NAME + " built above " + Path.of("").toAbsolutePath()
                    + " (package the schema-registry-node module, or build the whole project)");
        }
        return Optional.empty();
    }

    /** The base of the Confluent-compatible API (Confluent's schema registry client takes this URL). */
    public URI confluentApi() {
        return URI.create("http://127.0.0.1:" + port + "/apis/ccompat/v7");
    }

    /** The base of Apicurio's own API, version 3 (Apicurio's serdes take this URL). */
    public URI registryApi() {
        return URI.create("http://127.0.0.1:" + port + "/apis/registry/v3");
    }

    /** The registry's console output. */
    public Path log() {
        return dir.resolve("registry.log");
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public synchronized void close() {
        destroyForcibly();
        if (this != shared) {
            try {
                Runtime.getRuntime().removeShutdownHook(killAtExit);
            } catch (IllegalStateException alreadyExiting) {
                // the hook runs anyway and finds nothing left to kill
            }
        }
    }

    private synchronized void start() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try {
            long began = System.nanoTime();
            process = new ProcessBuilder(List.of(java, "-Xms64m", "-Xmx384m", "-XX:TieredStopAtLevel=1",
                    "-XX:+ExitOnOutOfMemoryError",
                    "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp")),
                    "-Dquarkus.http.host=127.0.0.1",
                    "-Dquarkus.http.port=" + port,
                    "-jar", runner.toString()))
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
                    .start();
            awaitApi(began);
            System.out.printf("[test-servers] schema registry pid %d answers on %s after %d ms (log %s)%n",
                    process.pid(), confluentApi(), (System.nanoTime() - began) / 1_000_000, log());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the schema registry in " + dir, e);
        }
    }

    private void awaitApi(long began) {
        long deadline = began + START_DEADLINE.toNanos();
        HttpRequest subjects = HttpRequest.newBuilder(URI.create(confluentApi() + "/subjects"))
                .timeout(Duration.ofSeconds(2)).build();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the schema registry exited with " + process.exitValue()
                        + " before answering on " + confluentApi() + "; its log " + log() + " ends:\n" + logTail());
            }
            try {
                if (http.send(subjects, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                destroyForcibly();
                throw new IllegalStateException("interrupted while the schema registry was starting", e);
            }
            if (System.nanoTime() > deadline) {
                destroyForcibly();
                throw new IllegalStateException("the schema registry did not answer on " + confluentApi() + " within "
                        + START_DEADLINE.toSeconds() + " s; killed it. Its log " + log() + " ends:\n" + logTail());
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                destroyForcibly();
                throw new IllegalStateException("interrupted while the schema registry was starting", e);
            }
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read it: " + e + ")";
        }
    }

    private void destroyForcibly() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static java.net.URL resource() {
        java.net.URL url = Thread.currentThread().getContextClassLoader().getResource(RUNNER_RESOURCE);
        return url != null ? url : SchemaRegistryNode.class.getClassLoader().getResource(RUNNER_RESOURCE);
    }

    private static Optional<Path> runner() {
        java.net.URL url = resource();
        if (url != null) {
            try (InputStream in = url.openStream()) {
                Path path = Path.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip());
                if (Files.isRegularFile(path)) {
                    return Optional.of(path);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + url, e);
            }
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path built = dir.resolve("schema-registry-node").resolve("target").resolve(RUNNER_NAME);
            if (Files.isRegularFile(built)) {
                return Optional.of(built);
            }
        }
        return Optional.empty();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
