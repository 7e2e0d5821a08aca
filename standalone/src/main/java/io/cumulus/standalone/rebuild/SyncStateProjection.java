package io.cumulus.standalone.rebuild;

import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

import io.cumulus.projector.CassandraSettings;
import io.cumulus.projector.SyncStateRebuild;
import io.cumulus.schemas.Topics;

/**
 * {@code sync-state}: the Cassandra sync state (feed, files, heads), when the deployment keeps it in
 * Cassandra. A generation is a keyspace of its own filled from the file events by the projector's
 * writer; the switch points the PostgreSQL row every API and projector reads at it
 * ({@link SyncStateRebuild}, docs/decisions/0035-rebuilding-the-reconciler-and-sync-state.md).
 */
public final class SyncStateProjection implements Projection {
    private final DataSource dataSource;
    private final CassandraSettings cassandra;

    public SyncStateProjection(DataSource dataSource, CassandraSettings cassandra) {
        this.dataSource = dataSource;
        this.cassandra = cassandra;
    }

    @Override
    public String name() {
        return "sync-state";
    }

    @Override
    public String description() {
        return "the Cassandra sync state, keyspace " + cassandra.keyspace() + " and its generations";
    }

    @Override
    public List<String> topics() {
        return List.of(Topics.FILE_EVENTS);
    }

    @Override
    public int liveGeneration() throws Exception {
        return SyncStateRebuild.liveGeneration(dataSource, cassandra);
    }

    @Override
    public Generation newGeneration() throws Exception {
        SyncStateRebuild rebuild = SyncStateRebuild.create(dataSource, cassandra, liveGeneration() + 1);
        return new Generation() {
            @Override
            public int number() {
                return rebuild.generation();
            }

            @Override
            public String location() {
                return "keyspace " + rebuild.keyspace();
            }

            @Override
            public void apply(ConsumerRecords<byte[], byte[]> records) {
                rebuild.apply(records);
            }

            @Override
            public Map<TopicPartition, Long> positions() {
                return rebuild.positions();
            }

            @Override
            public void switchOver(CatchUp catchUp) throws Exception {
                rebuild.switchOver(new SyncStateRebuild.CatchUp() {
                    @Override
                    public Map<TopicPartition, Long> endOffsets() throws Exception {
                        return catchUp.endOffsets();
                    }

                    @Override
                    public void until(Map<TopicPartition, Long> positions) throws Exception {
                        catchUp.until(positions);
                    }
                });
                rebuild.close(); // on a failure the job drops the generation, which closes it
            }

            @Override
            public void drop() throws Exception {
                try {
                    rebuild.drop();
                } finally {
                    rebuild.close();
                }
            }
        };
    }

    @Override
    public Digest digest() throws Exception {
        return new Digest(SyncStateRebuild.digest(dataSource, cassandra));
    }
}
