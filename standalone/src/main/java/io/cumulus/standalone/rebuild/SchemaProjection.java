package io.cumulus.standalone.rebuild;

import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

/**
 * A projection whose store is one PostgreSQL schema: its generations are schemas beside it
 * ({@link SchemaGenerations}), switched by renaming ({@link SchemaGeneration}). A subclass names the
 * schema and its topics, and makes a new generation's tables and writer.
 */
abstract class SchemaProjection implements Projection {
    private final String name;
    private final String description;
    private final List<String> topics;
    private final Map<String, String> digestFilters;
    final SchemaGenerations generations;

    /**
     * @param digestFilters per table, a SQL condition on the rows its digest covers (tables not named:
     *                      every row)
     */
    SchemaProjection(DataSource dataSource, String schema, String name, String description, List<String> topics,
            Map<String, String> digestFilters) {
        this.generations = new SchemaGenerations(dataSource, schema);
        this.name = name;
        this.description = description;
        this.topics = List.copyOf(topics);
        this.digestFilters = Map.copyOf(digestFilters);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final List<String> topics() {
        return topics;
    }

    @Override
    public final int liveGeneration() throws Exception {
        return generations.liveNumber();
    }

    @Override
    public final void dropLeftovers() throws Exception {
        generations.dropAllLeftovers();
    }

    @Override
    public final Generation newGeneration() throws Exception {
        int number = generations.liveNumber() + 1;
        generations.dropLeftovers(number);
        return create(number, generations.schemaOf(number), generations.dataSource());
    }

    /** Migrates the empty schema {@code schema} of generation {@code number} and answers its handle. */
    abstract Generation create(int number, String schema, DataSource dataSource) throws Exception;

    @Override
    public final Digest digest() throws Exception {
        return TableDigests.of(generations.dataSource(), generations.live(), digestFilters);
    }
}
