package io.cumulus.gc;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;

/**
 * The PostgreSQL schema {@code gc} that the chunk GC worker owns ({@code chunk_store},
 * {@code consumer_positions}), migrated by Flyway from {@code db/gc}. The counts are derived from
 * the chunk-refs topic: dropping the schema and replaying the topic from its start rebuilds them.
 */
public final class GcSchema {
    public static final String NAME = "gc";

    public static void migrate(DataSource dataSource) {
        Flyway.configure()
                .dataSource(dataSource)
                .schemas(NAME)
                .createSchemas(true)
                .locations("classpath:db/gc")
                .table("flyway_schema_history")
                .load()
                .migrate();
    }

    private GcSchema() {
    }
}
