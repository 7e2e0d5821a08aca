package io.cumulus.projector;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import com.datastax.oss.driver.api.core.CqlSession;

/**
 * The live projector's writes to the Cassandra sync state, always into the live generation's
 * keyspace: each poll reads {@link SyncStateGenerations}' row {@code FOR SHARE} and keeps the lock
 * until its writes are acknowledged, so a rebuild's switch (which updates the row) never runs while
 * a poll writes to the generation it retires, and every poll after the switch writes the new one.
 */
final class GenerationalSyncStateWriter {
    private final DataSource dataSource;
    private final CqlSession session;
    private final CassandraSettings base;
    private String keyspace;
    private CassandraSyncStateWriter writer;

    GenerationalSyncStateWriter(DataSource dataSource, CqlSession session, CassandraSettings base) throws SQLException {
        this.dataSource = dataSource;
        this.session = session;
        this.base = base;
        SyncStateGenerations.createPointer(dataSource, base.keyspace());
    }

    /** @throws CassandraUnavailableException or SQLException: the same batch may be written again */
    void write(ProjectionBatch batch) throws SQLException {
        if (batch.events().isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                String live = SyncStateGenerations.read(c, "FOR SHARE").orElse(base.keyspace());
                writerOf(live).write(batch);
            } finally {
                c.rollback(); // nothing was written in PostgreSQL: ending the transaction releases the lock
            }
        }
    }

    private CassandraSyncStateWriter writerOf(String live) {
        if (!live.equals(keyspace)) {
            writer = new CassandraSyncStateWriter(session, base.withKeyspace(live));
            keyspace = live;
        }
        return writer;
    }
}
