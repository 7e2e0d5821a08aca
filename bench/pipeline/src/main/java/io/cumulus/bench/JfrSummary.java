package io.cumulus.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises a Flight Recorder recording of a pipeline run (server and devices in one JVM) by
 * where the time goes, per group of threads (thread names with their numbers stripped):
 * <ul>
 *   <li>CPU: execution samples per group, with each group's most frequent frames (the innermost
 *       Cumulus frame of a sample, else its innermost frame);
 *   <li>waiting: parked time per group ({@code jdk.ThreadPark}, 10 ms and longer in the
 *       {@code profile} settings), with the frames it waited in; only the threads that carry
 *       a batch (intake, relay, reconciler, projector, notifier), idle pool workers left out.
 * </ul>
 * Usage: {@code JfrSummary RECORDING.jfr}; {@code bench/pipeline/profile} runs it after the benchmark.
 */
public final class JfrSummary {
    private static final Pattern NUMBERS = Pattern.compile("\\d+");
    private static final Pattern IDS = Pattern.compile("[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}");
    private static final List<String> PIPELINE_THREADS = List.of("http-nio", "outbox-relay", "debezium", "StreamThread",
            "cumulus-projector", "cumulus-notifier", "cumulus-chunk-refs");
    private static final int GROUPS = 14;
    private static final int FRAMES = 4;

    private final Map<String, Tally> cpu = new HashMap<>();
    private final Map<String, Tally> parked = new HashMap<>();
    private long samples;

    /** Counts (samples or nanoseconds) for a thread group, in all and by frame. */
    private static final class Tally {
        long total;
        final Map<String, Long> byFrame = new HashMap<>();

        void add(String frame, long amount) {
            total += amount;
            byFrame.merge(frame, amount, Long::sum);
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: JfrSummary RECORDING.jfr");
            System.exit(2);
        }
        JfrSummary summary = new JfrSummary();
        try (RecordingFile recording = new RecordingFile(Path.of(args[0]))) {
            while (recording.hasMoreEvents()) {
                summary.add(recording.readEvent());
            }
        }
        summary.print();
    }

    private void add(RecordedEvent event) {
        String type = event.getEventType().getName();
        if (type.equals("jdk.ExecutionSample")) {
            RecordedThread thread = event.getThread("sampledThread");
            samples++;
            cpu.computeIfAbsent(group(thread), g -> new Tally()).add(frameOf(event.getStackTrace(), false), 1);
        } else if (type.equals("jdk.ThreadPark") && pipeline(group(event.getThread())) && !idle(event.getStackTrace())) {
            parked.computeIfAbsent(group(event.getThread()), g -> new Tally())
                    .add(frameOf(event.getStackTrace(), true), event.getDuration().toNanos());
        }
    }

    /** The threads that carry a batch: the intake's, the relay's, the reconciler's, the projector's and the notifier's. */
    private static boolean pipeline(String group) {
        return PIPELINE_THREADS.stream().anyMatch(group::contains);
    }

    /** A pool's worker waiting for work, or a selector thread's sleep: no one waits on it. */
    private static boolean idle(RecordedStackTrace stack) {
        if (stack == null) {
            return true;
        }
        for (RecordedFrame f : stack.getFrames()) {
            String method = f.getMethod().getType().getName() + "." + f.getMethod().getName();
            if (method.endsWith("ThreadPoolExecutor.getTask") || method.endsWith("ForkJoinPool.awaitWork")
                    || method.endsWith("ScheduledThreadPoolExecutor$DelayedWorkQueue.take")
                    || method.contains("SelectorManager") || method.endsWith("TaskQueue.poll") || method.endsWith("TaskQueue.take")) {
                return true;
            }
        }
        return false;
    }

    private static String group(RecordedThread thread) {
        if (thread == null) {
            return "?";
        }
        String name = thread.getJavaName() != null ? thread.getJavaName() : thread.getOSName();
        return NUMBERS.matcher(IDS.matcher(name).replaceAll("ID")).replaceAll("N");
    }

    /** The innermost Cumulus frame, else the innermost frame outside the JDK's locking (for waits). */
    private static String frameOf(RecordedStackTrace stack, boolean waiting) {
        if (stack == null || stack.getFrames().isEmpty()) {
            return "?";
        }
        List<RecordedFrame> frames = stack.getFrames();
        for (RecordedFrame f : frames) {
            if (f.getMethod().getType().getName().startsWith("io.cumulus.")) {
                return name(f);
            }
        }
        if (waiting) {
            for (RecordedFrame f : frames) {
                String type = f.getMethod().getType().getName();
                if (!type.startsWith("java.") && !type.startsWith("jdk.") && !type.startsWith("sun.")) {
                    return name(f);
                }
            }
        }
        return name(frames.get(0));
    }

    private static String name(RecordedFrame f) {
        String type = f.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
    }

    private void print() {
        System.out.printf("CPU: %,d execution samples (every 10-20 ms of a running Java thread), by thread group%n", samples);
        print(cpu, samples, t -> String.format("%5.1f %%", 100.0 * t / Math.max(1, samples)));
        System.out.println();
        System.out.println("Waiting: time parked (10 ms or longer each) by the threads that carry a batch, by thread group");
        long all = parked.values().stream().mapToLong(t -> t.total).sum();
        print(parked, all, t -> String.format("%7.1f s", Duration.ofNanos(t).toMillis() / 1000.0));
    }

    private static void print(Map<String, Tally> groups, long all, java.util.function.LongFunction<String> amount) {
        groups.entrySet().stream().sorted(Comparator.comparingLong((Map.Entry<String, Tally> e) -> e.getValue().total).reversed())
                .limit(GROUPS).forEach(e -> {
                    System.out.printf("  %s  %s%n", amount.apply(e.getValue().total), e.getKey());
                    e.getValue().byFrame.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                            .limit(FRAMES).forEach(f -> System.out.printf("      %s  %s%n", amount.apply(f.getValue()), f.getKey()));
                });
    }
}
