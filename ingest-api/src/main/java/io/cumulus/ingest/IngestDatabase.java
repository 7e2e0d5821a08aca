package io.cumulus.ingest;

import javax.sql.DataSource;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The ingest API's access to PostgreSQL: a JDBC client and transactions on one data source. One
 * exists only after {@link IngestSchema#migrate} has run, so every store built on it can rely on
 * the schema being current. Queries name their schema ({@code ingest.}, {@code readmodel.}).
 */
public record IngestDatabase(JdbcClient jdbc, TransactionTemplate transactions) {

    /** Migrates the {@code ingest} schema, then opens access to the data source. */
    public static IngestDatabase migrated(DataSource dataSource) {
        IngestSchema.migrate(dataSource);
        return new IngestDatabase(JdbcClient.create(dataSource),
                new TransactionTemplate(new JdbcTransactionManager(dataSource)));
    }
}
