package io.cumulus.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final PostgresConnection connection;
    private final Path dataDir;
    private final Supplier<EmbeddedPostgres> restart;
    private Optional<EmbeddedPostgres> embedded;

    /** A server someone else runs. */
    ProvisionedPostgres(PostgresConnection connection) {
        this(connection, null, Optional.empty(), null);
    }

    /** An embedded server over {@code dataDir}, running, which {@code restart} starts again. */
    ProvisionedPostgres(PostgresConnection connection, Path dataDir, Optional<EmbeddedPostgres> embedded,
                        Supplier<EmbeddedPostgres> restart) {
        this.connection = connection;
        this.dataDir = dataDir;
        this.embedded = embedded;
        this.restart = restart;
    }

    public PostgresConnection connection() {
        return connection;
    }

    public boolean isEmbedded() {
        return restart != null;
    }

    /**
     * Stops the embedded server (a fast shutdown: open connections are cut) and returns once it
     * has exited; its data stays. A replication connection can hold a fast shutdown longer than
     * the embedded server's own wait, so the server's pid file is what says it is gone.
     */
    public synchronized void stopServer() {
        requireEmbedded();
        if (embedded.isPresent()) {
            try {
                embedded.get().close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot stop the embedded PostgreSQL", e);
            }
            embedded = Optional.empty();
            Path pid = dataDir.resolve("postmaster.pid");
            long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
            while (Files.exists(pid)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the embedded PostgreSQL in " + dataDir + " did not stop within " + STOP_TIMEOUT);
                }
                try {
                    Thread.sleep(50); // the postmaster exits on its own; nothing signals it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while stopping the embedded PostgreSQL", e);
                }
            }
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
