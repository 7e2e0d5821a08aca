package io.cumulus.ingest.changes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.ingest.IngestSchema;
import io.cumulus.projector.ReadModelSchema;

/**
 * An installation upgraded to the counter rules keeps accepting the vectors its devices hold: the
 * migration records, from the read model, the highest counter of every entry of every applied version.
 */
class DeviceCountersMigrationIT {

    @Test
    void theCountersOfVersionsAppliedBeforeTheUpgradeAreRecorded() {
        PostgresConnection postgres = TestServers.freshDatabase();
        try {
            // given a database as it was before the upgrade, with two versions of a file in the read model
            ReadModelSchema.migrate(postgres.dataSource());
            ingestFlyway(postgres).target(MigrationVersion.fromVersion("4")).load().migrate();
            JdbcClient jdbc = JdbcClient.create(postgres.dataSource());
            UUID account = UUID.randomUUID();
            UUID ns = UUID.randomUUID();
            UUID elsewhere = UUID.randomUUID();
            jdbc.sql("insert into ingest.accounts (id, username, password_hash, home_namespace) values (?, 'old', 'x', ?)")
                    .params(account, ns).update();
            jdbc.sql("insert into ingest.namespaces (id, kind, name, owner_account) values (?, 'home', 'Home', ?)").params(ns, account).update();
            String feed = """
                    insert into readmodel.feed (namespace_id, seq, file_id, path, op, vector, chunks, size, device_id, batch_id, change_index, at)
                    values (?, ?, 'f', 'a.txt', 'UPSERT', ?::jsonb, '[]'::jsonb, 0, 'd', 'b', 0, now())""";
            jdbc.sql(feed).params(ns, 1, "{\"laptop-id\": 3, \"server:laptop-id\": 1}").update();
            jdbc.sql(feed).params(ns, 2, "{\"laptop-id\": 2, \"phone-id\": 7}").update();
            // and a read-model row of a namespace the ingest schema does not know, which is left alone
            jdbc.sql(feed).params(elsewhere, 1, "{\"laptop-id\": 9}").update();

            // when the installation is upgraded
            IngestSchema.migrate(postgres.dataSource());

            // then every entry's highest counter in the namespace is recorded
            Map<String, Long> counters = new TreeMap<>();
            jdbc.sql("select device, max_counter from ingest.device_counters where namespace_id = ?").param(ns)
                    .query(rs -> {
                        counters.put(rs.getString("device"), rs.getLong("max_counter"));
                    });
            assertThat(counters).containsExactlyEntriesOf(new TreeMap<>(Map.of("laptop-id", 3L, "phone-id", 7L, "server:laptop-id", 1L)));
            assertThat(jdbc.sql("select count(*) from ingest.device_counters where namespace_id = ?").param(elsewhere)
                    .query(Long.class).single()).isZero();
        } finally {
            postgres.close();
        }
    }

    private static FluentConfiguration ingestFlyway(PostgresConnection postgres) {
        return Flyway.configure().dataSource(postgres.dataSource()).schemas(IngestSchema.NAME).createSchemas(true)
                .locations("classpath:db/ingest").table("flyway_schema_history");
    }
}
