package io.cumulus.ingest.syncstate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

class CassandraSettingsTest {

    @Test
    void contactPointsAreHostsWithAnOptionalPort() {
        assertThat(CassandraSettings.parseContactPoints("cass1:9043, cass2,[::1]:9044"))
                .containsExactly(InetSocketAddress.createUnresolved("cass1", 9043),
                        InetSocketAddress.createUnresolved("cass2", 9042),
                        InetSocketAddress.createUnresolved("::1", 9044));
    }

    @Test
    void aMalformedContactPointIsNamed() {
        assertThatThrownBy(() -> CassandraSettings.parseContactPoints("cass1:9042,cass2:http"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'cass2:http'");
        assertThatThrownBy(() -> CassandraSettings.parseContactPoints("cass1:70000"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'cass1:70000'");
        assertThatThrownBy(() -> CassandraSettings.parseContactPoints(" , "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no Cassandra contact point");
    }

    @Test
    void aKeyspaceNameAndAConsistencyLevelAreChecked() {
        List<InetSocketAddress> local = CassandraSettings.parseContactPoints("127.0.0.1");
        assertThat(CassandraSettings.of(local, "dc1", "cumulus_sync").consistency()).isEqualTo("LOCAL_QUORUM");
        assertThatThrownBy(() -> CassandraSettings.of(local, "dc1", "cumulus-sync"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keyspace");
        assertThatThrownBy(() -> new CassandraSettings(local, "dc1", "ks", CassandraSettings.SIMPLE_REPLICATION,
                java.time.Duration.ofSeconds(1), "MOST", 4096))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("consistency level");
    }
}
