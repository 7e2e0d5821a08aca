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
public final class ChunkRefsProjection extends SchemaProjection {
    public static final String NAME = "chunk-refs";
    private static final List<String> TOPICS = List.of(Topics.CHUNK_REFS);

    public ChunkRefsProjection(DataSource dataSource) {
        super(dataSource, GcSchema.NAME, NAME, "the chunk reference counts, schema " + GcSchema.NAME, TOPICS,
                Map.of("chunk_store", "ref_count <> 0"));
    }

    @Override
    Generation create(int number, String schema, DataSource dataSource) {
        GcSchema.migrate(dataSource, schema);
        RefCountStore store = new RefCountStore(dataSource, schema);
        return new SchemaGeneration(generations, number, TOPICS) {
            @Override
            public void apply(ConsumerRecords<byte[], byte[]> records) throws Exception {
                store.apply(RefDeltaBatch.decode(records, Topics.CHUNK_REFS));
            }
        };
    }
}
