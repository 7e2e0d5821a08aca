package io.cumulus.standalone.rebuild;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-rebuild-per-projection rule across every API instance of a deployment: a session-level
 * PostgreSQL advisory lock on {@code hashtextextended('cumulus-rebuild:' || projection, 0)}, taken when a
 * rebuild starts and held on a connection of its own until the rebuild has finished (switched, failed
 * or aborted). A second instance that starts a rebuild of the same projection meanwhile finds the lock
 * taken and is refused; a crashed instance's lock goes with its session.
 */
final class RebuildLock implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RebuildLock.class);
    /** The key prefix; the projection's name follows. */
    static final String PREFIX = "cumulus-rebuild:";

    private final Connection connection;
    private final String projection;

    private RebuildLock(Connection connection, String projection) {
        this.connection = connection;
        this.projection = projection;
    }

    /** The projection's lock, or empty when another session holds it. */
    static Optional<RebuildLock> tryTake(DataSource dataSource, String projection) throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            c.setAutoCommit(true);
            try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_lock(hashtextextended(?, 0))")) {
                s.setString(1, PREFIX + projection);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return Optional.of(new RebuildLock(c, projection));
                    }
                }
            }
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        c.close();
        return Optional.empty();
    }

    /**
     * Releases the lock and gives the connection back. A connection whose unlock fails is closed for good
     * rather than returned to the pool still holding the lock.
     */
    @Override
    public void close() {
        try {
            try (PreparedStatement s = connection.prepareStatement("SELECT pg_advisory_unlock(hashtextextended(?, 0))")) {
                s.setString(1, PREFIX + projection);
                s.execute();
            }
            connection.close();
        } catch (SQLException e) {
            log.warn("releasing the rebuild lock failed projection={} error={}; closing its connection", projection,
                    e.toString());
            try {
                connection.abort(Runnable::run);
            } catch (SQLException abort) {
                log.warn("closing the rebuild lock's connection failed projection={} error={}", projection, abort.toString());
            }
        }
    }
}
