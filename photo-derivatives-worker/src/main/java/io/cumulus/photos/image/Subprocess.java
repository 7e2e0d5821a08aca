package io.cumulus.photos.image;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * One run of an image tool, bounded so that no input can hang or swamp its caller: no shell (the
 * arguments go to {@code execve} as they are), stdout and stderr into one log file of which only
 * the first {@link #KEPT_OUTPUT} bytes are read back, a deadline after which the process and all its
 * descendants are killed, and, when {@code prlimit} is installed, a cap on its address space and on
 * the size of any file it writes.
 */
final class Subprocess {
    /** Bytes of a tool's output kept for the result: enough for a header line or an error. */
    static final int KEPT_OUTPUT = 4096;

    record Result(int exitCode, String output, boolean timedOut) {
        boolean succeeded() {
            return !timedOut && exitCode == 0;
        }

        /**
         * The first line of the output, for a reason shown to a person and recorded with the photo: without
         * what changes from run to run (a process id, a clock time, the path of a working file), so that a
         * replay records the same reason.
         */
        String firstLine() {
            String trimmed = output.strip();
            int newline = trimmed.indexOf('\n');
            String line = newline < 0 ? trimmed : trimmed.substring(0, newline).strip();
            line = GLIB_LOG_PREFIX.matcher(line).replaceFirst("$1: ");
            return PATH.matcher(line).replaceAll("the file");
        }
    }

    /** GLib's log line prefix: {@code (vipsheader:14525): VIPS-WARNING **: 13:17:56.743: }. */
    private static final Pattern GLIB_LOG_PREFIX = Pattern.compile("^\\(([^():\\s]+):\\d+\\): [\\w-]+ \\*\\*: [\\d:.]+: ");
    /** An absolute path, quoted or not: always one of the worker's own working files. */
    private static final Pattern PATH = Pattern.compile("\"?(?<![\\w.])/[^\"\\s]+\"?");

    record Limits(Duration timeout, long maxAddressSpace, long maxFileSize, String prlimit) {
    }

    static Result run(List<String> command, Map<String, String> environment, Limits limits, Path log)
            throws IOException {
        List<String> full = limits.prlimit() == null ? command : withPrlimit(command, limits);
        ProcessBuilder builder = new ProcessBuilder(full)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(environment);
        Process process = builder.start();
        boolean finished;
        try {
            finished = process.waitFor(limits.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + command.getFirst() + " ran", e);
        }
        if (!finished) {
            kill(process);
            return new Result(-1, readHead(log), true);
        }
        return new Result(process.exitValue(), readHead(log), false);
    }

    /** prlimit sets the limits on itself and then execs the tool: the pid we hold is the tool's. */
    private static List<String> withPrlimit(List<String> command, Limits limits) {
        List<String> full = new ArrayList<>(command.size() + 4);
        full.add(limits.prlimit());
        if (limits.maxAddressSpace() > 0) {
            full.add("--as=" + limits.maxAddressSpace());
        }
        if (limits.maxFileSize() > 0) {
            full.add("--fsize=" + limits.maxFileSize());
        }
        full.add("--");
        full.addAll(command);
        return full;
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String readHead(Path log) throws IOException {
        try (InputStream in = Files.newInputStream(log)) {
            return new String(in.readNBytes(KEPT_OUTPUT), StandardCharsets.UTF_8);
        }
    }

    private Subprocess() {
    }
}
