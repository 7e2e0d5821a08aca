package io.cumulus.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.Test;

import io.cumulus.embedded.testing.TestServers;

class PostgresProvisionerIT {

    @Test
    void anEmbeddedServerKeepsItsDataAcrossARestartAndHasLogicalDecoding() throws Exception {
        // given an embedded server in a data directory, with a row written
        Path dir = TestServers.workDir("pg-embedded-").resolve("postgres");
        try (ProvisionedPostgres pg = PostgresProvisioner.embedded(dir, line -> { })) {
            try (Connection c = pg.connection().connect(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE kept (v text)");
                s.execute("INSERT INTO kept VALUES ('acknowledged')");
            }
        }

        // when it is started again over the same directory
        try (ProvisionedPostgres pg = PostgresProvisioner.embedded(dir, line -> { })) {
            // then the row is still there and logical decoding is on
            try (Connection c = pg.connection().connect(); Statement s = c.createStatement()) {
                ResultSet rows = s.executeQuery("SELECT v FROM kept");
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo("acknowledged");
                ResultSet wal = s.executeQuery("SHOW wal_level");
                wal.next();
                assertThat(wal.getString(1)).isEqualTo("logical");
            }
        }
    }

    @Test
    void anEmbeddedServerStoppedUnderItsUsersComesBackOnTheSamePortWithItsData() throws Exception {
        // given an embedded server with a row written
        Path dir = TestServers.workDir("pg-restart-").resolve("postgres");
        try (ProvisionedPostgres pg = PostgresProvisioner.embedded(dir, line -> { })) {
            try (Connection c = pg.connection().connect(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE kept (v text)");
                s.execute("INSERT INTO kept VALUES ('acknowledged')");
            }

            // when it is stopped, then nothing answers on its port
            pg.stopServer();
            assertThatThrownBy(() -> pg.connection().connect().close()).isInstanceOf(java.sql.SQLException.class);

            // and when it is started again, the same address answers with the same data
            pg.startServer();
            try (Connection c = pg.connection().connect(); Statement s = c.createStatement()) {
                ResultSet rows = s.executeQuery("SELECT v FROM kept");
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo("acknowledged");
            }
        }
    }

    @Test
    void freshDatabasesAreSeparate() throws Exception {
        // given two fresh databases
        PostgresConnection a = TestServers.freshDatabase();
        PostgresConnection b = TestServers.freshDatabase();

        // when a table is made in one
        try (Connection c = a.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE only_in_a (v int)");
        }

        // then the other does not have it
        assertThat(a.database()).isNotEqualTo(b.database());
        try (Connection c = b.dataSource().getConnection(); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_name = 'only_in_a'");
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }
}
