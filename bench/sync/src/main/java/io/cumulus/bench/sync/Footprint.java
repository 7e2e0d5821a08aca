package io.cumulus.bench.sync;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.cumulus.client.api.ServerApi;
import io.cumulus.client.cli.ClientMain;
import io.cumulus.client.config.DeviceConfig;

/**
 * The client's footprint on a folder of many small files ({@code bench/sync/run --footprint --files=100000}): one
 * device runs {@code cumulus sync DIR} (continuous, through the launcher, as a user runs it) from an empty server
 * until every file is on the server, then through a few rounds with nothing changed (its fallback interval), while
 * its RSS (VmRSS, with any child process) is sampled every 100 ms. Prints the initial upload's time, the largest RSS
 * during the upload and during the idle rounds, and the wall time of {@code cumulus sync DIR --once} on the
 * unchanged folder (a no-op round, JVM start included; p50 of three), then the short commands' times.
 */
final class Footprint {
    private static final Duration IDLE_INTERVAL = Duration.ofSeconds(5);
    private static final int IDLE_ROUNDS = 3;

    private final Path work;
    private final URI server;
    private final String user;
    private final String password;
    private final int files;
    private final long seed;
    private final PrintStream out;

    Footprint(Path work, URI server, String user, String password, int files, long seed, PrintStream out) {
        this.work = work;
        this.server = server;
        this.user = user;
        this.password = password;
        this.files = files;
        this.seed = seed;
        this.out = out;
    }

    void run() throws Exception {
        Path folder = work.resolve("folder");
        Path config = work.resolve("config");
        long bytes = writeFolder(folder);
        out.printf(Locale.ROOT, "footprint: %,d files, %.1f MB in %s%n", files, bytes / 1e6, folder);
        int code = ClientMain.run("login", "--server", server.toString(), "--user", user, "--password", password,
                "--device-name", "footprint", "--config-dir", config.toString());
        if (code != 0) {
            throw new IllegalStateException("cumulus login failed with " + code);
        }
        DeviceConfig device = DeviceConfig.load(config).orElseThrow();
        ServerApi api = ServerApi.device(device.server(), device.token());

        CumulusDriver commands = new CumulusDriver(work, server, user, password);
        long start = System.nanoTime();
        Process sync = commands.client(config, "sync", folder.toString(), "--interval=" + IDLE_INTERVAL.toSeconds() + "s");
        long uploadRss;
        long idleRss;
        Duration upload;
        try (RssSampler sampler = RssSampler.start(Map.of("client", sync.toHandle()))) {
            int onServer = 0;
            while (onServer < files) {
                if (!sync.isAlive()) {
                    throw new IllegalStateException("cumulus sync ended with " + sync.exitValue() + "; see " + commands.log(config));
                }
                Thread.sleep(2_000);
                onServer = api.files(device.homeNamespace(), "").size();
            }
            upload = Duration.ofNanos(System.nanoTime() - start);
            uploadRss = sampler.max().get("client");
            out.printf(Locale.ROOT, "footprint: initial upload %.1f s, client max RSS %.0f MB%n", upload.toNanos() / 1e9, uploadRss / 1e6);
        }
        try (RssSampler sampler = RssSampler.start(Map.of("client", sync.toHandle()))) {
            Thread.sleep(IDLE_INTERVAL.multipliedBy(IDLE_ROUNDS + 1).toMillis());
            idleRss = sampler.max().get("client");
        } finally {
            sync.destroy();
            if (!sync.waitFor(30, TimeUnit.SECONDS)) {
                sync.destroyForcibly();
            }
        }
        out.printf(Locale.ROOT, "footprint: %d no-op rounds, client max RSS %.0f MB%n", IDLE_ROUNDS, idleRss / 1e6);

        List<Duration> once = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            once.add(commands.timed(config, "sync", folder.toString(), "--once"));
        }
        Duration noOp = once.stream().sorted().toList().get(1);
        SyncTool.CommandTimes times = commands.timeCommands(config, folder, 3);

        out.println();
        out.printf(Locale.ROOT, "| footprint, %,d files (%.0f MB), one device, through ./cumulus | |%n", files, bytes / 1e6);
        out.println("|---|---|");
        out.printf(Locale.ROOT, "| initial upload (`cumulus sync DIR`, continuous) | %.1f s |%n", upload.toNanos() / 1e9);
        out.printf(Locale.ROOT, "| client max RSS during the initial upload | %.0f MB |%n", uploadRss / 1e6);
        out.printf(Locale.ROOT, "| client max RSS over %d no-op rounds | %.0f MB |%n", IDLE_ROUNDS, idleRss / 1e6);
        out.printf(Locale.ROOT, "| no-op rescan: `cumulus sync DIR --once` on the unchanged folder, p50 of 3 (runs %s ms) | %.2f s |%n",
                once.stream().map(d -> Long.toString(d.toMillis())).toList(), noOp.toNanos() / 1e9);
        for (String command : times.runs().keySet()) {
            out.printf(Locale.ROOT, "| `cumulus %s`, p50 of 3 (runs %s ms) | %.2f s |%n", command,
                    times.runs().get(command).stream().map(d -> Long.toString(d.toMillis())).toList(), times.p50(command).toNanos() / 1e9);
        }
    }

    /** {@code files} small files (200 B to 8 KiB of random bytes), 500 to a folder; returns their total size. */
    private long writeFolder(Path folder) throws IOException {
        Random random = new Random(seed);
        long total = 0;
        for (int i = 0; i < files; i++) {
            Path dir = folder.resolve(String.format(Locale.ROOT, "d%04d", i / 500));
            if (i % 500 == 0) {
                Files.createDirectories(dir);
            }
            byte[] content = new byte[200 + random.nextInt(8 * 1024 - 200)];
            random.nextBytes(content);
            Files.write(dir.resolve(String.format(Locale.ROOT, "f%06d.bin", i)), content);
            total += content.length;
        }
        return total;
    }
}
