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
public final class ReadModelProjection implements Projection {
    public static final String NAME = "readmodel";
    private static final List<String> TOPICS = List.of(Topics.FILE_EVENTS, Topics.OUTCOMES);

    private final SchemaGenerations generations;

    public ReadModelProjection(DataSource dataSource) {
        this.generations = new SchemaGenerations(dataSource, ReadModelSchema.NAME);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "the read model (files, feeds, batch outcomes), schema " + ReadModelSchema.NAME;
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
        ReadModelSchema.migrate(generations.dataSource(), generations.schemaOf(number));
        ReadModelWriter writer = new ReadModelWriter(generations.dataSource(), generations.schemaOf(number));
        return new SchemaGeneration(generations, number, TOPICS) {
            @Override
            public void apply(ConsumerRecords<byte[], byte[]> records) throws Exception {
                writer.apply(records);
            }
        };
    }

    @Override
    public Digest digest() throws Exception {
        return TableDigests.of(generations.dataSource(), ReadModelSchema.NAME, Map.of());
    }
}
