package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A standalone Cumulus in a process of its own (the executable jar), with its own in-process
 * Kafka broker: for tests whose server must share nothing with the other servers of the test JVM
 * (the outbox relay's Debezium engine registers JVM-wide names). Its output goes to
 * {@code server.log} in the data directory.
 */
final class StandaloneProcess implements AutoCloseable {
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path log;
    private final Path dataDir;
    private final int port;
    private Process process;

    private StandaloneProcess(List<String> command, Map<String, String> environment, Path log, Path dataDir, int port) {
        this.command = command;
        this.environment = environment;
        this.log = log;
        this.dataDir = dataDir;
        this.port = port;
    }

    /** Starts {@code serve} with the given options besides data directory and ports, and waits until it listens. */
    static StandaloneProcess start(Path dataDir, List<String> options) {
        return start(dataDir, options, Map.of());
    }

    /** As {@link #start(Path, List)}, with these variables added to the process's environment. */
    static StandaloneProcess start(Path dataDir, List<String> options, Map<String, String> environment) {
        return start(dataDir, options, environment, "--port=");
    }

    /**
     * Starts {@code serve} of services without the API ({@code options} name them and the Kafka they
     * share), and waits until its management port ({@link #baseUrl()}) listens.
     */
    static StandaloneProcess startWithoutApi(Path dataDir, List<String> options) {
        return start(dataDir, options, Map.of(), "--management-port=");
    }

    private static StandaloneProcess start(Path dataDir, List<String> options, Map<String, String> environment,
            String listenOption) {
        try {
            int port = freePort();
            List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx768m", "-jar", standaloneJar(), "serve",
                    "--data-dir=" + dataDir, listenOption + port, "--kafka-port=" + freePort()));
            command.addAll(options);
            Files.createDirectories(dataDir);
            StandaloneProcess started = new StandaloneProcess(List.copyOf(command), Map.copyOf(environment),
                    dataDir.resolve("server.log"), dataDir, port);
            started.restart();
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the standalone process", e);
        }
    }

    /** Starts the process again with the same command, ports and data directory, and waits until it listens. */
    synchronized void restart() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the standalone process is running");
        }
        long printedBefore;
        try {
            printedBefore = printedSoFar();
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(environment);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the standalone process", e);
        }
        awaitListening(printedBefore);
    }

    /** Kills the process at once (SIGKILL), as a crash would, and waits until it is gone. */
    synchronized void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** Everything the process has printed so far (all its runs). */
    String output() throws IOException {
        return Files.readString(log);
    }

    String adminToken() {
        return StandaloneServer.adminToken(dataDir);
    }

    /** Waits until this run (what it printed after {@code printedBefore} bytes of the log) says it is running. */
    private void awaitListening(long printedBefore) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("the server exited: " + Files.readString(log));
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return printedSince(printedBefore).contains("Cumulus is running");
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** How many bytes the process has printed so far (all its runs): an offset for {@link #printedSince}. */
    long printedSoFar() throws IOException {
        return Files.exists(log) ? Files.size(log) : 0;
    }

    /** What the process printed after the first {@code offset} bytes of the log. */
    String printedSince(long offset) throws IOException {
        byte[] all = Files.readAllBytes(log);
        int from = (int) Math.min(offset, all.length);
        return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static String standaloneJar() {
        String jar = System.getProperty("cumulus.standalone.jar");
        assertThat(jar).as("system property cumulus.standalone.jar").isNotBlank();
        assertThat(Path.of(jar)).exists();
        return jar;
    }
}
