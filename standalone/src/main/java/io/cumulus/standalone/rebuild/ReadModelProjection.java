package io.cumulus.standalone.rebuild;

import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.apache.kafka.clients.consumer.ConsumerRecords;

import io.cumulus.projector.ReadModelSchema;
import io.cumulus.projector.ReadModelWriter;
import io.cumulus.schemas.Topics;

/**
 * {@code readmodel}: the PostgreSQL read model the API serves files, feeds and batch outcomes from
 * (schema {@code readmodel}), rebuilt from the file events and the outcomes by the projector's own
 * {@link ReadModelWriter} pointed at the new generation's schema.
 */
public final class ReadModelProjection extends SchemaProjection {
    public static final String NAME = "readmodel";
    private static final List<String> TOPICS = List.of(Topics.FILE_EVENTS, Topics.OUTCOMES);

    public ReadModelProjection(DataSource dataSource) {
        super(dataSource, ReadModelSchema.NAME, NAME,
                "the read model (files, feeds, batch outcomes), schema " + ReadModelSchema.NAME, TOPICS, Map.of());
    }

    @Override
    Generation create(int number, String schema, DataSource dataSource) {
        ReadModelSchema.migrate(dataSource, schema);
        ReadModelWriter writer = new ReadModelWriter(dataSource, schema);
        return new SchemaGeneration(generations, number, TOPICS) {
            @Override
            public void apply(ConsumerRecords<byte[], byte[]> records) throws Exception {
                writer.apply(records);
            }
        };
    }
}
