package io.cumulus.bench.sync;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.cumulus.client.cli.ClientMain;

/**
 * Two Cumulus devices against one server, each a {@code cumulus sync} process of its own whose {@code --server} is a
 * byte-counting proxy in front of the server. Client processes are started through the {@code cumulus} launcher
 * when the system property {@code bench.launcher} names it (as a user would run them), else with this JVM's
 * class path.
 */
final class CumulusDriver implements SyncTool {
    private final Path work;
    private final URI server;
    private final String user;
    private final String password;
    private final Path launcher;
    private final Path folderA;
    private final Path folderB;
    private final Path configA;
    private final Path configB;
    private ByteCountingProxy proxyA;
    private ByteCountingProxy proxyB;
    private Process syncA;
    private Process syncB;

    CumulusDriver(Path work, URI server, String user, String password) {
        this.work = work;
        this.server = server;
        this.user = user;
        this.password = password;
        String l = System.getProperty("bench.launcher");
        this.launcher = l == null || l.isBlank() ? null : Path.of(l);
        this.folderA = work.resolve("folder-a");
        this.folderB = work.resolve("folder-b");
        this.configA = work.resolve("config-a");
        this.configB = work.resolve("config-b");
    }

    @Override
    public String name() {
        return "Cumulus";
    }

    @Override
    public Path folderA() {
        return folderA;
    }

    @Override
    public Path folderB() {
        return folderB;
    }

    @Override
    public void start() throws Exception {
        proxyA = new ByteCountingProxy(server.getPort());
        proxyB = new ByteCountingProxy(server.getPort());
        login(configA, proxyA, "A");
        login(configB, proxyB, "B");
        Files.createDirectories(folderA);
        Files.createDirectories(folderB);
        // No fallback pull during the run: every round is started by a file event or a push.
        syncA = client(configA, "sync", folderA.toString(), "--interval=60m");
        syncB = client(configB, "sync", folderB.toString(), "--interval=60m");
        awaitLog(configA, syncA, "syncing ");
        awaitLog(configB, syncB, "syncing ");
        Thread.sleep(1_000);
        ByteCountingProxy.awaitQuiet(List.of(proxyA, proxyB), Duration.ofSeconds(2));
    }

    private void login(Path config, ByteCountingProxy proxy, String device) {
        String[] args = {"login", "--server", "http://127.0.0.1:" + proxy.port(), "--user", user, "--password", password,
            "--device-name", device, "--config-dir", config.toString()};
        int code = ClientMain.run(args);
        if (code != 0) {
            throw new IllegalStateException("cumulus login for device " + device + " failed with " + code);
        }
    }

    @Override
    public void bulkChanged() {
        // nothing to do: the client watches its folder
    }

    @Override
    public void awaitSettled() {
        // nothing beyond B's disk and quiet connections: the client keeps no status to ask
    }

    @Override
    public Map<String, Leg> legs() {
        Map<String, Leg> legs = new LinkedHashMap<>();
        legs.put("A to server", new Leg(List.of(proxyA), List.of()));
        legs.put("server to B", new Leg(List.of(), List.of(proxyB)));
        return legs;
    }

    @Override
    public Map<String, ProcessHandle> processes() {
        Map<String, ProcessHandle> out = new LinkedHashMap<>();
        out.put("A", syncA.toHandle());
        out.put("B", syncB.toHandle());
        return out;
    }

    @Override
    public Optional<CommandTimes> timeCommands() throws Exception {
        stop(syncA);
        stop(syncB);
        return Optional.of(timeCommands(configA, folderA, COMMAND_RUNS));
    }

    /** Runs of each short command: the first of each may write the launcher's class-data sharing archive. */
    static final int COMMAND_RUNS = 5;

    /** Times the short commands on a synced folder, {@code runs} runs each, through the launcher as a user types them. */
    CommandTimes timeCommands(Path config, Path folder, int runs) throws Exception {
        Path file = anyFile(folder);
        java.util.SequencedMap<String, List<Duration>> times = new java.util.LinkedHashMap<>();
        for (List<String> command : List.of(List.of("status", folder.toString()), List.of("sync", folder.toString(), "--once"),
                List.of("versions", file.toString()), List.of("trash"), List.of("devices"))) {
            String name = command.getFirst() + (command.contains("--once") ? " --once" : "");
            List<Duration> each = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                each.add(timed(config, command.toArray(String[]::new)));
            }
            times.put(name, each);
        }
        return new CommandTimes(times);
    }

    /** A synced file of the folder (for {@code versions}): the first regular file outside the state directory. */
    private static Path anyFile(Path folder) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).filter(p -> !folder.relativize(p).toString().startsWith(".cumulus"))
                    .filter(p -> !p.getFileName().toString().startsWith(".")).sorted().findFirst()
                    .orElseThrow(() -> new IllegalStateException("no file in " + folder));
        }
    }

    Duration timed(Path config, String... args) throws Exception {
        long start = System.nanoTime();
        Process p = client(config, args);
        int code = p.waitFor();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        if (code != 0) {
            System.out.println("cumulus " + String.join(" ", args) + " exited with " + code + " (timed anyway); see " + log(config));
        }
        return took;
    }

    /** A {@code cumulus} client in a process of its own; its output goes to a log in the work dir. */
    Process client(Path config, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        if (launcher != null) {
            command.add(launcher.toString());
        } else {
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), ClientMain.class.getName()));
        }
        command.addAll(List.of(args));
        command.add("--config-dir=" + config);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(config).toFile()));
        pb.environment().put("CUMULUS_NO_BUILD", "1");
        return pb.start();
    }

    Path log(Path config) {
        return work.resolve(config.getFileName() + ".log");
    }

    private void awaitLog(Path config, Process process, String text) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!(Files.exists(log(config)) && Files.readString(log(config)).contains(text))) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("cumulus sync did not start; see " + log(config));
            }
            Thread.sleep(50);
        }
    }

    private static void stop(Process p) throws InterruptedException {
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    @Override
    public void close() {
        try {
            stop(syncA);
            stop(syncB);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (proxyA != null) {
            proxyA.close();
        }
        if (proxyB != null) {
            proxyB.close();
        }
    }
}
