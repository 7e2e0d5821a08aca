package io.cumulus.embedded;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * Where one Cumulus database lives on a real PostgreSQL server, and a small connection pool to it
 * (made on first use, closed by {@link #close()}).
 */
public final class PostgresConnection implements AutoCloseable {
    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final String password;
    private HikariDataSource pool;

    public PostgresConnection(String host, int port, String database, String user, String password) {
        this.host = host;
        this.port = port;
        this.database = database;
        this.user = user;
        this.password = password == null ? "" : password;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String database() {
        return database;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** A new unpooled connection, for one-off administrative work. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), user, password);
    }

    /** A pool of up to 8 connections, shared by everyone who asks this instance. */
    public synchronized DataSource dataSource() {
        if (pool == null) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(jdbcUrl());
            config.setUsername(user);
            config.setPassword(password);
            config.setMaximumPoolSize(8);
            config.setMinimumIdle(0);
            config.setConnectionTimeout(5_000);
            config.setPoolName("pg-" + database);
            pool = new HikariDataSource(config);
        }
        return pool;
    }

    /** The same server, another database. */
    public PostgresConnection withDatabase(String otherDatabase) {
        return new PostgresConnection(host, port, otherDatabase, user, password);
    }

    @Override
    public synchronized void close() {
        if (pool != null) {
            pool.close();
            pool = null;
        }
    }

    @Override
    public String toString() {
        return jdbcUrl() + " (user " + user + ")";
    }
}
