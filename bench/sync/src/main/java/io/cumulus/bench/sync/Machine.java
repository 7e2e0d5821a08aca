package io.cumulus.bench.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** One line about this machine: cores and CPU model, memory, OS and Java. */
final class Machine {
    private Machine() {
    }

    static String describe() {
        String cpu = field(Path.of("/proc/cpuinfo"), "model name");
        String mem = field(Path.of("/proc/meminfo"), "MemTotal");
        String os = field(Path.of("/etc/os-release"), "PRETTY_NAME");
        String memory = mem == null ? "" : String.format(Locale.ROOT, ", %.0f GiB", Long.parseLong(mem.split("\\s+")[0]) / 1048576.0);
        return Runtime.getRuntime().availableProcessors() + " cores" + (cpu == null ? "" : " (" + cpu + ")") + memory + ", "
                + (os == null ? System.getProperty("os.name") : os.replace("\"", "")) + " " + System.getProperty("os.arch") + ", Java "
                + System.getProperty("java.version");
    }

    private static String field(Path file, String name) {
        try {
            List<String> lines = Files.readAllLines(file);
            for (String line : lines) {
                if (line.startsWith(name)) {
                    return line.substring(line.indexOf(line.contains(":") ? ':' : '=') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not on Linux
        }
        return null;
    }
}
