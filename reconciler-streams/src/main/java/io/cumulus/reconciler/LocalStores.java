package io.cumulus.reconciler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local state of one generation of the reconciler ({@code <state dir>/<application id>}) and
 * whether its last client stopped cleanly.
 *
 * <p>Under exactly-once, Kafka Streams records a store's changelog offsets only when it closes the
 * store cleanly. After a crash it finds every task of the application "corrupted" at the next start,
 * closes them dirty, wipes them, forces a rebalance and restores them from their changelogs. That path
 * has left a restarted reconciler in {@code REBALANCING} for minutes, never restoring (Kafka Streams
 * 4.3.1, about one restart after a kill in ten on a loaded two-core machine), and with it every batch
 * accepted meanwhile unreconciled. So a client that stops cleanly leaves a marker, and before a client
 * starts without one, the task directories are removed here: Kafka Streams then restores them as it
 * restores a new instance's stores, which is what it would have had to do anyway. The process
 * metadata (its process id, hence its transactional ids, which fence the crashed producer) stays.
 */
final class LocalStores {
    private static final Logger log = LoggerFactory.getLogger(LocalStores.class);
    static final String CLEAN_STOP = "cumulus-clean-stop";
    /** Kafka Streams' task directories: {@code <subtopology>_<partition>}. */
    private static final Pattern TASK_DIRECTORY = Pattern.compile("\\d+_\\d+");

    private LocalStores() {
    }

    /**
     * Before a client of the application starts: removes the task directories unless the last client
     * stopped cleanly, then forgets the clean stop, so that a crash of the client now starting is seen
     * at the next start.
     */
    static void prepare(Path stateDir, String applicationId) {
        Path app = stateDir.resolve(applicationId);
        if (!Files.isDirectory(app)) {
            return;
        }
        try {
            Path marker = app.resolve(CLEAN_STOP);
            if (!Files.exists(marker)) {
                List<Path> tasks = taskDirectories(app);
                if (!tasks.isEmpty()) {
                    for (Path task : tasks) {
                        deleteRecursively(task);
                    }
                    log.warn("reconciler did not stop cleanly last time, its local stores are restored from their "
                            + "changelogs applicationId={} tasks={}", applicationId, tasks.size());
                }
            }
            Files.deleteIfExists(marker);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the reconciler's state directory " + app, e);
        }
    }

    /** After a client of the application has stopped cleanly: its stores may be kept at the next start. */
    static void markCleanStop(Path stateDir, String applicationId) {
        Path app = stateDir.resolve(applicationId);
        try {
            if (Files.isDirectory(app)) {
                Files.writeString(app.resolve(CLEAN_STOP), "");
            }
        } catch (IOException e) {
            // Without the marker the next start restores from the changelogs: slower, never wrong.
            log.warn("cannot record the reconciler's clean stop applicationId={} error={}", applicationId, e.toString());
        }
    }

    private static List<Path> taskDirectories(Path app) throws IOException {
        try (Stream<Path> entries = Files.list(app)) {
            return entries.filter(Files::isDirectory)
                    .filter(p -> TASK_DIRECTORY.matcher(p.getFileName().toString()).matches())
                    .sorted()
                    .toList();
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
