package io.cumulus.relay;

import java.nio.file.Path;
import java.util.Properties;

/**
 * Where the outbox relay reads (one PostgreSQL database's {@code ingest.outbox}) and where it writes
 * (a Kafka cluster). Its Debezium offsets are kept in that database ({@link PostgresOffsetStore}),
 * shared by every relay instance of it; {@code offsetsDir} is where an earlier relay kept them in a
 * file, imported once. The replication slot is named after the database so that several Cumulus
 * databases can share one server.
 */
public record RelayConfig(String dbHost, int dbPort, String database, String dbUser, String dbPassword,
                          String bootstrapServers, Path offsetsDir) {

    public static RelayConfig of(String dbHost, int dbPort, String database, String dbUser, String dbPassword,
                                 String bootstrapServers, Path offsetsDir) {
        return new RelayConfig(dbHost, dbPort, database, dbUser, dbPassword, bootstrapServers, offsetsDir);
    }

    /** The logical replication slot: one per database, at most 63 characters of [a-z0-9_]. */
    public String slotName() {
        String name = "cumulus_outbox_" + database.toLowerCase().replaceAll("[^a-z0-9_]", "_");
        return name.length() > 63 ? name.substring(0, 63) : name;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://" + dbHost + ":" + dbPort + "/" + database + "?connectTimeout=5";
    }

    /** The Debezium PostgreSQL connector's settings: only {@code ingest.outbox}, through pgoutput. */
    Properties debeziumProperties() {
        Properties p = new Properties();
        p.setProperty("name", "cumulus-outbox-relay");
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", PostgresOffsetStore.class.getName());
        p.setProperty(PostgresOffsetStore.LEGACY_FILE, offsetsDir.resolve("offsets.dat").toString());
        p.setProperty("offset.flush.interval.ms", "1000");
        p.setProperty("database.hostname", dbHost);
        p.setProperty("database.port", String.valueOf(dbPort));
        p.setProperty("database.user", dbUser);
        p.setProperty("database.password", dbPassword);
        p.setProperty("database.dbname", database);
        p.setProperty("topic.prefix", "cumulus-relay");
        // The connector's JMX names carry the topic prefix, which names the offsets and so must stay the same: tag them
        // with the database too, so that relays of different databases in one JVM do not wait on each other's names.
        p.setProperty("custom.metric.tags", "database=" + database);
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", slotName());
        p.setProperty("publication.name", "cumulus_outbox");
        p.setProperty("publication.autocreate.mode", "filtered");
        p.setProperty("table.include.list", "ingest.outbox");
        // A batch accepted before the relay first ran is in the table, not in any slot: snapshot it.
        p.setProperty("snapshot.mode", "initial");
        // The slot moves only past what the relay has published (the connector confirms a position after the
        // offsets that cover it are stored, and the driver confirms a keepalive's position only when nothing it
        // received is unconfirmed), so where the stored offsets lag behind it (their last write failed as the
        // database stopped) the slot is right: start there rather than refuse to start at all.
        p.setProperty("offset.mismatch.strategy", "trust_slot");
        p.setProperty("tombstones.on.delete", "false");
        p.setProperty("binary.handling.mode", "bytes");
        // Latency: an accepted batch should reach Kafka within tens of milliseconds.
        p.setProperty("poll.interval.ms", "5");
        p.setProperty("max.batch.size", "2048");
        p.setProperty("errors.max.retries", "-1");
        // A relay taking over may find the slot still streaming to the one it replaces for a moment.
        p.setProperty("slot.max.retries", "60");
        p.setProperty("slot.retry.delay.ms", "1000");
        p.setProperty("errors.retry.delay.initial.ms", "300");
        p.setProperty("errors.retry.delay.max.ms", "5000");
        return p;
    }
}
