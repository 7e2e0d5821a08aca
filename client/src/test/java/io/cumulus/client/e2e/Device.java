package io.cumulus.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.cumulus.client.cli.ClientMain;
import io.cumulus.client.state.LocalState;
import io.cumulus.sync.hash.Sha256;

/** One device of an end-to-end test: its config dir and its synced folder, driven through the CLI. */
record Device(String name, Path configDir, Path folder) {

    static Device login(SyncServer server, String username, String name) {
        return login(server, server.url(), username, name);
    }

    /** A device that reaches the server through {@code via} (a proxy in front of it). */
    static Device login(SyncServer server, java.net.URI via, String username, String name) {
        Path home = SyncServer.workDir("device-" + name + "-");
        Device d = new Device(name, home.resolve("config"), home.resolve("folder"));
        int code = ClientMain.run("login", "--server", via.toString(), "--user", username,
                "--password", SyncServer.passwordOf(username), "--device-name", name, "--config-dir", d.configDir.toString());
        assertThat(code).as("login of " + name).isZero();
        return d;
    }

    /** {@code cumulus sync --once} in a process of its own, as a person would run it; its exit code. */
    int syncOnce() {
        return run("sync", folder.toString(), "--once");
    }

    /** The command line of {@code cumulus ARGS} for this device, in a new JVM on the test's class path. */
    java.util.List<String> command(String... args) {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), ClientMain.class.getName()));
        command.addAll(java.util.List.of(args));
        command.addAll(java.util.List.of("--config-dir", configDir.toString()));
        return command;
    }

    /** Starts a command line; its output is appended to {@link #log()}. */
    Process start(java.util.List<String> command) {
        try {
            return new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code cumulus ARGS} for this device in a process of its own; its exit code. */
    int run(String... args) {
        Process p = start(command(args));
        try {
            if (!p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("cumulus " + String.join(" ", args) + " of " + name + " did not finish in 5 minutes");
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code cumulus sync} (watching, until stopped) in a process of its own. */
    Process startWatching() {
        return start(command("sync", folder.toString(), "--interval=60s"));
    }

    /** Where this device's client processes write their output. */
    Path log() {
        return folder.resolveSibling("client.log");
    }

    /** The output of this device's client processes so far. */
    String output() {
        try {
            return Files.exists(log()) ? Files.readString(log()) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void syncInSync() {
        int code = syncOnce();
        assertThat(code).as("sync --once of " + name + "; its output:%n%s", output()).isZero();
    }

    Path file(String path) {
        return folder.resolve(path);
    }

    void write(String path, String content) {
        write(path, content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    void write(String path, byte[] content) {
        try {
            Files.createDirectories(file(path).getParent());
            Files.write(file(path), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every folder under the synced folder (the state directory aside), relative and '/'-separated. */
    java.util.Set<String> folders() {
        java.util.Set<String> folders = new java.util.TreeSet<>();
        try (Stream<Path> all = Files.walk(folder)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path rel = folder.relativize(p);
                if (Files.isDirectory(p) && rel.getNameCount() > 0 && !rel.toString().isEmpty()
                        && !rel.getName(0).toString().equals(LocalState.STATE_DIR)) {
                    folders.add(rel.toString().replace('\\', '/'));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return folders;
    }

    /** Every file of the folder (the state directory aside) and the SHA-256 of its content. */
    Map<String, String> tree() {
        Map<String, String> tree = new TreeMap<>();
        if (!Files.exists(folder)) {
            return tree;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path rel = folder.relativize(p);
                if (rel.getNameCount() > 0 && rel.getName(0).toString().equals(LocalState.STATE_DIR) || !Files.isRegularFile(p)) {
                    continue;
                }
                MessageDigest digest = Sha256.newDigest();
                try (InputStream in = Files.newInputStream(p)) {
                    byte[] buffer = new byte[1 << 16];
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        digest.update(buffer, 0, n);
                    }
                }
                tree.put(rel.toString().replace('\\', '/'), Sha256.hex(digest));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return tree;
    }
}
