package io.cumulus.ingest;

import java.time.Duration;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.cumulus.ingest.resilience.GuardedDataSource;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * The ingest API's access to PostgreSQL: a JDBC client and transactions on one data source. One
 * exists only after {@link IngestSchema#migrate} has run, so every store built on it can rely on
 * the schema being current. Queries name their schema ({@code ingest.}, {@code readmodel.}).
 *
 * <p>Every request's connection passes through the {@code postgres} circuit breaker
 * ({@link GuardedDataSource}), and every statement has a time limit: a server that has stopped
 * answering turns into 503s, never into requests that hang.
 */
public record IngestDatabase(JdbcClient jdbc, TransactionTemplate transactions) {

    /**
     * How long one statement may run before the server is asked to cancel it (SQLSTATE 57014):
     * far above any query of the API, well below a client's patience.
     */
    public static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(10);

    /** Migrates the {@code ingest} schema, then opens access to the data source through the breaker. */
    public static IngestDatabase migrated(DataSource dataSource, CircuitBreaker breaker) {
        IngestSchema.migrate(dataSource);
        DataSource guarded = new GuardedDataSource(dataSource, breaker);
        JdbcTemplate template = new JdbcTemplate(guarded);
        template.setQueryTimeout((int) STATEMENT_TIMEOUT.toSeconds());
        return new IngestDatabase(JdbcClient.create(template),
                new TransactionTemplate(new JdbcTransactionManager(guarded)));
    }
}
