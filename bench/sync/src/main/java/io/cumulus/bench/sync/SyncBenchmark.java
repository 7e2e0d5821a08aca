package io.cumulus.bench.sync;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;

import io.cumulus.client.cli.ClientMain;
import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.ScaledOutServers;
import io.cumulus.standalone.StandaloneServer;
import io.cumulus.standalone.StandaloneSettings;

/**
 * The client end to end, on one machine: a standalone server and two devices, each a
 * {@code cumulus} process of its own. Prints
 * <ol>
 * <li>the initial sync of a generated dataset (2,000 files of 1–64 KiB and 20 of 1–32 MiB) from
 * device A to device B: wall time of A's {@code sync --once} and of B's, and MB/s;</li>
 * <li>the propagation latency of a small edit with both devices running {@code sync} (watching):
 * from the write on A until the same bytes are in B's file, 20 times, p50/p95/max;</li>
 * <li>the bytes uploaded after inserting one byte in the middle of a 64 MiB file.</li>
 * </ol>
 * Options: {@code --small=2000 --large=20 --edits=20}, and any server option ({@code --postgres-url=...}).
 */
public final class SyncBenchmark {
    private final Path work;
    private final URI server;
    private final String user;
    private final String password;
    private final Path blobs;

    private SyncBenchmark(Path work, URI server, String user, String password, Path blobs) {
        this.work = work;
        this.server = server;
        this.user = user;
        this.password = password;
        this.blobs = blobs;
    }

    public static void main(String[] args) throws Exception {
        int small = 2_000;
        int large = 20;
        int edits = 20;
        List<String> serverArgs = new ArrayList<>();
        boolean scaledOut = false;
        for (String a : args) {
            if (a.equals("--scaled-out")) {
                scaledOut = true;
            } else if (a.startsWith("--small=")) {
                small = Integer.parseInt(a.substring(8));
            } else if (a.startsWith("--large=")) {
                large = Integer.parseInt(a.substring(8));
            } else if (a.startsWith("--edits=")) {
                edits = Integer.parseInt(a.substring(8));
            } else {
                serverArgs.add(a);
            }
        }
        Path work = Files.createTempDirectory("cumulus-sync-bench-");
        int port = freePort();
        serverArgs.add("--data-dir=" + work.resolve("server"));
        serverArgs.add("--port=" + port);
        serverArgs.add("--kafka-port=" + freePort());
        String throwaway = null;
        if (serverArgs.stream().noneMatch(a -> a.startsWith("--postgres-url="))) {
            throwaway = "cumulus_syncbench_" + UUID.randomUUID().toString().substring(0, 8);
            serverArgs.add("--postgres-url=jdbc:postgresql://127.0.0.1:5432/" + throwaway);
        }
        // --scaled-out: the distributed engines (3 Kafka brokers, Cassandra, S3) instead of the embedded defaults.
        ScaledOutServers engines = scaledOut
                ? ScaledOutServers.start(work.resolve("engines"), line -> System.out.println("  " + line)) : null;
        if (engines != null) {
            serverArgs.addAll(engines.options());
        }
        StandaloneSettings settings = StandaloneSettings.from(serverArgs, Map.of());
        System.out.println("sync benchmark: " + small + " files of 1-64 KiB, " + large + " of 1-32 MiB, " + edits
                + " edits; work dir " + work + (scaledOut ? "; scaled out" : "; embedded defaults"));
        int code;
        try (engines; StandaloneServer s = StandaloneServer.start(settings, line -> System.out.println("  " + line))) {
            String user = "bench" + UUID.randomUUID().toString().substring(0, 8);
            String password = "bench password " + user;
            createAccount(s, user, password);
            SyncBenchmark bench = new SyncBenchmark(work, URI.create(s.baseUrl()), user, password, engines != null ? engines.s3().objectsDir() : s.dataDir().resolve("blobs"));
            bench.run(small, large, edits);
            code = 0;
        } finally {
            if (throwaway != null) {
                dropDatabase(settings, throwaway);
            }
        }
        System.exit(code);
    }

    private void run(int small, int large, int edits) throws Exception {
        Path configA = work.resolve("config-a");
        Path configB = work.resolve("config-b");
        Path folderA = work.resolve("folder-a");
        Path folderB = work.resolve("folder-b");
        cli("login", "--server", server.toString(), "--user", user, "--password", password, "--device-name", "A", "--config-dir",
                configA.toString());
        cli("login", "--server", server.toString(), "--user", user, "--password", password, "--device-name", "B", "--config-dir",
                configB.toString());

        // 1. initial sync of the dataset
        long bytes = generate(folderA, small, large);
        long t0 = System.nanoTime();
        client(configA, "sync", folderA.toString(), "--once").waitFor();
        long t1 = System.nanoTime();
        client(configB, "sync", folderB.toString(), "--once").waitFor();
        long t2 = System.nanoTime();
        requireSameTree(folderA, folderB);
        double mb = bytes / 1e6;
        System.out.printf("initial sync     %d files, %.1f MB: A up %.1f s (%.1f MB/s), B down %.1f s (%.1f MB/s), total %.1f s (%.1f MB/s)%n",
                small + large, mb, secs(t1 - t0), mb / secs(t1 - t0), secs(t2 - t1), mb / secs(t2 - t1), secs(t2 - t0),
                mb / secs(t2 - t0));

        // 2. propagation of a small edit, both devices watching
        Process watchA = client(configA, "sync", folderA.toString(), "--interval=30s");
        Process watchB = client(configB, "sync", folderB.toString(), "--interval=30s");
        try {
            Thread.sleep(3_000); // let both finish their first round and connect to the notifier
            double[] ms = new double[edits];
            for (int i = 0; i < edits; i++) {
                byte[] content = ("edit " + i + " " + UUID.randomUUID() + "\n").getBytes();
                long start = System.nanoTime();
                Files.write(createParent(folderA.resolve("edits/note.txt")), content);
                Path onB = folderB.resolve("edits/note.txt");
                while (!(Files.exists(onB) && Arrays.equals(readQuietly(onB), content))) {
                    if (System.nanoTime() - start > 60_000_000_000L) {
                        throw new IllegalStateException("edit " + i + " did not reach B within 60 s");
                    }
                    Thread.sleep(2); // polling B's disk is what is measured: no event to wait on
                }
                ms[i] = (System.nanoTime() - start) / 1e6;
                Thread.sleep(300);
            }
            Arrays.sort(ms);
            System.out.printf("propagation      n=%d  p50=%.0f ms  p95=%.0f ms  max=%.0f ms (write on A until the bytes are on B's disk)%n",
                    edits, percentile(ms, 50), percentile(ms, 95), ms[ms.length - 1]);
        } finally {
            watchA.destroy();
            watchB.destroy();
            watchA.waitFor();
            watchB.waitFor();
        }

        // 3. one byte inserted in the middle of a 64 MiB file
        Path big = folderA.resolve("insert/big.bin");
        createParent(big);
        byte[] data = new byte[64 * 1024 * 1024];
        new Random(64).nextBytes(data);
        Files.write(big, data);
        client(configA, "sync", folderA.toString(), "--once").waitFor();
        long before = blobBytes();
        byte[] inserted = new byte[data.length + 1];
        System.arraycopy(data, 0, inserted, 0, data.length / 2);
        inserted[data.length / 2] = 42;
        System.arraycopy(data, data.length / 2, inserted, data.length / 2 + 1, data.length - data.length / 2);
        Files.write(big, inserted);
        client(configA, "sync", folderA.toString(), "--once").waitFor();
        long uploaded = blobBytes() - before;
        System.out.printf("1-byte insert    %d bytes uploaded (%.2f MiB) after inserting 1 byte in the middle of a 64 MiB file%n",
                uploaded, uploaded / 1048576.0);
        System.out.printf("machine          %d cores, %s %s, Java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.version"));
    }

    private static Path createParent(Path p) throws IOException {
        Files.createDirectories(p.getParent());
        return p;
    }

    private static byte[] readQuietly(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            return new byte[0]; // being replaced right now
        }
    }

    /** The dataset: {@code small} files of 1–64 KiB and {@code large} of 1–32 MiB, random bytes, seeded. */
    private static long generate(Path folder, int small, int large) throws IOException {
        Random random = new Random(2026);
        long total = 0;
        for (int i = 0; i < small; i++) {
            byte[] b = new byte[1024 + random.nextInt(63 * 1024 + 1)];
            random.nextBytes(b);
            Path p = folder.resolve("small/" + (i % 40) + "/file-" + i + ".bin");
            Files.createDirectories(p.getParent());
            Files.write(p, b);
            total += b.length;
        }
        for (int i = 0; i < large; i++) {
            int size = 1024 * 1024 + random.nextInt(31 * 1024 * 1024 + 1);
            Path p = folder.resolve("large/file-" + i + ".bin");
            Files.createDirectories(p.getParent());
            try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
                byte[] block = new byte[1 << 20];
                for (int written = 0; written < size; written += block.length) {
                    random.nextBytes(block);
                    f.write(block, 0, Math.min(block.length, size - written));
                }
            }
            total += size;
        }
        return total;
    }

    private static void requireSameTree(Path a, Path b) throws IOException {
        List<String> left = listing(a);
        List<String> right = listing(b);
        if (!left.equals(right)) {
            throw new IllegalStateException("the folders differ after the initial sync: " + left.size() + " vs " + right.size() + " files");
        }
    }

    private static List<String> listing(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).filter(p -> !root.relativize(p).startsWith(".cumulus"))
                    .map(p -> root.relativize(p) + ":" + p.toFile().length()).sorted().toList();
        }
    }

    private long blobBytes() throws IOException {
        try (Stream<Path> files = Files.walk(blobs)) {
            return files.filter(Files::isRegularFile).filter(p -> !p.toString().contains("incoming")).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void cli(String... args) {
        int code = ClientMain.run(args);
        if (code != 0) {
            throw new IllegalStateException("cumulus " + String.join(" ", args) + " failed with " + code);
        }
    }

    /** A {@code cumulus} client in a process of its own; its output goes to a log in the work dir. */
    private Process client(Path configDir, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), ClientMain.class.getName()));
        command.addAll(List.of(args));
        command.add("--config-dir=" + configDir);
        Path log = work.resolve(configDir.getFileName() + ".log");
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    private static void createAccount(StandaloneServer s, String user, String password) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(s.baseUrl() + "/v1/admin/accounts"))
                .header("Authorization", "Bearer " + StandaloneServer.adminToken(s.dataDir()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("account creation failed: " + r.statusCode() + " " + r.body());
        }
    }

    private static void dropDatabase(StandaloneSettings settings, String database) {
        PostgresConnection admin = new PostgresConnection("127.0.0.1", 5432, "postgres", settings.postgresUser(),
                settings.postgresPassword());
        try (Connection c = admin.connect(); Statement st = c.createStatement()) {
            st.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '" + database
                    + "' AND NOT active");
            st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        } catch (Exception e) {
            System.err.println("could not drop the benchmark database " + database + ": " + e.getMessage());
        }
    }

    private static double percentile(double[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static double secs(long nanos) {
        return nanos / 1e9;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
