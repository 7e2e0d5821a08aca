package io.cumulus.embedded.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CassandraNodeIT {
    private CassandraNode node;
    private CqlSession session;

    @BeforeAll
    void startTheNode() {
        // DESIGN.md: a missing server fails the build in CI (startNew says why) and skips the test elsewhere
        CassandraNode.unavailableReason().filter(reason -> !"true".equals(System.getenv("CI")))
                .ifPresent(reason -> Assumptions.abort("no Cassandra node: " + reason));
        node = CassandraNode.shared();
        session = CqlSession.builder()
                .addContactPoint(node.contactPoint())
                .withLocalDatacenter(CassandraNode.DATACENTER)
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(2))
                        .withDuration(DefaultDriverOption.CONNECTION_CONNECT_TIMEOUT, Duration.ofSeconds(2))
                        .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(2))
                        .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, Duration.ofSeconds(2))
                        // schema changes wait for agreement, which takes longer than a read on a cold node
                        .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(30))
                        .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(200))
                        .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(1))
                        .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
                        .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0)
                        .build())
                .build();
        ddl("CREATE KEYSPACE IF NOT EXISTS node_it WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
        ddl("CREATE TABLE IF NOT EXISTS node_it.kv (k text PRIMARY KEY, v text)");
    }

    @AfterAll
    void closeTheSession() {
        if (session != null) {
            session.close();
        }
    }

    @Test
    void aWrittenRowIsReadBack() {
        session.execute(SimpleStatement.newInstance("INSERT INTO node_it.kv (k, v) VALUES (?, ?)", "read-back", "1"));

        assertThat(value("read-back")).isEqualTo("1");
    }

    @Test
    void aKilledNodeFailsRequestsFastAndTheSameSessionRecoversItsAcknowledgedRowsAfterARestart() {
        // given a row the node acknowledged
        session.execute(SimpleStatement.newInstance("INSERT INTO node_it.kv (k, v) VALUES (?, ?)", "survivor", "acked"));

        // when the node is killed, requests fail at once instead of hanging
        node.kill();
        assertThatThrownBy(() -> value("survivor")).isInstanceOf(AllNodesFailedException.class);

        // then, started again on the same directory and port, the same session reconnects and reads the row
        node.start();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .untilAsserted(() -> assertThat(value("survivor")).isEqualTo("acked"));
    }

    @Test
    void aPausedNodeTimesRequestsOutAndAnswersAgainOnceResumed() {
        // given a row, and a node that hangs with its sockets open
        session.execute(SimpleStatement.newInstance("INSERT INTO node_it.kv (k, v) VALUES (?, ?)", "paused", "before"));
        node.pause();
        try {
            // then a request ends at the request timeout instead of hanging
            assertThatThrownBy(() -> value("paused")).isInstanceOf(DriverTimeoutException.class);
        } finally {
            node.resume();
        }

        // and once resumed it answers again
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .untilAsserted(() -> assertThat(value("paused")).isEqualTo("before"));
    }

    private String value(String key) {
        Row row = session.execute(SimpleStatement.newInstance("SELECT v FROM node_it.kv WHERE k = ?", key)).one();
        return row == null ? null : row.getString("v");
    }

    private void ddl(String cql) {
        session.execute(SimpleStatement.newInstance(cql).setTimeout(Duration.ofSeconds(30)));
    }
}
