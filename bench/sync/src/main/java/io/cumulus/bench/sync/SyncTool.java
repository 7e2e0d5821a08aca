package io.cumulus.bench.sync;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One sync tool as the benchmark drives it: two devices, A and B, on this machine, each keeping a folder. */
interface SyncTool extends AutoCloseable {
    String name();

    Path folderA();

    Path folderB();

    /** Starts both devices syncing continuously and returns once they are connected and idle. */
    void start() throws Exception;

    /** Tells device A that its folder changed in bulk (a forced rescan where the tool has one). */
    void bulkChanged() throws Exception;

    /** Returns once the tool itself says both devices are in sync (after B's disk already shows it). */
    void awaitSettled() throws Exception;

    /** The connections between the devices (and the server), by name ("A to server", ...), in device order. */
    Map<String, Leg> legs();

    /** The running client process of each device, by device name. */
    Map<String, ProcessHandle> processes();

    /**
     * Stops the continuous clients and times the short commands on device A's folder ({@code status},
     * {@code sync --once}, {@code versions}, {@code trash}, {@code devices}), a few runs each; empty when the tool
     * has no such commands.
     */
    Optional<CommandTimes> timeCommands() throws Exception;

    @Override
    void close();

    /** Per command (as typed after {@code cumulus}, in the order run): the wall time of each run, the first one first. */
    record CommandTimes(java.util.SequencedMap<String, List<Duration>> runs) {
        /** The median run of a command, or null when it was not run. */
        Duration p50(String command) {
            List<Duration> r = runs.get(command);
            if (r == null || r.isEmpty()) {
                return null;
            }
            List<Duration> sorted = r.stream().sorted().toList();
            return sorted.get(sorted.size() / 2);
        }

        /** One line per command: its p50, and every run in milliseconds. */
        List<String> describe() {
            return runs.entrySet().stream().map(e -> String.format(java.util.Locale.ROOT, "%s: p50 %d ms (runs %s ms)", e.getKey(),
                    p50(e.getKey()).toMillis(), e.getValue().stream().map(d -> Long.toString(d.toMillis())).toList())).toList();
        }
    }

    /**
     * One leg between two ends: the proxies its first end dials through, and those its second end dials through.
     * Its traffic is oriented: {@code sent} is from the first end to the second.
     */
    record Leg(List<ByteCountingProxy> fromFirst, List<ByteCountingProxy> fromSecond) {
        ByteCountingProxy.Traffic traffic() {
            ByteCountingProxy.Traffic t = new ByteCountingProxy.Traffic(0, 0);
            for (ByteCountingProxy p : fromFirst) {
                t = t.plus(p.traffic());
            }
            for (ByteCountingProxy p : fromSecond) {
                t = t.plus(p.traffic().reversed());
            }
            return t;
        }

        List<ByteCountingProxy> proxies() {
            return java.util.stream.Stream.concat(fromFirst.stream(), fromSecond.stream()).toList();
        }
    }
}
