package io.cumulus.projector;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;

/**
 * The PostgreSQL schema {@code readmodel} that the projector owns (files, feed, batch outcomes and
 * its consumer positions), migrated by Flyway from {@code db/readmodel}. It holds only derived state:
 * a rebuild replays the output topics into a new generation beside it, {@code readmodel_g2}, migrated
 * the same way, which then takes this name (docs/decisions/0034).
 */
public final class ReadModelSchema {
    public static final String NAME = "readmodel";
    private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    /**
     * The advisory lock of a schema's switch, {@code pg_advisory_xact_lock_shared(hashtextextended(?, 0))}
     * with the key {@code "cumulus-generation:" + schema}: every write transaction takes it shared
     * first; the switch to a new generation takes it exclusively.
     */
    public static final String SWITCH_LOCK = "cumulus-generation:";

    public static void migrate(DataSource dataSource) {
        migrate(dataSource, NAME);
    }

    /** Creates (or brings up to date) the read model's tables in {@code schema}: the live one, or a new generation. */
    public static void migrate(DataSource dataSource, String schema) {
        Flyway.configure()
                .dataSource(dataSource)
                .schemas(requireName(schema))
                .createSchemas(true)
                .locations("classpath:db/readmodel")
                .table("flyway_schema_history")
                .load()
                .migrate();
    }

    /** Takes the schema's switch lock shared, until the end of the connection's transaction. */
    static void lockShared(Connection connection, String schema) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("SELECT pg_advisory_xact_lock_shared(hashtextextended(?, 0))")) {
            s.setString(1, SWITCH_LOCK + schema);
            s.execute();
        }
    }

    /** A schema name that may be put into SQL as it is (lower-case letters, digits, underscores). */
    static String requireName(String schema) {
        if (!SCHEMA_NAME.matcher(schema).matches()) {
            throw new IllegalArgumentException("not a schema name: " + schema);
        }
        return schema;
    }

    private ReadModelSchema() {
    }
}
