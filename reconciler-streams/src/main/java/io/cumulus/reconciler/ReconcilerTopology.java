package io.cumulus.reconciler;

import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;

import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.Topics;
import io.cumulus.sync.conflict.ConflictPolicy;
import io.cumulus.sync.history.RetentionPolicy;

/**
 * The reconciler's topology, in the order data flows: change batches (keyed by namespace) into one
 * processor that owns the namespace's state stores, and out to the file events, the file states, the
 * chunk reference deltas, the conflicts and the per-change outcomes.
 */
public final class ReconcilerTopology {
    static final String CHANGES_SOURCE = "changes";
    static final String RECONCILE = "reconcile";
    static final String FILE_EVENTS_SINK = "file-events";
    static final String FILE_STATE_SINK = "file-state";
    static final String CHUNK_REFS_SINK = "chunk-refs";
    static final String CONFLICTS_SINK = "conflicts";
    static final String OUTCOMES_SINK = "outcomes";

    /** The topology with the default conflict and retention policies, beside a running merge worker. */
    public static Topology build() {
        return build(ConflictPolicy.defaults(), RetentionPolicy.defaults(), true);
    }

    /**
     * @param textMerge whether the merge worker runs: then the copies of concurrent text edits it is
     *                  to merge are marked {@code mergePending}
     */
    public static Topology build(ConflictPolicy conflicts, RetentionPolicy retention, boolean textMerge) {
        return build(conflicts, retention, textMerge, GenerationGate.live());
    }

    /** The topology of one generation of the stores, publishing what its {@code gate} lets through. */
    static Topology build(ConflictPolicy conflicts, RetentionPolicy retention, boolean textMerge, GenerationGate gate) {
        Topology topology = new Topology();
        topology.addSource(CHANGES_SOURCE, new StringDeserializer(), AvroSerde.changeBatches().deserializer(),
                Topics.CHANGES);

        topology.addProcessor(RECONCILE, () -> new ReconcileProcessor(conflicts, retention, textMerge, gate), CHANGES_SOURCE);
        ReconcilerStores.builders().forEach(store -> topology.addStateStore(store, RECONCILE));

        StringSerializer keys = new StringSerializer();
        topology.addSink(FILE_EVENTS_SINK, Topics.FILE_EVENTS, keys, AvroSerde.fileEvents().serializer(), RECONCILE);
        topology.addSink(FILE_STATE_SINK, Topics.FILE_STATE, keys, AvroSerde.fileStates().serializer(), RECONCILE);
        topology.addSink(CHUNK_REFS_SINK, Topics.CHUNK_REFS, keys, AvroSerde.chunkRefDeltas().serializer(),
                RECONCILE);
        topology.addSink(CONFLICTS_SINK, Topics.CONFLICTS, keys, AvroSerde.conflicts().serializer(), RECONCILE);
        topology.addSink(OUTCOMES_SINK, Topics.OUTCOMES, keys, AvroSerde.outcomes().serializer(), RECONCILE);
        return topology;
    }

    private ReconcilerTopology() {
    }
}
