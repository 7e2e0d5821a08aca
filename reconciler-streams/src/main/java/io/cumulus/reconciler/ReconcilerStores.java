package io.cumulus.reconciler;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import io.cumulus.reconciler.decision.ChunkRefChange;
import io.cumulus.reconciler.decision.FileVersion;
import io.cumulus.reconciler.decision.FileWrite;
import io.cumulus.reconciler.decision.NamespaceView;
import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.FileState;
import io.cumulus.schemas.Topics;
import io.cumulus.sync.history.RetentionPolicy;
import io.cumulus.sync.path.PathKey;
import io.cumulus.sync.vector.Causality;
import io.cumulus.sync.vector.VersionVector;

/**
 * The reconciler's state, in six stores whose keys all start with the namespace id (or, for the
 * expiry schedule, a time and then the namespace id) so that a namespace's state lives in the
 * partition (and task) that receives its changes:
 * <ul>
 * <li>{@value #FILE_STATES}: {@code ns/fileId} → the file's latest {@link FileState}, deleted ones included;</li>
 * <li>{@value #FILE_HISTORY}: {@code ns/len:fileId/seq} → every version of the file still retained,
 *     its current one included: the common ancestors of concurrent changes, and what holds the
 *     file's chunk references;</li>
 * <li>{@value #EXPIRY_SCHEDULE}: {@code dueMillis/ns/fileId} → {@code ns/fileId}, when a file's
 *     history should be checked for expired versions next;</li>
 * <li>{@value #PATH_INDEX}: {@code ns/pathKey} → the id of the live file holding that path key; a
 *     prefix scan of {@code ns/folderKey/} finds the live files under a folder, since a path's key is
 *     its folders' keys joined by slashes (NFC and case folding never reach across a slash);</li>
 * <li>{@value #NAMESPACE_SEQ}: {@code ns} → the namespace's last file event sequence number;</li>
 * <li>{@value #PROCESSED_BATCHES}: {@code ns/batchId} → the batch's acceptedAt, for every batch reconciled.</li>
 * </ul>
 * Each store is backed by a changelog, so under exactly-once its updates commit with the outputs.
 */
final class ReconcilerStores {
    static final String FILE_STATES = "file-states";
    static final String FILE_HISTORY = "file-history";
    static final String EXPIRY_SCHEDULE = "expiry-schedule";
    static final String PATH_INDEX = "path-index";
    static final String NAMESPACE_SEQ = "namespace-seq";
    static final String PROCESSED_BATCHES = "processed-batches";

    /** A write recorded: the file's new state, and the reference changes of its chunks. */
    record Recorded(FileState state, List<ChunkRefChange> refs) {
    }

    /** Versions of a file that expired: the file's last seq and the references released. */
    record Expired(String namespaceId, String fileId, long seq, List<ChunkRefChange> refs) {
    }

    private final KeyValueStore<String, FileState> fileStates;
    private final KeyValueStore<String, FileState> history;
    private final KeyValueStore<String, String> expirySchedule;
    private final KeyValueStore<String, String> pathIndex;
    private final KeyValueStore<String, Long> namespaceSeq;
    private final KeyValueStore<String, Long> processedBatches;
    private final RetentionPolicy retention;

    ReconcilerStores(ProcessorContext<?, ?> context, RetentionPolicy retention) {
        this.fileStates = context.getStateStore(FILE_STATES);
        this.history = context.getStateStore(FILE_HISTORY);
        this.expirySchedule = context.getStateStore(EXPIRY_SCHEDULE);
        this.pathIndex = context.getStateStore(PATH_INDEX);
        this.namespaceSeq = context.getStateStore(NAMESPACE_SEQ);
        this.processedBatches = context.getStateStore(PROCESSED_BATCHES);
        this.retention = retention;
    }

    static List<StoreBuilder<?>> builders() {
        return List.of(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FILE_STATES), Serdes.String(),
                        AvroSerde.fileStates()),
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FILE_HISTORY), Serdes.String(),
                        AvroSerde.fileStates()),
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(EXPIRY_SCHEDULE), Serdes.String(),
                        Serdes.String()),
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PATH_INDEX), Serdes.String(),
                        Serdes.String()),
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(NAMESPACE_SEQ), Serdes.String(),
                        Serdes.Long()),
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PROCESSED_BATCHES), Serdes.String(),
                        Serdes.Long()));
    }

    boolean alreadyProcessed(String namespaceId, String batchId) {
        return processedBatches.get(batchKey(namespaceId, batchId)) != null;
    }

    void markProcessed(String namespaceId, String batchId, long acceptedAt) {
        processedBatches.put(batchKey(namespaceId, batchId), acceptedAt);
    }

    /** A live view of one namespace: it sees every write recorded so far, earlier changes of the same batch included. */
    NamespaceView view(String namespaceId) {
        return new NamespaceView() {
            @Override
            public Optional<FileVersion> file(String fileId) {
                return Optional.ofNullable(fileStates.get(Topics.fileStateKey(namespaceId, fileId)))
                        .map(AvroRecords::fileVersion);
            }

            @Override
            public Optional<String> pathHolder(PathKey key) {
                return Optional.ofNullable(pathIndex.get(pathIndexKey(namespaceId, key)));
            }

            @Override
            public Optional<String> holderUnder(PathKey folder, String otherThan) {
                try (KeyValueIterator<String, String> it = pathIndex.prefixScan(
                        pathIndexKey(namespaceId, folder) + "/", new StringSerializer())) {
                    while (it.hasNext()) {
                        String holder = it.next().value;
                        if (!holder.equals(otherThan)) {
                            return Optional.of(holder);
                        }
                    }
                }
                return Optional.empty();
            }

            @Override
            public Optional<FileVersion> ancestor(String fileId, VersionVector of) {
                FileVersion newest = null;
                for (FileState s : historyOf(namespaceId, fileId)) {
                    Causality c = of.compare(AvroRecords.vector(s.getVector()));
                    if (c == Causality.DOMINATES || c == Causality.EQUAL) {
                        newest = AvroRecords.fileVersion(s);
                    }
                }
                return Optional.ofNullable(newest);
            }

            @Override
            public Optional<String> writerName(String fileId) {
                return Optional.ofNullable(fileStates.get(Topics.fileStateKey(namespaceId, fileId)))
                        .map(FileState::getDeviceName);
            }
        };
    }

    /**
     * Records a write as the namespace's next event: numbers it, stores the file's new state, adds it
     * to the file's history (dropping the versions that have expired by {@code at}), and moves the
     * file's claim on a path (released from the old path, taken on the new one unless deleted).
     */
    Recorded record(String namespaceId, FileWrite write, String deviceName, long at) {
        long seq = Optional.ofNullable(namespaceSeq.get(namespaceId)).orElse(0L) + 1;
        namespaceSeq.put(namespaceId, seq);
        FileVersion next = write.next();
        write.previous().filter(p -> !p.deleted()).ifPresent(p -> {
            String oldKey = pathIndexKey(namespaceId, p.pathKey());
            // Only release a claim this file holds: another file may hold the key legitimately.
            if (next.fileId().equals(pathIndex.get(oldKey))) {
                pathIndex.delete(oldKey);
            }
        });
        if (!next.deleted()) {
            pathIndex.put(pathIndexKey(namespaceId, next.pathKey()), next.fileId());
        }
        FileState state = AvroRecords.fileState(namespaceId, next, seq, at, deviceName);
        fileStates.put(Topics.fileStateKey(namespaceId, next.fileId()), state);

        List<FileState> before = historyOf(namespaceId, next.fileId());
        history.put(historyKey(namespaceId, next.fileId(), seq), state);
        List<FileState> written = new ArrayList<>(before);
        written.add(state);
        List<FileState> after = retain(namespaceId, next.fileId(), written, Instant.ofEpochMilli(at));
        return new Recorded(state, ChunkRefChange.between(versions(before), versions(after)));
    }

    /**
     * Drops every version whose retention ended by {@code now}, in the files scheduled for a check
     * by then, and returns the references released, file by file in schedule order.
     */
    List<Expired> expire(Instant now) {
        List<KeyValue<String, String>> due = new ArrayList<>();
        try (KeyValueIterator<String, String> it = expirySchedule.range(dueKey(0), dueKey(now.toEpochMilli() + 1))) {
            it.forEachRemaining(due::add);
        }
        List<Expired> expired = new ArrayList<>();
        for (KeyValue<String, String> entry : due) {
            expirySchedule.delete(entry.key);
            int slash = entry.value.indexOf('/');
            String namespaceId = entry.value.substring(0, slash);
            String fileId = entry.value.substring(slash + 1);
            List<FileState> before = historyOf(namespaceId, fileId);
            List<FileState> after = retain(namespaceId, fileId, before, now);
            List<ChunkRefChange> refs = ChunkRefChange.between(versions(before), versions(after));
            if (!refs.isEmpty()) {
                long seq = Optional.ofNullable(fileStates.get(Topics.fileStateKey(namespaceId, fileId)))
                        .map(FileState::getSeq).orElse(0L);
                expired.add(new Expired(namespaceId, fileId, seq, refs));
            }
        }
        return expired;
    }

    /**
     * Drops the expired ones of a file's retained {@code versions} (oldest first), schedules its next
     * check and returns the versions kept.
     */
    private List<FileState> retain(String namespaceId, String fileId, List<FileState> versions, Instant now) {
        List<Integer> expired = retention.expired(entries(versions), now);
        List<FileState> kept = new ArrayList<>(versions);
        for (int i = expired.size() - 1; i >= 0; i--) {
            FileState gone = kept.remove((int) expired.get(i));
            history.delete(historyKey(namespaceId, fileId, gone.getSeq()));
        }
        retention.nextExpiry(entries(kept), now).ifPresent(when ->
                expirySchedule.put(dueKey(when.toEpochMilli()) + "/" + namespaceId + "/" + fileId, namespaceId + "/" + fileId));
        return kept;
    }

    private static List<RetentionPolicy.Entry> entries(List<FileState> versions) {
        return versions.stream()
                .map(s -> new RetentionPolicy.Entry(Instant.ofEpochMilli(s.getUpdatedAt()), s.getDeleted()))
                .toList();
    }

    /** The file's retained versions, oldest first. */
    private List<FileState> historyOf(String namespaceId, String fileId) {
        List<FileState> versions = new ArrayList<>();
        try (KeyValueIterator<String, FileState> it = history.prefixScan(historyPrefix(namespaceId, fileId),
                new StringSerializer())) {
            it.forEachRemaining(kv -> versions.add(kv.value));
        }
        return versions;
    }

    private static List<FileVersion> versions(List<FileState> states) {
        return states.stream().map(AvroRecords::fileVersion).toList();
    }

    /** Length-prefixed, so no file id's prefix is another file id's key, whatever characters ids hold. */
    private static String historyPrefix(String namespaceId, String fileId) {
        return namespaceId + "/" + fileId.length() + ":" + fileId + "/";
    }

    private static String historyKey(String namespaceId, String fileId, long seq) {
        return historyPrefix(namespaceId, fileId) + String.format("%019d", seq);
    }

    private static String dueKey(long epochMillis) {
        return String.format("%015d", epochMillis);
    }

    private static String pathIndexKey(String namespaceId, PathKey key) {
        return namespaceId + "/" + key.value();
    }

    private static String batchKey(String namespaceId, String batchId) {
        return namespaceId + "/" + batchId;
    }
}
