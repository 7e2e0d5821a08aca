package io.cumulus.photos;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;

/**
 * The PostgreSQL schema {@code photos} that the photo derivatives worker owns, migrated by Flyway
 * from {@code db/photos}. Everything in it is derived from the file events (and the album events):
 * a rebuild replays the topics into a new generation beside it, {@code photos_g2}, migrated the same way,
 * which then takes this name (docs/decisions/0034).
 */
public final class PhotosSchema {
    public static final String NAME = "photos";
    /** The key prefix of a schema's switch lock (see {@link #lockShared}); the schema's name follows it. */
    public static final String SWITCH_LOCK = "cumulus-generation:";
    private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    public static void migrate(DataSource dataSource) {
        migrate(dataSource, NAME);
    }

    /** Creates (or brings up to date) the tables in {@code schema}: the live one, or a new generation. */
    public static void migrate(DataSource dataSource, String schema) {
        Flyway.configure()
                .dataSource(dataSource)
                .schemas(requireName(schema))
                .createSchemas(true)
                .locations("classpath:db/photos")
                .table("flyway_schema_history")
                .load()
                .migrate();
    }

    /**
     * Takes the schema's switch lock shared until the end of the connection's transaction: every write
     * transaction does first, and the switch to a new generation takes it exclusively.
     */
    public static void lockShared(Connection connection, String schema) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("SELECT pg_advisory_xact_lock_shared(hashtextextended(?, 0))")) {
            s.setString(1, SWITCH_LOCK + schema);
            s.execute();
        }
    }

    /** A schema name that may be put into SQL as it is (lower-case letters, digits, underscores). */
    public static String requireName(String schema) {
        if (!SCHEMA_NAME.matcher(schema).matches()) {
            throw new IllegalArgumentException("not a schema name: " + schema);
        }
        return schema;
    }

    private PhotosSchema() {
    }
}
