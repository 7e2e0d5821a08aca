package io.cumulus.standalone.rebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

import io.cumulus.embedded.testing.TestServers;

/**
 * The PostgreSQL behaviour the switch to a new generation relies on (docs/decisions/0034), on the real
 * server: a schema's renaming invalidates statements prepared against its old name, and a write that
 * waited for the switch lock resolves its tables afresh and lands in the new generation.
 */
class SchemaSwitchIT {
    private static final DataSource DB = TestServers.freshDatabase().dataSource();

    @BeforeEach
    void twoGenerations() throws SQLException {
        execute("DROP SCHEMA IF EXISTS store CASCADE; DROP SCHEMA IF EXISTS store_g2 CASCADE;"
                + " DROP SCHEMA IF EXISTS store_retired_g1 CASCADE;"
                + " CREATE SCHEMA store; CREATE TABLE store.t (v text); INSERT INTO store.t VALUES ('live');"
                + " CREATE SCHEMA store_g2; CREATE TABLE store_g2.t (v text); INSERT INTO store_g2.t VALUES ('rebuilt')");
    }

    @Test
    void aStatementPreparedOnTheServerBeforeTheSwitchReadsTheNewGenerationAfterIt() throws Exception {
        try (Connection reader = DB.getConnection()) {
            reader.unwrap(PGConnection.class).setPrepareThreshold(1);
            try (PreparedStatement read = reader.prepareStatement("SELECT v FROM store.t ORDER BY v")) {
                for (int i = 0; i < 5; i++) {
                    assertThat(rows(read)).containsExactly("live");
                }

                new SchemaGenerations(DB, "store").switchTo(2, c -> { });

                assertThat(rows(read)).containsExactly("rebuilt");
            }
        }
        assertThat(schemas()).contains("store").doesNotContain("store_g2", "store_retired_g1");
        assertThat(new SchemaGenerations(DB, "store").liveNumber()).isEqualTo(2);
    }

    @Test
    void aWriteThatWaitedForTheSwitchLandsInTheNewGeneration() throws Exception {
        CountDownLatch switchHoldsTheLock = new CountDownLatch(1);
        CountDownLatch writeIsWaiting = new CountDownLatch(1);
        // threads of its own: the common pool may have a single one on a small machine
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (threads; Connection writer = DB.getConnection()) {
            writer.unwrap(PGConnection.class).setPrepareThreshold(1);
            try (PreparedStatement insert = writer.prepareStatement("INSERT INTO store.t VALUES (?)")) {
                for (int i = 0; i < 3; i++) { // prepared on the server before the switch
                    insert.setString(1, "before-" + i);
                    insert.executeUpdate();
                }

                // when the switch holds the lock while a write of the live worker comes
                CompletableFuture<Void> switched = CompletableFuture.runAsync(() -> {
                    try {
                        new SchemaGenerations(DB, "store").switchTo(2, c -> {
                            switchHoldsTheLock.countDown();
                            assertThat(writeIsWaiting.await(30, TimeUnit.SECONDS)).isTrue();
                        });
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, threads);
                assertThat(switchHoldsTheLock.await(30, TimeUnit.SECONDS)).isTrue();
                writer.setAutoCommit(false);
                CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
                    try (PreparedStatement lock = writer.prepareStatement(
                            "SELECT pg_advisory_xact_lock_shared(hashtextextended(?, 0))")) {
                        lock.setString(1, SchemaGenerations.SWITCH_LOCK + "store");
                        lock.execute();
                        insert.setString(1, "during");
                        insert.executeUpdate();
                        writer.commit();
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }, threads);
                await().atMost(Duration.ofSeconds(30)).until(() -> waitingForAdvisoryLock() > 0);
                writeIsWaiting.countDown();
                switched.get(30, TimeUnit.SECONDS);
                written.get(30, TimeUnit.SECONDS);
            }
        }

        // then the write is in the generation that is live now, and none was lost with the retired one
        try (Connection c = DB.getConnection(); PreparedStatement read = c.prepareStatement("SELECT v FROM store.t ORDER BY v")) {
            assertThat(rows(read)).containsExactly("during", "rebuilt");
        }
    }

    private static long waitingForAdvisoryLock() throws SQLException {
        try (Connection c = DB.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> rows(PreparedStatement read) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (ResultSet rs = read.executeQuery()) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    private static List<String> schemas() throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = DB.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT nspname FROM pg_namespace")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = DB.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
