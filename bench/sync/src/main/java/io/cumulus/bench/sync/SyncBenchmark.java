package io.cumulus.bench.sync;

import java.io.IOException;
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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.ScaledOutServers;
import io.cumulus.standalone.StandaloneServer;
import io.cumulus.standalone.StandaloneSettings;

/**
 * Cumulus and Syncthing side by side, one after the other, on the same generated folder, each with two devices
 * on this machine that sync continuously (Cumulus: a standalone server and two {@code cumulus sync} processes;
 * Syncthing: two instances). Every device's traffic goes through a byte-counting proxy. Prints, for both and with
 * the ratio Cumulus / Syncthing:
 * <ol>
 * <li>the initial sync throughput, from the moment the dataset lands in A's folder until all of it is on B;</li>
 * <li>the bytes on the wire, per leg, after one byte is inserted in the middle of the 64 MiB file;</li>
 * <li>the bytes on the wire, per leg, after the 2,000-file folder is copied to a new path;</li>
 * <li>the latency of a small edit, A to B, p50 and p95;</li>
 * <li>each device's client memory (largest RSS during the initial sync);</li>
 * <li>the wall time (p50 of a few runs) of {@code cumulus status}, {@code sync --once}, {@code versions}, {@code trash}
 * and {@code devices} on the synced folder.</li>
 * </ol>
 * With {@code --footprint [--files=100000]}, instead: one Cumulus device on a folder of that many small files, its
 * memory and its no-op rescan (see {@link Footprint}).
 * Options: {@code --scale=1} (multiplies the file counts and the 64 MiB sizes), {@code --small=N --large=N}
 * (file counts), {@code --edits=20}, {@code --seed=2026}, {@code --tools=cumulus,syncthing}, {@code --syncthing=PATH}
 * (the binary), {@code --keep} (keep the work dir), {@code --scaled-out} (Cumulus on the distributed engines), and
 * any server option ({@code --postgres-url=...}).
 */
public final class SyncBenchmark {
    private SyncBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        double scale = 1;
        Integer small = null;
        Integer large = null;
        int edits = 20;
        long seed = 2026;
        List<String> tools = List.of("cumulus", "syncthing");
        String syncthing = "syncthing";
        boolean scaledOut = false;
        boolean keep = false;
        boolean footprint = false;
        int files = 100_000;
        List<String> serverArgs = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--scaled-out")) {
                scaledOut = true;
            } else if (a.equals("--footprint")) {
                footprint = true;
            } else if (a.startsWith("--files=")) {
                files = Integer.parseInt(value(a));
            } else if (a.equals("--keep")) {
                keep = true;
            } else if (a.startsWith("--scale=")) {
                scale = Double.parseDouble(value(a));
            } else if (a.startsWith("--small=")) {
                small = Integer.parseInt(value(a));
            } else if (a.startsWith("--large=")) {
                large = Integer.parseInt(value(a));
            } else if (a.startsWith("--edits=")) {
                edits = Integer.parseInt(value(a));
            } else if (a.startsWith("--seed=")) {
                seed = Long.parseLong(value(a));
            } else if (a.startsWith("--tools=")) {
                tools = List.of(value(a).toLowerCase().split(","));
            } else if (a.startsWith("--syncthing=")) {
                syncthing = value(a);
            } else {
                serverArgs.add(a);
            }
        }
        if (footprint) {
            Path work = Files.createTempDirectory("cumulus-footprint-bench-");
            System.out.println("footprint benchmark: " + files + " files; seed " + seed + "; work dir " + work);
            System.out.println("machine: " + Machine.describe());
            int fileCount = files;
            long fileSeed = seed;
            boolean ok = false;
            try {
                withServer(work, serverArgs, scaledOut, (server, user, password) ->
                        new Footprint(work, server, user, password, fileCount, fileSeed, System.out).run());
                ok = true;
            } catch (Exception e) {
                System.out.println("footprint: the run failed; its logs are in " + work);
                e.printStackTrace(System.out);
            }
            if (ok && !keep) {
                deleteTree(work);
            }
            System.exit(ok ? 0 : 1);
        }
        Dataset.Shape shape = Dataset.Shape.scaled(scale).withCounts(small, large);
        Path work = Files.createTempDirectory("cumulus-sync-bench-");
        System.out.println("sync benchmark: " + shape + "; seed " + seed + "; " + edits + " edits; tools " + tools + "; work dir " + work);
        System.out.println("machine: " + Machine.describe());

        ToolResult cumulus = null;
        ToolResult reference = null;
        boolean failed = false;
        if (tools.contains("cumulus")) {
            try {
                cumulus = runCumulus(work.resolve("cumulus"), serverArgs, scaledOut, shape, seed, edits);
            } catch (Exception e) {
                failed = true;
                System.out.println("cumulus: the run failed; its logs are in " + work.resolve("cumulus"));
                e.printStackTrace(System.out);
            }
        }
        if (tools.contains("syncthing")) {
            try {
                reference = runSyncthing(work.resolve("syncthing"), syncthing, shape, seed, edits);
            } catch (Exception e) {
                failed = true;
                System.out.println("syncthing: the run failed; its logs are in " + work.resolve("syncthing"));
                e.printStackTrace(System.out);
            }
        }
        System.out.println();
        if (cumulus != null || reference != null) {
            TablePrinter.print(shape, cumulus, reference, System.out);
        }
        if (!keep && !failed) {
            deleteTree(work);
        }
        System.exit(failed ? 1 : 0);
    }

    private static ToolResult runSyncthing(Path work, String binary, Dataset.Shape shape, long seed, int edits) throws Exception {
        try (SyncthingDriver driver = new SyncthingDriver(Files.createDirectories(work), binary)) {
            System.out.println("syncthing: " + driver.version());
            return new BenchRun(driver, Files.createDirectories(work.resolve("staging")), shape, seed, edits, System.out::println).run();
        }
    }

    private static ToolResult runCumulus(Path work, List<String> serverArgs, boolean scaledOut, Dataset.Shape shape, long seed,
            int edits) throws Exception {
        ToolResult[] result = new ToolResult[1];
        withServer(work, serverArgs, scaledOut, (server, user, password) -> {
            try (CumulusDriver driver = new CumulusDriver(work, server, user, password)) {
                result[0] = new BenchRun(driver, Files.createDirectories(work.resolve("staging")), shape, seed, edits, System.out::println).run();
            }
        });
        return result[0];
    }

    /** What runs against a started server, as one account's user. */
    private interface WithAccount {
        void run(URI server, String user, String password) throws Exception;
    }

    /** Starts a standalone server (with a throwaway database unless one is given), creates an account, runs {@code body}. */
    private static void withServer(Path work, List<String> serverArgs, boolean scaledOut, WithAccount body) throws Exception {
        List<String> options = new ArrayList<>(serverArgs);
        options.add("--data-dir=" + work.resolve("server"));
        options.add("--port=" + freePort());
        options.add("--kafka-port=" + freePort());
        String throwaway = null;
        if (options.stream().noneMatch(a -> a.startsWith("--postgres-url="))) {
            throwaway = "cumulus_syncbench_" + UUID.randomUUID().toString().substring(0, 8);
            options.add("--postgres-url=jdbc:postgresql://127.0.0.1:5432/" + throwaway);
        }
        // --scaled-out: the distributed engines (3 Kafka brokers, Cassandra, S3) instead of the embedded defaults.
        ScaledOutServers engines = scaledOut
                ? ScaledOutServers.start(work.resolve("engines"), line -> System.out.println("  " + line)) : null;
        if (engines != null) {
            options.addAll(engines.options());
        }
        StandaloneSettings settings = StandaloneSettings.from(options, Map.of());
        System.out.println("cumulus: standalone server" + (scaledOut ? " on the scaled-out engines" : " with embedded defaults"));
        try (engines; StandaloneServer s = StandaloneServer.start(settings, line -> System.out.println("  " + line))) {
            String user = "bench" + UUID.randomUUID().toString().substring(0, 8);
            String password = "bench password " + user;
            createAccount(s, user, password);
            body.run(URI.create(s.baseUrl()), user, password);
            if (throwaway != null) {
                ServerFootprint.report(postgres(settings, throwaway), work.resolve("server").resolve("kafka"), System.out::println);
            }
        } finally {
            if (throwaway != null) {
                dropDatabase(settings, throwaway);
            }
        }
    }

    private static String value(String option) {
        return option.substring(option.indexOf('=') + 1);
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

    private static PostgresConnection postgres(StandaloneSettings settings, String database) {
        return new PostgresConnection("127.0.0.1", 5432, database, settings.postgresUser(), settings.postgresPassword());
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

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
