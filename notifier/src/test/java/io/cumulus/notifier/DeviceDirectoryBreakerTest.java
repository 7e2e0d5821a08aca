package io.cumulus.notifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/** The device lookups against a database that refuses connections (a closed port on this machine). */
class DeviceDirectoryBreakerTest {

    @Test
    void repeatedRefusedConnectionsOpenTheBreakerAndLaterHandshakesAreRefusedWithoutTryingTheDatabase() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        CircuitBreaker breaker = CircuitBreaker.of(DeviceDirectory.BREAKER,
                DeviceDirectory.breakerSettings(Duration.ofMinutes(1)));
        DeviceDirectory devices = new DeviceDirectory(new DriverManagerDataSource(
                "jdbc:postgresql://127.0.0.1:" + closedPort + "/cumulus?connectTimeout=2", "postgres", ""), breaker);

        // when the database refuses five lookups in a row
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> devices.connect("token")).isInstanceOf(DataAccessException.class);
        }

        // then the breaker is open, and the next lookup fails at once as unavailable, without a connection attempt
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThatThrownBy(() -> devices.connect("token")).isInstanceOf(DataAccessException.class)
                .hasCauseInstanceOf(CallNotPermittedException.class);
        assertThat(breaker.getMetrics().getNumberOfNotPermittedCalls()).isEqualTo(1);
    }
}
