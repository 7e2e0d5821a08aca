package io.cumulus.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.apache.kafka.streams.test.TestRecord;

import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.ChangeBatchSubmitted;
import io.cumulus.schemas.ChangeOutcome;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.FileOp;
import io.cumulus.schemas.FileState;
import io.cumulus.schemas.OutcomeKind;
import io.cumulus.schemas.Topics;

/**
 * The real reconciler topology (in a {@link ReconcilerDriver}) as the simulated devices meet it: every
 * batch submitted, every output record's bytes in order, the namespace's history of file events, each
 * file's latest state, and the content the server acknowledged keeping.
 */
final class RecordedReconciler {
    static final List<String> OUTPUT_TOPICS = List.of(Topics.OUTCOMES, Topics.FILE_EVENTS, Topics.FILE_STATE,
            Topics.CHUNK_REFS);

    private final ReconcilerDriver driver;
    private final String namespace;
    private final List<ChangeBatchSubmitted> batches = new ArrayList<>();
    private final List<String> outputBytes = new ArrayList<>();
    private final List<FileEvent> history = new ArrayList<>();
    private final Map<String, FileState> latestStates = new TreeMap<>();
    private final Set<Content> acknowledged = new HashSet<>();
    private final List<String> verdicts = new ArrayList<>();

    /**
     * The reconciler's view of one namespace, on a driver that may serve others: its state stores and
     * outputs are per namespace, and outputs are read after every batch, so runs do not see each other.
     */
    RecordedReconciler(ReconcilerDriver driver, String namespace) {
        this.driver = driver;
        this.namespace = namespace;
    }

    String namespace() {
        return namespace;
    }

    /** Reconciles one batch and returns its outcomes, one per change in order. */
    List<ChangeOutcome> submit(ChangeBatchSubmitted batch) {
        batches.add(batch);
        driver.submit(batch);
        List<ChangeOutcome> outcomes = new ArrayList<>();
        for (String topic : OUTPUT_TOPICS) {
            for (TestRecord<byte[], byte[]> r : driver.rawRecords(topic)) {
                outputBytes.add(describe(topic, r));
                switch (topic) {
                    case Topics.OUTCOMES -> outcomes.add(AvroSerde.outcomes().decode(r.value()));
                    case Topics.FILE_EVENTS -> history.add(AvroSerde.fileEvents().decode(r.value()));
                    case Topics.FILE_STATE -> {
                        FileState state = AvroSerde.fileStates().decode(r.value());
                        latestStates.put(state.getFileId(), state);
                    }
                    default -> { }
                }
            }
        }
        outcomes.sort(Comparator.comparingInt(ChangeOutcome::getChangeIndex));
        outcomes.forEach(o -> noteAcknowledged(batch, o));
        outcomes.forEach(o -> verdicts.add(o.getKind() + (o.getConflictFileId() == null ? " " : " with copy, ")
                + batch.getChanges().get(o.getChangeIndex()).getOp()));
        return outcomes;
    }

    /**
     * Delivers the device's last batch once more, as the relay may after a crash; false when it sent
     * none. A batch already reconciled must change nothing and write nothing.
     */
    boolean redeliverLastBatchOf(String deviceId) {
        Optional<ChangeBatchSubmitted> last = batches.reversed().stream()
                .filter(b -> b.getDeviceId().equals(deviceId)).findFirst();
        last.ifPresent(batch -> {
            int before = outputBytes.size();
            List<ChangeOutcome> outcomes = submit(batch);
            assertThat(outcomes).as("outcomes of redelivered batch %s", batch.getBatchId()).isEmpty();
            assertThat(outputBytes).as("output of redelivered batch %s", batch.getBatchId()).hasSize(before);
        });
        return last.isPresent();
    }

    /** Content the server said it kept: an upsert applied, already there, or kept as a conflicted copy. */
    private void noteAcknowledged(ChangeBatchSubmitted batch, ChangeOutcome outcome) {
        var change = batch.getChanges().get(outcome.getChangeIndex());
        boolean kept = outcome.getKind() == OutcomeKind.APPLIED || outcome.getKind() == OutcomeKind.DUPLICATE
                || (outcome.getKind() == OutcomeKind.CONFLICT && outcome.getConflictFileId() != null);
        if (change.getOp() == FileOp.UPSERT && kept) {
            acknowledged.add(Content.of(change.getChunks()));
        }
    }

    List<FileEvent> eventsAfter(long seq) {
        return history.stream().filter(e -> e.getSeq() > seq).toList();
    }

    long lastSeq() {
        return history.isEmpty() ? 0 : history.getLast().getSeq();
    }

    /** The file's latest state, deleted or not. */
    Optional<FileState> file(String fileId) {
        return Optional.ofNullable(latestStates.get(fileId));
    }

    /** The live file at exactly this path (byte-exact, as a device asks for it). */
    Optional<FileState> liveAt(String path) {
        return liveFiles().filter(s -> s.getPath().equals(path)).findFirst();
    }

    Stream<FileState> liveFiles() {
        return latestStates.values().stream().filter(s -> !s.getDeleted());
    }

    /** Path → content of every live file, from the file-state topic. */
    Map<String, Content> liveTree() {
        Map<String, Content> tree = new TreeMap<>();
        liveFiles().forEach(s -> tree.put(s.getPath(), Content.of(s.getChunks())));
        return tree;
    }

    /** Every content any file event ever carried: the history and the trash. */
    Set<Content> contentInHistory() {
        Set<Content> all = new HashSet<>();
        history.stream().filter(e -> e.getOp() == FileOp.UPSERT).forEach(e -> all.add(Content.of(e.getChunks())));
        return all;
    }

    boolean inHistory(Content content) {
        return history.stream().anyMatch(e -> e.getOp() == FileOp.UPSERT && Content.of(e.getChunks()).equals(content));
    }

    /** Each change's outcome kind and operation, for the property's statistics. */
    List<String> verdicts() {
        return verdicts;
    }

    Set<Content> acknowledged() {
        return acknowledged;
    }

    List<FileEvent> history() {
        return history;
    }

    List<ChangeBatchSubmitted> batches() {
        return batches;
    }

    /** Every output record so far as topic, key bytes, value bytes and timestamp: per batch, topic by topic. */
    List<String> outputBytes() {
        return List.copyOf(outputBytes);
    }

    /**
     * The output bytes of the same batches reconciled again on {@code driver}, which must never have
     * seen their namespace: as every store is keyed by namespace, that is a fresh reconciler for them.
     */
    static List<String> replay(ReconcilerDriver driver, List<ChangeBatchSubmitted> batches) {
        RecordedReconciler replayed = new RecordedReconciler(driver, batches.getFirst().getNamespaceId());
        batches.forEach(replayed::submit);
        return replayed.outputBytes();
    }

    /** A state directory in memory when the machine has one (RocksDB commits after every batch here). */
    static Path temporaryStateDir() {
        try {
            Path shm = Path.of("/dev/shm");
            return Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "interleaving-")
                    : Files.createTempDirectory("interleaving-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteRecursively(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String describe(String topic, TestRecord<byte[], byte[]> r) {
        HexFormat hex = HexFormat.of();
        return topic + " " + hex.formatHex(r.key()) + " " + hex.formatHex(r.value()) + " " + r.timestamp();
    }

}
