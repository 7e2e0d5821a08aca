package io.cumulus.standalone.rebuild;

import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.apache.kafka.clients.consumer.ConsumerRecords;

import io.cumulus.gc.GcSchema;
import io.cumulus.gc.refs.RefCountStore;
import io.cumulus.gc.refs.RefDeltaBatch;
import io.cumulus.schemas.Topics;

/**
 * {@code chunk-refs}: the chunk reference counts ({@code gc.chunk_store}), rebuilt from the reference
 * deltas by the counter's own {@link RefCountStore} pointed at the new generation's schema.
 *
 * <p>Its digest leaves out the rows whose count is zero: the chunk collector deletes such a row with the
 * chunk, and a rebuild counts it again to zero, so the two differ only in rows that mean nothing.
 */
public final class ChunkRefsProjection implements Projection {
    public static final String NAME = "chunk-refs";
    private static final List<String> TOPICS = List.of(Topics.CHUNK_REFS);

    private final SchemaGenerations generations;

    public ChunkRefsProjection(DataSource dataSource) {
        this.generations = new SchemaGenerations(dataSource, GcSchema.NAME);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "the chunk reference counts, schema " + GcSchema.NAME;
    }

    @Override
    public List<String> topics() {
        return TOPICS;
    }

    @Override
    public int liveGeneration() throws Exception {
        return generations.liveNumber();
    }

    @Override
    public void dropLeftovers() throws Exception {
        generations.dropAllLeftovers();
    }

    @Override
    public Generation newGeneration() throws Exception {
        int number = generations.liveNumber() + 1;
        generations.dropLeftovers(number);
        GcSchema.migrate(generations.dataSource(), generations.schemaOf(number));
        RefCountStore store = new RefCountStore(generations.dataSource(), generations.schemaOf(number));
        return new SchemaGeneration(generations, number, TOPICS) {
            @Override
            public void apply(ConsumerRecords<byte[], byte[]> records) throws Exception {
                store.apply(RefDeltaBatch.decode(records, Topics.CHUNK_REFS));
            }
        };
    }

    @Override
    public Digest digest() throws Exception {
        return TableDigests.of(generations.dataSource(), GcSchema.NAME, Map.of("chunk_store", "ref_count <> 0"));
    }
}
