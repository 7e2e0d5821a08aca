package io.cumulus.bench.photos;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.cumulus.photos.image.Derived;
import io.cumulus.photos.image.PhotoDeriver;

/**
 * Photo derivatives per second on the same generated photos in the same run: Cumulus'
 * {@link PhotoDeriver} (metadata + 1600-pixel preview + 256-pixel square thumbnail), {@code
 * vipsthumbnail -s 256}, ImageMagick's {@code /usr/bin/convert FILE -thumbnail 256x256 out.jpg}
 * (the real one: a {@code convert} earlier on PATH may be something else), and the pure-Java path
 * (ImageIO with subsampling), one photo at a time and two at a time; then the peak memory of
 * deriving one 100-megapixel JPEG.
 *
 * <pre>bench/photos/run [--photos=8] [--rounds=2] [--dir=target/bench-photos] [--skip-100mp] [--only-100mp]</pre>
 */
public final class PhotoBenchmark {
    private static final String CONVERT = "/usr/bin/convert";

    interface Task {
        void run(Path photo, Path scratch) throws Exception;
    }

    record Rate(String what, int parallel, double perSecond, double cpuMsPerPhoto) {
    }

    public static void main(String[] args) throws Exception {
        int photos = intArg(args, "--photos", 8);
        int rounds = intArg(args, "--rounds", 2);
        Path dir = Path.of(stringArg(args, "--dir", "bench/photos/target/bench-photos")).toAbsolutePath();
        Files.createDirectories(dir);
        Path scratch = Files.createDirectories(dir.resolve("out"));

        PhotoDeriver deriver = new PhotoDeriver(PhotoDeriver.defaults());
        deriver.missingTools().ifPresent(missing -> {
            throw new IllegalStateException(missing);
        });
        List<Path> jpegs = new ArrayList<>();
        for (int i = 0; i < photos; i++) {
            Path file = dir.resolve("photo-%02d.jpg".formatted(i));
            if (!Files.exists(file)) {
                BenchPhotos.jpeg(file, 4000, 3000, i + 1);
            }
            jpegs.add(file);
        }
        long bytes = 0;
        for (Path p : jpegs) {
            bytes += Files.size(p);
        }
        System.out.printf(Locale.ROOT, "%d JPEGs, 4000 x 3000 (12 MP), %.1f MB each on average; %d rounds each%n",
                photos, bytes / 1e6 / photos, rounds);
        if (List.of(args).contains("--only-100mp")) {
            peakMemory(deriver, dir);
            return;
        }
        List<Path> heics = heics(jpegs, dir);

        Task ours = (photo, out) -> {
            if (!(deriver.derive(photo, Instant.EPOCH) instanceof Derived.Ready)) {
                throw new IllegalStateException("not derived: " + photo);
            }
        };
        Task vipsthumbnail = (photo, out) -> tool(List.of("vipsthumbnail", photo.toString(), "-s", "256", "-o",
                out.resolve("vt-" + Thread.currentThread().threadId() + ".jpg").toString()));
        Task convert = (photo, out) -> tool(List.of(CONVERT, photo.toString(), "-thumbnail", "256x256",
                out.resolve("im-" + Thread.currentThread().threadId() + ".jpg").toString()));
        Task pureJava = (photo, out) -> PureJavaDeriver.derive(photo, 1600, 256);

        List<Rate> rates = new ArrayList<>();
        for (int parallel : new int[] {1, 2}) {
            rates.add(measure("Cumulus PhotoDeriver (metadata + preview + thumbnail)", parallel, jpegs, rounds, ours, scratch));
            rates.add(measure("vipsthumbnail -s 256 (thumbnail only)", parallel, jpegs, rounds, vipsthumbnail, scratch));
            rates.add(measure(CONVERT + " -thumbnail 256x256 (thumbnail only)", parallel, jpegs, rounds, convert, scratch));
            rates.add(measure("pure Java: ImageIO subsampled + metadata-extractor", parallel, jpegs, rounds, pureJava, scratch));
            if (!heics.isEmpty()) {
                rates.add(measure("Cumulus PhotoDeriver on HEIC", parallel, heics, rounds, ours, scratch));
            }
        }
        report(rates);
        if (!List.of(args).contains("--skip-100mp")) {
            peakMemory(deriver, dir);
        }
    }

    private static List<Path> heics(List<Path> jpegs, Path dir) throws Exception {
        List<Path> heics = new ArrayList<>();
        for (int i = 0; i < Math.min(4, jpegs.size()); i++) {
            Path heic = dir.resolve("photo-%02d.heic".formatted(i));
            if (!Files.exists(heic)) {
                Path partial = dir.resolve("partial.heic");
                try {
                    tool(List.of("vips", "copy", jpegs.get(i).toString(), partial + "[Q=60]"));
                } catch (IllegalStateException e) {
                    System.out.println("no HEIC encoder here (vips heifsave failed): HEIC not measured");
                    return List.of();
                }
                Files.move(partial, heic);
            }
            heics.add(heic);
        }
        return heics;
    }

    private static Rate measure(String what, int parallel, List<Path> photos, int rounds, Task task, Path scratch)
            throws Exception {
        for (Path photo : photos) {
            task.run(photo, scratch); // warm-up: the JIT, the page cache, the tools' shared libraries
        }
        List<Path> work = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            work.addAll(photos);
        }
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        long cpuStart = cpuTicks();
        long start = System.nanoTime();
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < parallel; t++) {
            workers.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < work.size(); i = next.getAndIncrement()) {
                    task.run(work.get(i), scratch);
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuMs = (cpuTicks() - cpuStart) * 10.0 / work.size();
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.MINUTES);
        Rate rate = new Rate(what, parallel, work.size() / seconds, cpuMs);
        System.out.printf(Locale.ROOT, "  %-62s x%d  %6.2f photos/s  %5.0f CPU ms/photo%n", what, parallel,
                rate.perSecond(), cpuMs);
        return rate;
    }

    /**
     * User and system CPU of this JVM and of its children it has waited for, in ticks of 10 ms
     * ({@code /proc/self/stat} fields 14 to 17): what a measurement cost whatever else the machine runs.
     */
    private static long cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]) + Long.parseLong(fields[13])
                + Long.parseLong(fields[14]);
    }

    private static void report(List<Rate> rates) {
        System.out.println();
        System.out.println("| what | at once | photos/s | wall ms/photo | CPU ms/photo |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (Rate r : rates) {
            System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %.0f | %.0f |%n", r.what(), r.parallel(), r.perSecond(),
                    1000 * r.parallel() / r.perSecond(), r.cpuMsPerPhoto());
        }
        System.out.println();
        for (int parallel : new int[] {1, 2}) {
            double ours = find(rates, "Cumulus PhotoDeriver (", parallel);
            double magick = find(rates, CONVERT, parallel);
            double vips = find(rates, "vipsthumbnail", parallel);
            double java = find(rates, "pure Java", parallel);
            System.out.printf(Locale.ROOT,
                    "%d at once: ours/ImageMagick %.2f (floor 1.0, %s), ours/vipsthumbnail %.2f (target 0.5, %s), ours/pure Java %.2f%n",
                    parallel, ours / magick, ours / magick >= 1.0 ? "met" : "MISSED", ours / vips,
                    ours / vips >= 0.5 ? "met" : "missed", ours / java);
            double oursCpu = cpu(rates, "Cumulus PhotoDeriver (", parallel);
            System.out.printf(Locale.ROOT,
                    "%d at once, by CPU per photo: ours/ImageMagick %.2f, ours/vipsthumbnail %.2f, ours/pure Java %.2f%n",
                    parallel, cpu(rates, CONVERT, parallel) / oursCpu, cpu(rates, "vipsthumbnail", parallel) / oursCpu,
                    cpu(rates, "pure Java", parallel) / oursCpu);
        }
    }

    private static double cpu(List<Rate> rates, String prefix, int parallel) {
        return rates.stream().filter(r -> r.what().startsWith(prefix) && r.parallel() == parallel)
                .mapToDouble(Rate::cpuMsPerPhoto).findFirst().orElse(Double.NaN);
    }

    private static double find(List<Rate> rates, String prefix, int parallel) {
        return rates.stream().filter(r -> r.what().startsWith(prefix) && r.parallel() == parallel)
                .mapToDouble(Rate::perSecond).findFirst().orElse(Double.NaN);
    }

    private static void peakMemory(PhotoDeriver deriver, Path dir) throws Exception {
        Path big = dir.resolve("photo-100mp.jpg");
        if (!Files.exists(big)) {
            BenchPhotos.jpeg(big, 11_548, 8_660, 100);
        }
        System.out.printf(Locale.ROOT, "%n100-megapixel JPEG: 11548 x 8660, %.1f MB%n", Files.size(big) / 1e6);
        deriver.derive(big, Instant.EPOCH);
        System.gc();
        List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        long usedBefore = heapPools.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
        heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
        long start = System.nanoTime();
        Derived derived;
        long childPeak;
        try (ChildPeakRss rss = new ChildPeakRss()) {
            derived = deriver.derive(big, Instant.EPOCH);
            childPeak = rss.maxBytes();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long heapPeak = heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        System.out.printf(Locale.ROOT, "  derived: %s in %.2f s%n", derived.getClass().getSimpleName(), seconds);
        System.out.printf(Locale.ROOT, "  JVM heap: %.1f MB in use before, peak %.1f MB during (sum of the heap pools' peaks)%n",
                usedBefore / 1e6, heapPeak / 1e6);
        System.out.printf(Locale.ROOT, "  largest libvips child's peak RSS (VmHWM, sampled every 2 ms): %.1f MB%n",
                childPeak / 1e6);
        if (Files.isExecutable(Path.of("/usr/bin/time"))) {
            Path out = dir.resolve("out").resolve("time-v.txt");
            // The command PhotoDeriver runs for this photo's preview: decoded at 1/4 (2887 x 2165), resized to 1600.
            new ProcessBuilder("/usr/bin/time", "-f", "%M", "-o", out.toString(), "vips", "--vips-concurrency=1",
                    "resize", big + "[shrink=4,autorotate=true,fail_on=truncated]",
                    dir.resolve("out").resolve("big-preview.jpg") + "[Q=82,strip]", Double.toString(1600.0 / 2887))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            System.out.printf(Locale.ROOT, "  the same preview by /usr/bin/time -f %%M vips resize ...: max RSS %.1f MB%n",
                    Long.parseLong(Files.readString(out).trim()) * 1024 / 1e6);
        }
        System.gc();
        heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
        start = System.nanoTime();
        PureJavaDeriver.derive(big, 1600, 256);
        System.out.printf(Locale.ROOT, "  pure Java on it: %.2f s, JVM heap peak %.1f MB%n", (System.nanoTime() - start) / 1e9,
                heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum() / 1e6);
    }

    private static void tool(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("failed: " + String.join(" ", command));
        }
    }

    private static int intArg(String[] args, String name, int fallback) {
        return Integer.parseInt(stringArg(args, name, Integer.toString(fallback)));
    }

    private static String stringArg(String[] args, String name, String fallback) {
        for (String a : args) {
            if (a.startsWith(name + "=")) {
                return a.substring(name.length() + 1);
            }
        }
        return fallback;
    }

    private PhotoBenchmark() {
    }
}
