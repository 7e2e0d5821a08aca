package io.cumulus.bench.sync;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The side-by-side table (Markdown): one row per figure, Cumulus and Syncthing, and the ratio Cumulus / Syncthing.
 * Either result may be missing (one tool only).
 */
final class TablePrinter {
    private final Dataset.Shape shape;
    private final ToolResult cumulus;
    private final ToolResult syncthing;
    private final List<String[]> rows = new ArrayList<>();

    private TablePrinter(Dataset.Shape shape, ToolResult cumulus, ToolResult syncthing) {
        this.shape = shape;
        this.cumulus = cumulus;
        this.syncthing = syncthing;
    }

    static void print(Dataset.Shape shape, ToolResult cumulus, ToolResult syncthing, PrintStream out) {
        new TablePrinter(shape, cumulus, syncthing).build().write(out);
    }

    private TablePrinter build() {
        ToolResult any = cumulus != null ? cumulus : syncthing;
        row(String.format(Locale.ROOT, "initial sync, device A's folder filled -> all of it on device B (%.1f MB)", any.initialBytes() / 1e6),
                r -> Optional.of(r.initialMegabytesPerSecond()),
                (r, v) -> String.format(Locale.ROOT, "%.1f MB/s (%.1f s)", v, r.initialTime().toNanos() / 1e9));
        traffic(String.format(Locale.ROOT, "one byte inserted in the middle of the %s MiB file: bytes on the wire",
                new java.math.BigDecimal(shape.bigFileBytes() / 1048576.0).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString()),
                ToolResult::insert);
        traffic(String.format(Locale.ROOT, "the %,d-file folder copied to a new path (no new content): bytes on the wire",
                shape.smallFiles()), ToolResult::copy);
        row(String.format("a small edit, A -> B, p50 (n=%d)", any.edits()), r -> Optional.of(r.latencyP50Millis()), TablePrinter::millis);
        row(String.format("a small edit, A -> B, p95 (n=%d)", any.edits()), r -> Optional.of(r.latencyP95Millis()), TablePrinter::millis);
        for (String device : any.maxRss().keySet()) {
            row("client memory, max RSS during the initial sync, device " + device,
                    r -> Optional.ofNullable(r.maxRss().get(device)).map(Long::doubleValue),
                    (r, v) -> String.format(Locale.ROOT, "%.0f MB", v / 1e6));
        }
        List<String> commands = java.util.stream.Stream.of(cumulus, syncthing).filter(java.util.Objects::nonNull)
                .flatMap(r -> r.commands().stream()).flatMap(c -> c.runs().keySet().stream()).distinct().toList();
        for (String command : commands) {
            row("`cumulus " + command + "` on the synced folder, wall time p50",
                    r -> r.commands().map(c -> c.p50(command)).map(TablePrinter::seconds),
                    (r, v) -> String.format(Locale.ROOT, "%.2f s", v));
        }
        return this;
    }

    /** One row per leg of the tool with the most legs; a tool with fewer legs repeats its last one. */
    private void traffic(String what, Function<ToolResult, Map<String, ByteCountingProxy.Traffic>> legs) {
        int n = Math.max(legCount(cumulus, legs), legCount(syncthing, legs));
        for (int i = 0; i < n; i++) {
            int index = i;
            List<String> names = new ArrayList<>();
            for (ToolResult r : new ToolResult[] {cumulus, syncthing}) {
                if (r != null) {
                    names.add(r.tool() + " " + legName(legs.apply(r), index));
                }
            }
            row(what + ", " + String.join(" / ", names),
                    r -> Optional.of((double) leg(legs.apply(r), index).total()),
                    (r, v) -> traffic(leg(legs.apply(r), index)));
        }
    }

    private static int legCount(ToolResult r, Function<ToolResult, Map<String, ByteCountingProxy.Traffic>> legs) {
        return r == null ? 0 : legs.apply(r).size();
    }

    private static String legName(Map<String, ByteCountingProxy.Traffic> legs, int index) {
        List<String> names = List.copyOf(legs.keySet());
        return names.get(Math.min(index, names.size() - 1));
    }

    private static ByteCountingProxy.Traffic leg(Map<String, ByteCountingProxy.Traffic> legs, int index) {
        return legs.get(legName(legs, index));
    }

    private interface Cell {
        String format(ToolResult r, double value);
    }

    private void row(String label, Function<ToolResult, Optional<Double>> value, Cell cell) {
        Optional<Double> c = cumulus == null ? Optional.empty() : value.apply(cumulus);
        Optional<Double> s = syncthing == null ? Optional.empty() : value.apply(syncthing);
        String ratio = c.isPresent() && s.isPresent() && s.get() != 0 ? String.format(Locale.ROOT, "%.2f", c.get() / s.get()) : "n/a";
        rows.add(new String[] {label, c.map(v -> cell.format(cumulus, v)).orElse(cumulus == null ? "not run" : "n/a"),
            s.map(v -> cell.format(syncthing, v)).orElse(syncthing == null ? "not run" : "n/a"), ratio});
    }

    private void write(PrintStream out) {
        out.println("| | Cumulus | Syncthing | Cumulus / Syncthing |");
        out.println("|---|---|---|---|");
        for (String[] r : rows) {
            out.println("| " + String.join(" | ", r) + " |");
        }
    }

    private static String millis(ToolResult r, double ms) {
        return String.format(Locale.ROOT, "%,.0f ms", ms);
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    /** Legs on one line, e.g. {@code A to server 1.02 MiB (1.01 MiB ->, 12.0 KiB <-)}. */
    static String legs(Map<String, ByteCountingProxy.Traffic> legs) {
        List<String> out = new ArrayList<>();
        legs.forEach((name, t) -> out.add(name + " " + traffic(t)));
        return String.join("; ", out);
    }

    private static String traffic(ByteCountingProxy.Traffic t) {
        return size(t.total()) + " (" + size(t.sent()) + " ->, " + size(t.received()) + " <-)";
    }

    static String size(long bytes) {
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.2f MiB", bytes / 1048576.0);
    }
}
