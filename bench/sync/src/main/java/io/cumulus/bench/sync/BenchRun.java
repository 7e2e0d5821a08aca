package io.cumulus.bench.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The steps, in order, on one tool whose two devices run continuously: the initial sync (with the clients' memory
 * sampled), a one-byte insert in the big file, a copy of the small-file folder, the latency of small edits, and
 * the commands.
 */
final class BenchRun {
    private static final Duration QUIET = Duration.ofSeconds(2);
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(10);

    private final SyncTool tool;
    private final Path staging;
    private final Dataset.Shape shape;
    private final long seed;
    private final int edits;
    private final Consumer<String> log;

    BenchRun(SyncTool tool, Path staging, Dataset.Shape shape, long seed, int edits, Consumer<String> log) {
        this.tool = tool;
        this.staging = staging;
        this.shape = shape;
        this.seed = seed;
        this.edits = edits;
        this.log = log;
    }

    ToolResult run() throws Exception {
        Dataset dataset = Dataset.write(staging.resolve("dataset"), shape, seed);
        log.accept(String.format("%s: dataset of %,d files, %.1f MB written; starting both devices", tool.name(),
                dataset.files().size(), dataset.bytes() / 1e6));
        tool.start();

        // 1. initial sync, with each client's memory sampled
        Duration initial;
        Map<String, Long> rss;
        RssSampler sampler = RssSampler.start(tool.processes());
        try {
            long t0 = System.nanoTime();
            dataset.moveInto(tool.folderA());
            tool.bulkChanged();
            awaitSame(tool.folderB(), dataset.files(), "the initial sync");
            initial = Duration.ofNanos(System.nanoTime() - t0);
        } finally {
            sampler.close();
        }
        rss = sampler.max();
        tool.awaitSettled();
        log.accept(String.format("%s: initial sync %.1f s (%.1f MB/s)", tool.name(), initial.toNanos() / 1e9,
                dataset.bytes() / 1e6 / (initial.toNanos() / 1e9)));

        Map<String, ByteCountingProxy.Traffic> insert = measureInsert();
        log.accept(tool.name() + ": 1-byte insert, bytes on the wire " + TablePrinter.legs(insert));
        Map<String, ByteCountingProxy.Traffic> copy = measureCopy();
        log.accept(tool.name() + ": copy of " + Dataset.SMALL + "/, bytes on the wire " + TablePrinter.legs(copy));
        double[] latency = measureLatency();
        log.accept(String.format("%s: small edit p50 %.0f ms, p95 %.0f ms", tool.name(), latency[0], latency[1]));
        Optional<SyncTool.CommandTimes> commands = tool.timeCommands();
        commands.ifPresent(c -> c.describe().forEach(line -> log.accept(tool.name() + ": " + line)));
        return new ToolResult(tool.name(), dataset.bytes(), initial, insert, copy, latency[0], latency[1], latency[2], edits, rss,
                commands);
    }

    /** One byte inserted in the middle of the big file, the new file renamed over the old one on A. */
    private Map<String, ByteCountingProxy.Traffic> measureInsert() throws Exception {
        Path onA = tool.folderA().resolve(Dataset.BIG_FILE);
        byte[] old = Files.readAllBytes(onA);
        byte[] inserted = new byte[old.length + 1];
        System.arraycopy(old, 0, inserted, 0, old.length / 2);
        inserted[old.length / 2] = 42;
        System.arraycopy(old, old.length / 2, inserted, old.length / 2 + 1, old.length - old.length / 2);
        Path staged = Files.write(staging.resolve("big.bin"), inserted);
        byte[] expected = sha256(inserted);
        Path onB = tool.folderB().resolve(Dataset.BIG_FILE);
        return measureTraffic(() -> {
            Files.move(staged, onA, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tool.bulkChanged();
            await(() -> Files.size(onB) == inserted.length && Arrays.equals(sha256(Files.readAllBytes(onB)), expected),
                    "the inserted byte to reach B");
        });
    }

    /** The small-file folder copied to a new path: staged outside the folder, then renamed into it. */
    private Map<String, ByteCountingProxy.Traffic> measureCopy() throws Exception {
        String copyName = Dataset.SMALL + "-copy";
        Path staged = staging.resolve(copyName);
        Dataset.copyTree(tool.folderA().resolve(Dataset.SMALL), staged);
        SortedMap<String, Long> expected = Dataset.listing(staged);
        return measureTraffic(() -> {
            Files.move(staged, tool.folderA().resolve(copyName), StandardCopyOption.ATOMIC_MOVE);
            tool.bulkChanged();
            awaitSame(tool.folderB().resolve(copyName), expected, "the copied folder");
        });
    }

    /** A small file rewritten on A, {@code edits} times: from the write until B's file has the same bytes. */
    private double[] measureLatency() throws Exception {
        Path onA = tool.folderA().resolve("edits/note.txt");
        Path onB = tool.folderB().resolve("edits/note.txt");
        Files.createDirectories(onA.getParent());
        double[] ms = new double[edits];
        for (int i = -1; i < edits; i++) { // edit -1 creates the file and its folder and is not counted
            byte[] content = ("edit " + i + " " + UUID.randomUUID() + "\n").getBytes();
            long start = System.nanoTime();
            Files.write(onA, content);
            while (!Arrays.equals(readQuietly(onB), content)) {
                if (System.nanoTime() - start > 60_000_000_000L) {
                    throw new IllegalStateException(tool.name() + ": edit " + i + " did not reach B within 60 s");
                }
                Thread.sleep(2); // polling B's disk is what is measured: no event to wait on
            }
            if (i >= 0) {
                ms[i] = (System.nanoTime() - start) / 1e6;
            }
            Thread.sleep(300);
        }
        Arrays.sort(ms);
        return new double[] {percentile(ms, 50), percentile(ms, 95), ms[ms.length - 1]};
    }

    private interface Step {
        void run() throws Exception;
    }

    /** Waits for quiet, resets the counters, runs the step, waits for quiet again and reads the counters per leg. */
    private Map<String, ByteCountingProxy.Traffic> measureTraffic(Step step) throws Exception {
        List<ByteCountingProxy> all = tool.legs().values().stream().flatMap(leg -> leg.proxies().stream()).toList();
        ByteCountingProxy.awaitQuiet(all, QUIET);
        all.forEach(ByteCountingProxy::reset);
        step.run();
        tool.awaitSettled();
        ByteCountingProxy.awaitQuiet(all, QUIET);
        Map<String, ByteCountingProxy.Traffic> out = new LinkedHashMap<>();
        tool.legs().forEach((name, leg) -> out.put(name, leg.traffic()));
        return out;
    }

    private void awaitSame(Path folder, SortedMap<String, Long> expected, String what) throws Exception {
        await(() -> Dataset.listing(folder).equals(expected), what);
    }

    private interface Condition {
        boolean holds() throws IOException;
    }

    private void await(Condition condition, String what) throws Exception {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        while (true) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (IOException e) {
                // being written right now
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(tool.name() + ": timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    private static byte[] readQuietly(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            return new byte[0]; // not there yet, or being replaced right now
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double percentile(double[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
