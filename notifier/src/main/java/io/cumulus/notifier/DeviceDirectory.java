package io.cumulus.notifier;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import java.time.Duration;

import javax.sql.DataSource;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;

import io.cumulus.sync.hash.Sha256;

/**
 * Reads who a device token belongs to from ingest-api's schema ({@code ingest.devices},
 * {@code ingest.namespace_members}); the notifier only reads it. A token is known by its SHA-256,
 * never stored or compared in clear, and a revoked device is not found.
 */
public final class DeviceDirectory {
    /** The breaker's name in the process's registry, beside the API's own {@code postgres} breaker. */
    public static final String BREAKER = "notifier-postgres";

    private static final int REVOCATION_SLICE = 1000;

    private final JdbcClient jdbc;
    private final CircuitBreaker breaker;

    /**
     * Lookups go through {@code breaker}, which counts only an unreachable or failing database
     * ({@link TransientDataAccessException}, {@link DataAccessResourceFailureException} and their kin):
     * while it is open a handshake is refused at once instead of waiting for a connection.
     */
    public DeviceDirectory(DataSource dataSource, CircuitBreaker breaker) {
        this.jdbc = JdbcClient.create(dataSource);
        this.breaker = breaker;
    }

    /** The breaker settings: open when half of the last 10 lookups (at least 5) failed, for {@code openFor}. */
    public static CircuitBreakerConfig breakerSettings(Duration openFor) {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(10)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(50)
                .waitDurationInOpenState(openFor)
                .permittedNumberOfCallsInHalfOpenState(3)
                .recordExceptions(TransientDataAccessException.class, DataAccessResourceFailureException.class,
                        CannotGetJdbcConnectionException.class, RecoverableDataAccessException.class)
                .build();
    }

    /**
     * The device holding this token with its account's namespaces, or empty for an unknown or revoked
     * token. A database that cannot answer, or an open breaker, raises {@link DataAccessException}.
     */
    public Optional<ConnectedDevice> connect(String token) {
        try {
            return breaker.executeSupplier(() -> lookUp(token));
        } catch (CallNotPermittedException e) {
            throw new DataAccessResourceFailureException("the notifier's database circuit is open; retry shortly", e);
        }
    }

    /**
     * Which of these devices may no longer connect: revoked, or gone from the table. A database that
     * cannot answer, or an open breaker, raises {@link DataAccessException}.
     */
    public Set<String> revokedAmong(Set<String> deviceIds) {
        if (deviceIds.isEmpty()) {
            return Set.of();
        }
        try {
            return breaker.executeSupplier(() -> {
                List<UUID> ids = deviceIds.stream().map(UUID::fromString).toList();
                Set<UUID> active = new HashSet<>();
                // In slices: a statement takes at most 65,535 parameters.
                for (int from = 0; from < ids.size(); from += REVOCATION_SLICE) {
                    active.addAll(jdbc.sql("SELECT id FROM ingest.devices WHERE id IN (:ids) AND revoked_at IS NULL")
                            .param("ids", ids.subList(from, Math.min(ids.size(), from + REVOCATION_SLICE)))
                            .query((rs, n) -> rs.getObject(1, UUID.class))
                            .list());
                }
                Set<String> revoked = new HashSet<>();
                for (String id : deviceIds) {
                    if (!active.contains(UUID.fromString(id))) {
                        revoked.add(id);
                    }
                }
                return revoked;
            });
        } catch (CallNotPermittedException e) {
            throw new DataAccessResourceFailureException("the notifier's database circuit is open; retry shortly", e);
        }
    }

    /**
     * The namespaces each of these accounts is a member of now (an account with none maps to an empty
     * set). A database that cannot answer, or an open breaker, raises {@link DataAccessException}.
     */
    public java.util.Map<String, Set<String>> namespacesOf(Set<String> accountIds) {
        if (accountIds.isEmpty()) {
            return java.util.Map.of();
        }
        try {
            return breaker.executeSupplier(() -> {
                java.util.Map<String, Set<String>> members = new java.util.HashMap<>();
                accountIds.forEach(a -> members.put(a, new HashSet<>()));
                List<UUID> ids = accountIds.stream().map(UUID::fromString).toList();
                for (int from = 0; from < ids.size(); from += REVOCATION_SLICE) {
                    jdbc.sql("SELECT account_id, namespace_id FROM ingest.namespace_members WHERE account_id IN (:ids)")
                            .param("ids", ids.subList(from, Math.min(ids.size(), from + REVOCATION_SLICE)))
                            .query((rs, n) -> {
                                String account = rs.getObject(1, UUID.class).toString();
                                String namespace = rs.getObject(2, UUID.class).toString();
                                accountIds.stream().filter(a -> a.equalsIgnoreCase(account)).findFirst()
                                        .ifPresent(a -> members.get(a).add(namespace));
                                return 1;
                            })
                            .list();
                }
                return members;
            });
        } catch (CallNotPermittedException e) {
            throw new DataAccessResourceFailureException("the notifier's database circuit is open; retry shortly", e);
        }
    }

    private Optional<ConnectedDevice> lookUp(String token) {
        String tokenSha256 = Sha256.hex(token.getBytes(StandardCharsets.UTF_8));
        List<Ids> found = jdbc.sql("SELECT id, account_id FROM ingest.devices"
                        + " WHERE token_sha256 = ? AND revoked_at IS NULL")
                .param(tokenSha256)
                .query((rs, n) -> new Ids(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class)))
                .list();
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Ids device = found.get(0);
        List<String> namespaces = jdbc.sql("SELECT namespace_id FROM ingest.namespace_members WHERE account_id = ?")
                .param(device.account())
                .query((rs, n) -> rs.getObject(1, UUID.class).toString())
                .list();
        return Optional.of(new ConnectedDevice(device.device().toString(), device.account().toString(),
                new HashSet<>(namespaces)));
    }

    private record Ids(UUID device, UUID account) {
    }
}
