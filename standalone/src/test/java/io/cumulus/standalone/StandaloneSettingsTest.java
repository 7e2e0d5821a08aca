package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.cumulus.standalone.StandaloneSettings.BadSettings;
import io.cumulus.standalone.StandaloneSettings.Service;
import io.cumulus.sync.conflict.Resolution;

class StandaloneSettingsTest {

    private static StandaloneSettings parse(String... args) {
        return StandaloneSettings.from(List.of(args), Map.of());
    }

    @Test
    void theDefaultsKeepChunksLocallyMergeTextAndRetainThirtyDays() {
        StandaloneSettings s = parse();
        assertThat(s.blobStore()).containsEntry("cumulus.blobs.store", "local");
        assertThat(s.merge()).isTrue();
        assertThat(s.retention().period()).isEqualTo(Duration.ofDays(30));
        assertThat(s.retention().minVersions()).isEqualTo(10);
        assertThat(s.conflicts().forPath("a.docx")).isEqualTo(Resolution.LAST_WRITER_WINS);
        assertThat(s.syncState()).isEqualTo(Map.of("cumulus.sync-state.store", "postgres"));
        assertThat(s.syncStateOnCassandra()).isFalse();
    }

    @Test
    void aCassandraSyncStateTakesItsSettingsFromOptionsOrTheEnvironment() {
        StandaloneSettings s = StandaloneSettings.from(List.of("--sync-state=cassandra",
                "--cassandra-contact-points=cass1:9042,cass2:9043"), Map.of("CUMULUS_CASSANDRA_KEYSPACE", "sync"));
        assertThat(s.syncStateOnCassandra()).isTrue();
        assertThat(s.syncState()).isEqualTo(Map.of("cumulus.sync-state.store", "cassandra",
                "cumulus.cassandra.contact-points", "cass1:9042,cass2:9043",
                "cumulus.cassandra.datacenter", "datacenter1",
                "cumulus.cassandra.keyspace", "sync"));
        assertThat(StandaloneSettings.from(List.of(), Map.of("CUMULUS_SYNC_STATE", "cassandra")).syncState())
                .containsEntry("cumulus.cassandra.contact-points", "127.0.0.1:9042")
                .containsEntry("cumulus.cassandra.keyspace", "cumulus");
    }

    @Test
    void badSyncStateSettingsAreRefusedWithTheirOption() {
        assertThatThrownBy(() -> parse("--sync-state=redis")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--sync-state must be postgres or cassandra");
        assertThatThrownBy(() -> parse("--sync-state=cassandra", "--cassandra-contact-points=cass1:port"))
                .isInstanceOf(BadSettings.class).hasMessageContaining("--cassandra-contact-points")
                .hasMessageContaining("cass1:port");
        assertThatThrownBy(() -> parse("--sync-state=cassandra", "--cassandra-keyspace=my-keyspace"))
                .isInstanceOf(BadSettings.class).hasMessageContaining("--cassandra-keyspace");
        assertThatThrownBy(() -> parse("--cassandra-datacentre=dc1")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("unknown option");
    }

    @Test
    void anS3StoreTakesItsSettingsFromOptionsOrTheEnvironment() {
        StandaloneSettings s = StandaloneSettings.from(List.of("--blob-store=s3", "--s3-endpoint=http://minio:9000"),
                Map.of("CUMULUS_S3_ACCESS_KEY", "ak", "CUMULUS_S3_SECRET_KEY", "sk"));
        assertThat(s.blobStore()).containsEntry("cumulus.blobs.store", "s3")
                .containsEntry("cumulus.s3.endpoint", "http://minio:9000")
                .containsEntry("cumulus.s3.access-key", "ak")
                .containsEntry("cumulus.s3.secret-key", "sk")
                .containsEntry("cumulus.s3.bucket", "cumulus-chunks")
                .containsEntry("cumulus.s3.region", "us-east-1");
    }

    @Test
    void badStoreRetentionMergeAndConflictSettingsAreRefusedWithTheirOption() {
        assertThatThrownBy(() -> parse("--blob-store=ftp")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--blob-store must be local or s3");
        assertThatThrownBy(() -> parse("--blob-store=s3", "--s3-endpoint=http://minio:9000", "--s3-access-key=ak"))
                .isInstanceOf(BadSettings.class).hasMessageContaining("--s3-secret-key");
        assertThatThrownBy(() -> parse("--blob-store=s3", "--s3-endpoint=minio", "--s3-access-key=a", "--s3-secret-key=s"))
                .isInstanceOf(BadSettings.class).hasMessageContaining("--s3-endpoint must be a URL");
        assertThatThrownBy(() -> parse("--blob-store=s3", "--s3-endpoint=http://m:9000", "--s3-access-key=a",
                "--s3-secret-key=s", "--s3-bucket=Bad_Bucket")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--s3-bucket");
        assertThatThrownBy(() -> parse("--retention-versions=0")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--retention-versions must be at least 1");
        assertThatThrownBy(() -> parse("--retention-days=soon")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--retention-days");
        assertThatThrownBy(() -> parse("--merge=maybe")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--merge must be on or off");
        assertThatThrownBy(() -> parse("--conflict-rules=md")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--conflict-rules");
    }

    @Test
    void byDefaultOneProcessRunsEveryServiceAsTheStandaloneInstanceWithTheReplicationFactorOfItsCluster() {
        StandaloneSettings s = parse();
        assertThat(s.services()).containsExactlyInAnyOrder(Service.values());
        assertThat(s.instanceId()).isEqualTo("cumulus-standalone");
        assertThat(s.replicationFactor()).isEmpty();
    }

    @Test
    void aProcessOnAnExternalClusterRunsTheServicesItIsGivenUnderItsOwnInstanceId() {
        StandaloneSettings s = StandaloneSettings.from(List.of("--services=api, relay", "--instance-id=node-2"),
                Map.of("CUMULUS_KAFKA_BOOTSTRAP", "kafka-1:9092,kafka-2:9092", "CUMULUS_REPLICATION_FACTOR", "3"));
        assertThat(s.services()).containsExactlyInAnyOrder(Service.API, Service.RELAY);
        assertThat(s.runs(Service.RECONCILER)).isFalse();
        assertThat(s.instanceId()).isEqualTo("node-2");
        assertThat(s.replicationFactor()).contains(3);
        assertThat(parse("--kafka-bootstrap=k:9092", "--services=all").services()).hasSize(4);
    }

    @Test
    void badServicesInstanceIdsAndReplicationFactorsAreRefusedWithTheirOption() {
        assertThatThrownBy(() -> parse("--kafka-bootstrap=k:9092", "--services=api,gateway")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--services: unknown service 'gateway'").hasMessageContaining("api,relay,reconciler,projector");
        assertThatThrownBy(() -> parse("--kafka-bootstrap=k:9092", "--services=,")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--services must name at least one");
        assertThatThrownBy(() -> parse("--services=relay")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("give --kafka-bootstrap");
        assertThatThrownBy(() -> parse("--instance-id=two words")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--instance-id must be");
        assertThatThrownBy(() -> parse("--instance-id=-x")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--instance-id must be");
        assertThatThrownBy(() -> parse("--kafka-bootstrap=k:9092", "--replication-factor=0")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--replication-factor must be auto or at least 1");
        assertThatThrownBy(() -> parse("--kafka-bootstrap=k:9092", "--replication-factor=many")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--replication-factor");
        assertThatThrownBy(() -> parse("--replication-factor=3")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("needs a Kafka cluster");
    }

    @Test
    void anAdminTokenGivenIsSharedByEveryProcessAndMustBeHardToGuess() {
        assertThat(parse().adminToken()).isEmpty();
        assertThat(StandaloneSettings.from(List.of(), Map.of("CUMULUS_ADMIN_TOKEN", "0123456789abcdef0123456789abcdef"))
                .adminToken()).hasValue("0123456789abcdef0123456789abcdef");
        assertThatThrownBy(() -> parse("--admin-token=secret")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("at least 24 characters");
    }
}
