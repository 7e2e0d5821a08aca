package io.cumulus.bench.photos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The peak resident set of this JVM's child processes while it runs: a thread reads {@code VmHWM}
 * (the kernel's high-water mark of a process's RSS) from {@code /proc/PID/status} of every
 * descendant named {@code vips} or {@code vipsheader} every 2 ms and keeps the largest per process.
 * Only those: a child the JVM has just forked and not yet replaced by its program shares the JVM's
 * pages, and its VmHWM is the JVM's. A child's growth in its last 2 ms before exit can be missed;
 * the benchmark checks the figure against {@code /usr/bin/time}.
 */
final class ChildPeakRss implements AutoCloseable {
    private final Map<Long, Long> peakKbByPid = new ConcurrentHashMap<>();
    private final Thread sampler;
    private volatile boolean running = true;

    ChildPeakRss() {
        sampler = Thread.ofPlatform().daemon().name("child-rss").start(() -> {
            while (running) {
                ProcessHandle.current().descendants().forEach(child -> {
                    if (!isVips(child.pid())) {
                        return;
                    }
                    long kb = vmHwmKb(child.pid());
                    if (kb > 0) {
                        peakKbByPid.merge(child.pid(), kb, Math::max);
                    }
                });
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** The largest peak of any one child, in bytes. */
    long maxBytes() {
        return peakKbByPid.values().stream().mapToLong(Long::longValue).max().orElse(0) * 1024;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        sampler.join();
    }

    private static boolean isVips(long pid) {
        try {
            String name = Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
            return name.equals("vips") || name.equals("vipsheader");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static long vmHwmKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // The process ended between listing and reading: nothing more to learn from it.
        }
        return 0;
    }
}
