package io.cumulus.ingest;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;

/**
 * The PostgreSQL schema {@code ingest} that ingest-api owns (accounts, devices, chunks, batches,
 * outbox), migrated by Flyway from {@code db/ingest}. Other services may read it, never write it.
 */
public final class IngestSchema {
    public static final String NAME = "ingest";

    public static void migrate(DataSource dataSource) {
        Flyway.configure()
                .dataSource(dataSource)
                .schemas(NAME)
                .createSchemas(true)
                .locations("classpath:db/ingest")
                .table("flyway_schema_history")
                .load()
                .migrate();
    }

    private IngestSchema() {
    }
}
