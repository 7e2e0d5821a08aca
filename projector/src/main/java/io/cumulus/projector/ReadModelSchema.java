package io.cumulus.projector;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;

/**
 * The PostgreSQL schema {@code readmodel} that the projector owns (files, feed, batch outcomes),
 * migrated by Flyway from {@code db/readmodel}. It holds only derived state: dropping it and
 * replaying the output topics rebuilds it.
 */
public final class ReadModelSchema {
    public static final String NAME = "readmodel";

    public static void migrate(DataSource dataSource) {
        Flyway.configure()
                .dataSource(dataSource)
                .schemas(NAME)
                .createSchemas(true)
                .locations("classpath:db/readmodel")
                .table("flyway_schema_history")
                .load()
                .migrate();
    }

    private ReadModelSchema() {
    }
}
