package io.cumulus.reconciler;

import java.util.List;
import java.util.Optional;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import io.cumulus.reconciler.decision.FileVersion;
import io.cumulus.reconciler.decision.FileWrite;
import io.cumulus.reconciler.decision.NamespaceView;
import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.FileState;
import io.cumulus.schemas.Topics;
import io.cumulus.sync.path.PathKey;

/**
 * The reconciler's state, in four stores whose keys all start with the namespace id so that a
 * namespace's state lives in the partition (and task) that receives its changes:
 * <ul>
 * <li>{@value #FILE_STATES}: {@code ns/fileId} → the file's latest {@link FileState}, deleted ones included;</li>
 * <li>{@value #PATH_INDEX}: {@code ns/pathKey} → the id of the live file holding that path key;</li>
 * <li>{@value #NAMESPACE_SEQ}: {@code ns} → the namespace's last file event sequence number;</li>
 * <li>{@value #PROCESSED_BATCHES}: {@code ns/batchId} → the batch's acceptedAt, for every batch reconciled.</li>
 * </ul>
 * Each store is backed by a changelog, so under exactly-once its updates commit with the outputs.
 */
final class ReconcilerStores {
    static final String FILE_STATES = "file-states";
    static final String PATH_INDEX = "path-index";
    static final String NAMESPACE_SEQ = "namespace-seq";
    static final String PROCESSED_BATCHES = "processed-batches";

    private final KeyValueStore<String, FileState> fileStates;
    private final KeyValueStore<String, String> pathIndex;
    private final KeyValueStore<String, Long> namespaceSeq;
    private final KeyValueStore<String, Long> processedBatches;

    ReconcilerStores(ProcessorContext<?, ?> context) {
        this.fileStates = context.getStateStore(FILE_STATES);
        this.pathIndex = context.getStateStore(PATH_INDEX);
        this.namespaceSeq = context.getStateStore(NAMESPACE_SEQ);
        this.processedBatches = context.getStateStore(PROCESSED_BATCHES);
    }

    static List<StoreBuilder<?>> builders() {
        return List.of(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FILE_STATES), Serdes.String(),
                        AvroSerde.fileStates()),
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
        };
    }

    /**
     * Records a write as the namespace's next event: numbers it, stores the file's new state, and moves
     * the file's claim on a path (released from the old path, taken on the new one unless deleted).
     *
     * @return the file's state after the write, carrying its sequence number
     */
    FileState record(String namespaceId, FileWrite write, long at) {
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
        FileState state = AvroRecords.fileState(namespaceId, next, seq, at);
        fileStates.put(Topics.fileStateKey(namespaceId, next.fileId()), state);
        return state;
    }

    private static String pathIndexKey(String namespaceId, PathKey key) {
        return namespaceId + "/" + key.value();
    }

    private static String batchKey(String namespaceId, String batchId) {
        return namespaceId + "/" + batchId;
    }
}
