package io.cumulus.standalone.rebuild;

import java.sql.Connection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

/**
 * A {@link Generation} in a PostgreSQL schema beside the live one ({@link SchemaGenerations}): the
 * projections differ only in how they apply records ({@link #apply}) and in what they do to the new
 * schema just before it goes live ({@link #beforeRename}).
 */
abstract class SchemaGeneration implements Generation {
    protected final SchemaGenerations generations;
    protected final int number;
    protected final String schema;
    private final List<String> topics;

    SchemaGeneration(SchemaGenerations generations, int number, List<String> topics) {
        this.generations = generations;
        this.number = number;
        this.schema = generations.schemaOf(number);
        this.topics = List.copyOf(topics);
    }

    @Override
    public int number() {
        return number;
    }

    @Override
    public String location() {
        return "schema " + schema;
    }

    @Override
    public Map<TopicPartition, Long> positions() throws Exception {
        return generations.positions(schema, topics);
    }

    /**
     * Under the switch lock: the live worker is held off, so the live generation's positions stand
     * still. The new one catches up to them and to the end of the topics as they are now, then must be
     * at or past every live position.
     */
    @Override
    public void switchOver(CatchUp catchUp) throws Exception {
        generations.switchTo(number, c -> {
            Map<TopicPartition, Long> live = generations.positions(c, generations.live(), liveTopics());
            Map<TopicPartition, Long> targets = new HashMap<>(catchUp.endOffsets());
            live.forEach((tp, offset) -> targets.merge(tp, offset, Math::max));
            targets.keySet().retainAll(catchUp.endOffsets().keySet());
            catchUp.until(targets);
            beforeRename(c, live);
            generations.requireAtOrPast(c, schema, liveTopics(), live);
        });
    }

    /** The topics the live worker keeps positions of in the live schema (by default, the rebuild's own). */
    protected List<String> liveTopics() {
        return topics;
    }

    /** What the new schema needs before it goes live, on the switch's transaction; nothing by default. */
    protected void beforeRename(Connection c, Map<TopicPartition, Long> livePositions) throws Exception {
    }

    @Override
    public void drop() throws Exception {
        generations.drop(schema);
    }
}
