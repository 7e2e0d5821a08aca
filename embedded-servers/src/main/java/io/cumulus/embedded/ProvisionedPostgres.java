package io.cumulus.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.function.Supplier;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The PostgreSQL the standalone process uses: a database on a server someone else runs, or on an
 * embedded server this process started (and stops on {@link #close()}). An embedded server can
 * also be stopped and started again over the same data directory and port ({@link #stopServer()},
 * {@link #startServer()}), which is how fault tests take the database away from a running Cumulus.
 */
public final class ProvisionedPostgres implements AutoCloseable {
    private final PostgresConnection connection;
    private final Supplier<EmbeddedPostgres> restart;
    private Optional<EmbeddedPostgres> embedded;

    ProvisionedPostgres(PostgresConnection connection, Optional<EmbeddedPostgres> embedded, Supplier<EmbeddedPostgres> restart) {
        this.connection = connection;
        this.embedded = embedded;
        this.restart = restart;
    }

    public PostgresConnection connection() {
        return connection;
    }

    public boolean isEmbedded() {
        return restart != null;
    }

    /** Stops the embedded server (a fast shutdown: open connections are cut); its data stays. */
    public synchronized void stopServer() {
        requireEmbedded();
        if (embedded.isPresent()) {
            try {
                embedded.get().close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot stop the embedded PostgreSQL", e);
            }
            embedded = Optional.empty();
        }
    }

    /** Starts the embedded server again, on the same port and over the same data directory. */
    public synchronized void startServer() {
        requireEmbedded();
        if (embedded.isEmpty()) {
            embedded = Optional.of(restart.get());
        }
    }

    private void requireEmbedded() {
        if (restart == null) {
            throw new IllegalStateException("only an embedded PostgreSQL can be stopped and started: " + connection);
        }
    }

    @Override
    public synchronized void close() throws Exception {
        connection.close();
        if (embedded.isPresent()) {
            embedded.get().close();
            embedded = Optional.empty();
        }
    }
}
