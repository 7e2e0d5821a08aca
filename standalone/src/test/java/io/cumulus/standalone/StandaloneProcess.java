package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A standalone Cumulus in a process of its own (the executable jar), with its own in-process
 * Kafka broker: for tests whose server must share nothing with the other servers of the test JVM
 * (the outbox relay's Debezium engine registers JVM-wide names). Its output goes to
 * {@code server.log} in the data directory.
 */
final class StandaloneProcess implements AutoCloseable {
    private final Process process;
    private final Path dataDir;
    private final int port;

    private StandaloneProcess(Process process, Path dataDir, int port) {
        this.process = process;
        this.dataDir = dataDir;
        this.port = port;
    }

    /** Starts {@code serve} with the given options besides data directory and ports, and waits until it listens. */
    static StandaloneProcess start(Path dataDir, List<String> options) {
        try {
            int port = freePort();
            List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx768m", "-jar", standaloneJar(), "serve",
                    "--data-dir=" + dataDir, "--port=" + port, "--kafka-port=" + freePort()));
            command.addAll(options);
            Path log = dataDir.resolve("server.log");
            Files.createDirectories(dataDir);
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            StandaloneProcess started = new StandaloneProcess(process, dataDir, port);
            started.awaitListening(log);
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the standalone process", e);
        }
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    String adminToken() {
        return StandaloneServer.adminToken(dataDir);
    }

    private void awaitListening(Path log) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("the server exited: " + Files.readString(log));
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return Files.readString(log).contains("Cumulus is running");
            } catch (IOException e) {
                return false;
            }
        });
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
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
