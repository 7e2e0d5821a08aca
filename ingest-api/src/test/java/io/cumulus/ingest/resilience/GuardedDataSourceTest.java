package io.cumulus.ingest.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.AbstractDataSource;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * What the postgres breaker counts: a server that is unreachable or lost opens it, a request the
 * server refuses for its content does not; an open breaker refuses at once, naming the store.
 */
class GuardedDataSourceTest {

    /** A pool whose connections fail every statement with one SQLSTATE, or that cannot connect at all. */
    private static final class Server extends AbstractDataSource {
        volatile boolean reachable = true;
        volatile String statementFailure = "23505";
        int connectionsAsked;

        @Override
        public Connection getConnection() throws SQLException {
            connectionsAsked++;
            if (!reachable) {
                throw new SQLTransientConnectionException("cumulus - Connection is not available, request timed out after 3000ms");
            }
            return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "prepareStatement" -> statement();
                        case "close" -> null;
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }

        private PreparedStatement statement() {
            return (PreparedStatement) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {PreparedStatement.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("executeUpdate")) {
                            throw new SQLException("failed", statementFailure);
                        }
                        return null;
                    });
        }

        @Override
        public Connection getConnection(String username, String password) {
            throw new UnsupportedOperationException();
        }
    }

    private final Server server = new Server();
    private final CircuitBreaker breaker = StoreBreakers.registry(Duration.ofMinutes(1)).circuitBreaker("postgres");
    private final GuardedDataSource guarded = new GuardedDataSource(server, breaker);

    private void update() throws SQLException {
        try (Connection c = guarded.getConnection()) {
            c.prepareStatement("INSERT ...").executeUpdate();
        }
    }

    @Test
    void constraintViolationsAndBadSqlLeaveTheBreakerClosed() {
        // given statements the server refuses for their content
        for (String state : new String[] {"23505", "42601", "40001"}) {
            server.statementFailure = state;

            // when many such requests run
            for (int i = 0; i < 10; i++) {
                assertThatThrownBy(this::update).isInstanceOf(SQLException.class);
            }
        }

        // then the breaker saw no failure
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();
    }

    @Test
    void aServerThatCannotBeReachedOpensTheBreakerWhichThenRefusesWithoutAskingThePool() {
        // given a server that refuses connections
        server.reachable = false;

        // when requests keep coming
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(this::update).isInstanceOf(SQLTransientConnectionException.class);
        }

        // then the breaker is open, and the next request fails at once, naming the store, without waiting on the pool
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        int asked = server.connectionsAsked;
        assertThatThrownBy(this::update).isInstanceOf(SQLTransientConnectionException.class)
                .cause().isInstanceOfSatisfying(StoreUnavailableException.class, e -> assertThat(e.store()).isEqualTo("postgres"));
        assertThat(server.connectionsAsked).isEqualTo(asked);
    }

    @Test
    void aConnectionLostInTheMiddleOfStatementsOpensTheBreaker() {
        // given connections that are handed out, but whose server is gone (SQLSTATE 08006)
        server.statementFailure = "08006";

        // when requests run statements on them
        for (int i = 0; i < 10; i++) {
            assertThatThrownBy(this::update).isInstanceOf(SQLException.class);
        }

        // then the breaker opened
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void signsOfAnUnavailableServerAreTellingAndRefusalsOfARequestAreNot() {
        assertThat(GuardedDataSource.unavailable(new SQLException("lost", "08006"))).isTrue();
        assertThat(GuardedDataSource.unavailable(new SQLException("shutting down", "57P01"))).isTrue();
        assertThat(GuardedDataSource.unavailable(new SQLException("statement timeout", "57014"))).isTrue();
        assertThat(GuardedDataSource.unavailable(new SQLException("too many clients", "53300"))).isTrue();
        assertThat(GuardedDataSource.unavailable(new SQLTransientConnectionException("pool timed out"))).isTrue();
        assertThat(GuardedDataSource.unavailable(new SQLException("duplicate key", "23505"))).isFalse();
        assertThat(GuardedDataSource.unavailable(new SQLException("syntax error", "42601"))).isFalse();
        assertThat(GuardedDataSource.unavailable(new SQLException("could not serialize", "40001"))).isFalse();
    }
}
