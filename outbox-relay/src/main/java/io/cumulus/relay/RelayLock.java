package io.cumulus.relay;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leadership of the relays of one database: a PostgreSQL session-level advisory lock, held on a
 * connection of its own for as long as this relay is the active one. PostgreSQL releases it when that
 * session ends for any reason (the process dies, the connection breaks, an operator terminates it),
 * so a standby that keeps asking gets it as soon as the active relay is gone, and a relay that finds
 * its session gone knows it is no longer the leader.
 */
final class RelayLock implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RelayLock.class);
    private static final int VALIDITY_TIMEOUT_SECONDS = 2;

    private final RelayConfig config;
    private Connection session;

    RelayLock(RelayConfig config) {
        this.config = config;
    }

    /** Takes the lock if no other session holds it; false when another does or the database cannot be reached. */
    synchronized boolean tryAcquire() {
        try {
            if (session == null || !session.isValid(VALIDITY_TIMEOUT_SECONDS)) {
                closeSession();
                session = DriverManager.getConnection(config.jdbcUrl() + "&ApplicationName=cumulus-relay-lock",
                        config.dbUser(), config.dbPassword());
            }
            try (PreparedStatement ps = session.prepareStatement("SELECT pg_try_advisory_lock(hashtextextended(?, 0))")) {
                ps.setString(1, config.slotName());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            }
        } catch (SQLException e) {
            log.warn("relay lock not taken database={} error={}", config.database(), e.toString());
            closeSession();
            return false;
        }
    }

    /**
     * Whether this relay still leads: its session answers. A session that does not answer within the
     * timeout is treated as lost, since PostgreSQL may already have given the lock to another.
     */
    synchronized boolean isHeld() {
        try {
            return session != null && session.isValid(VALIDITY_TIMEOUT_SECONDS);
        } catch (SQLException e) {
            return false;
        }
    }

    /** The backend process of the lock's session, for operators (and tests) that need to end it. */
    synchronized Optional<Integer> sessionPid() {
        if (session == null) {
            return Optional.empty();
        }
        try (PreparedStatement ps = session.prepareStatement("SELECT pg_backend_pid()"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return Optional.of(rs.getInt(1));
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    /** Gives the lock up by ending the session. */
    synchronized void release() {
        closeSession();
    }

    @Override
    public void close() {
        release();
    }

    private void closeSession() {
        if (session != null) {
            try {
                session.close();
            } catch (SQLException e) {
                // The session is gone either way, and with it the lock.
            }
            session = null;
        }
    }
}
