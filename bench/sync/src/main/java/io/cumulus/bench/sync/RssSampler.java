package io.cumulus.bench.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Samples the resident set size (VmRSS in /proc/PID/status) of each device's process and its descendants every
 * 100 ms, and keeps the largest value seen per device.
 */
final class RssSampler implements AutoCloseable {
    private final Map<String, ProcessHandle> processes;
    private final Map<String, Long> max = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    private RssSampler(Map<String, ProcessHandle> processes) {
        this.processes = processes;
        processes.keySet().forEach(device -> max.put(device, 0L));
        this.thread = Thread.ofPlatform().daemon().name("rss-sampler").start(this::loop);
    }

    static RssSampler start(Map<String, ProcessHandle> processes) {
        return new RssSampler(processes);
    }

    private void loop() {
        while (running) {
            sample();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sample() {
        processes.forEach((device, process) -> {
            long bytes = rss(process) + process.descendants().mapToLong(RssSampler::rss).sum();
            max.merge(device, bytes, Math::max);
        });
    }

    /** The largest RSS seen per device, in bytes, in device order. */
    Map<String, Long> max() {
        Map<String, Long> out = new LinkedHashMap<>();
        processes.keySet().forEach(device -> out.put(device, max.get(device)));
        return out;
    }

    static long rss(ProcessHandle process) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process ended
        }
        return 0;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
