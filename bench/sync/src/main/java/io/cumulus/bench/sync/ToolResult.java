package io.cumulus.bench.sync;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** What one tool measured: every row of the table, for one tool. */
record ToolResult(
        String tool,
        long initialBytes,
        Duration initialTime,
        Map<String, ByteCountingProxy.Traffic> insert,
        Map<String, ByteCountingProxy.Traffic> copy,
        double latencyP50Millis,
        double latencyP95Millis,
        double latencyMaxMillis,
        int edits,
        Map<String, Long> maxRss,
        Optional<SyncTool.CommandTimes> commands) {

    double initialMegabytesPerSecond() {
        return initialBytes / 1e6 / (initialTime.toNanos() / 1e9);
    }
}
