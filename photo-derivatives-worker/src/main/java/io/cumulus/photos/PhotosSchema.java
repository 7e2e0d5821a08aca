package io.cumulus.photos;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;

/**
 * The PostgreSQL schema {@code photos} that the photo derivatives worker owns, migrated by Flyway
 * from {@code db/photos}. Everything in it is derived from the file events (and the album events):
 * dropping the schema and replaying the topics rebuilds it.
 */
public final class PhotosSchema {
    public static final String NAME = "photos";

    public static void migrate(DataSource dataSource) {
        Flyway.configure()
                .dataSource(dataSource)
                .schemas(NAME)
                .createSchemas(true)
                .locations("classpath:db/photos")
                .table("flyway_schema_history")
                .load()
                .migrate();
    }

    private PhotosSchema() {
    }
}
