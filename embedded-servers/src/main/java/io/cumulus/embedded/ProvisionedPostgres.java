package io.cumulus.embedded;

import java.util.Optional;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The PostgreSQL the standalone process uses: a database on a server someone else runs, or on an
 * embedded server this process started (and stops on {@link #close()}).
 */
public final class ProvisionedPostgres implements AutoCloseable {
    private final PostgresConnection connection;
    private final Optional<EmbeddedPostgres> embedded;

    ProvisionedPostgres(PostgresConnection connection, Optional<EmbeddedPostgres> embedded) {
        this.connection = connection;
        this.embedded = embedded;
    }

    public PostgresConnection connection() {
        return connection;
    }

    public boolean isEmbedded() {
        return embedded.isPresent();
    }

    @Override
    public void close() throws Exception {
        connection.close();
        if (embedded.isPresent()) {
            embedded.get().close();
        }
    }
}
