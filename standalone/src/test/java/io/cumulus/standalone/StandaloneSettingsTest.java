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
    void aProcessWithoutTheApiServesItsMetricsOnTheManagementPort() {
        assertThat(parse().managementPort()).isEqualTo(9464);
        assertThat(parse("--management-port=0").managementPort()).isZero();
        assertThat(StandaloneSettings.from(List.of(), Map.of("CUMULUS_MANAGEMENT_PORT", "9100")).managementPort()).isEqualTo(9100);
        assertThatThrownBy(() -> parse("--management-port=70000")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--management-port must be a TCP port");
        assertThatThrownBy(() -> parse("--management-port=metrics")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--management-port");
    }

    @Test
    void theServerListensOnLoopbackUnlessAnAddressIsGiven() {
        assertThat(parse().bindAddress()).isEqualTo("127.0.0.1");
        assertThat(parse().localHost()).isEqualTo("127.0.0.1");
        assertThat(parse("--bind-address=0.0.0.0").bindAddress()).isEqualTo("0.0.0.0");
        assertThat(parse("--bind-address=0.0.0.0").localHost()).as("every interface includes loopback").isEqualTo("127.0.0.1");
        assertThat(parse("--bind-address=192.0.2.7").localHost()).isEqualTo("192.0.2.7");
        assertThat(parse("--bind-address=::1").localHost()).isEqualTo("127.0.0.1");
        assertThat(StandaloneSettings.from(List.of(), Map.of("CUMULUS_BIND_ADDRESS", "0.0.0.0")).bindAddress())
                .isEqualTo("0.0.0.0");
        assertThatThrownBy(() -> parse("--bind-address=no such host.invalid"))
                .isInstanceOf(BadSettings.class).hasMessageContaining("--bind-address");
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
        assertThat(parse("--kafka-bootstrap=k:9092", "--services=all").services()).containsExactlyInAnyOrder(Service.values());
    }

    @Test
    void badServicesInstanceIdsAndReplicationFactorsAreRefusedWithTheirOption() {
        assertThatThrownBy(() -> parse("--kafka-bootstrap=k:9092", "--services=api,gateway")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--services: unknown service 'gateway'").hasMessageContaining("api,relay,reconciler,projector,gc,photos");
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
    void byDefaultTheApiCollectsChunksUnreferencedForADaySweepingEveryMinute() {
        StandaloneSettings s = parse();
        assertThat(s.gc()).isTrue();
        assertThat(s.gcGrace()).isEqualTo(Duration.ofHours(24));
        assertThat(s.gcInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(s.runs(Service.GC)).as("the reference counter is one of all services").isTrue();
        assertThat(s.gcProperties()).isEqualTo(Map.of("cumulus.gc.enabled", "true",
                "cumulus.gc.grace", "PT24H", "cumulus.gc.interval", "PT1M"));
    }

    @Test
    void theCollectorsSettingsComeFromOptionsOrTheEnvironment() {
        StandaloneSettings s = StandaloneSettings.from(List.of("--gc-grace=1s", "--gc-interval=200ms"),
                Map.of("CUMULUS_GC", "off", "CUMULUS_GC_GRACE", "7d", "CUMULUS_GC_INTERVAL", "PT5M"));
        assertThat(s.gc()).isFalse();
        assertThat(s.gcGrace()).as("an option wins over the environment").isEqualTo(Duration.ofSeconds(1));
        assertThat(s.gcInterval()).isEqualTo(Duration.ofMillis(200));
        assertThat(s.gcProperties()).containsEntry("cumulus.gc.enabled", "false")
                .containsEntry("cumulus.gc.grace", "PT1S").containsEntry("cumulus.gc.interval", "PT0.2S");
        StandaloneSettings fromEnv = StandaloneSettings.from(List.of(),
                Map.of("CUMULUS_GC_GRACE", "PT12H", "CUMULUS_GC_INTERVAL", "30s"));
        assertThat(fromEnv.gcGrace()).isEqualTo(Duration.ofHours(12));
        assertThat(fromEnv.gcInterval()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void onlyAProcessRunningTheApiCollectsChunksWhileAnyMayCountTheirReferences() {
        StandaloneSettings counterOnly = parse("--kafka-bootstrap=k:9092", "--services=projector,gc");
        assertThat(counterOnly.runs(Service.GC)).isTrue();
        assertThat(counterOnly.gcProperties()).containsEntry("cumulus.gc.enabled", "false");
        StandaloneSettings apiOnly = parse("--kafka-bootstrap=k:9092", "--services=api");
        assertThat(apiOnly.runs(Service.GC)).isFalse();
        assertThat(apiOnly.gcProperties()).containsEntry("cumulus.gc.enabled", "true");
        assertThatThrownBy(() -> parse("--services=api,relay,reconciler,projector")).isInstanceOf(BadSettings.class)
                .as("without the counter a process runs part of Cumulus").hasMessageContaining("give --kafka-bootstrap");
    }

    @Test
    void badCollectorSettingsAreRefusedWithTheirOptionAndTheAcceptedForms() {
        assertThatThrownBy(() -> parse("--gc=sometimes")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--gc must be on or off");
        assertThatThrownBy(() -> parse("--gc-grace=tomorrow")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--gc-grace: the grace period 'tomorrow' is not a duration")
                .hasMessageContaining("e.g. 24h");
        assertThatThrownBy(() -> parse("--gc-grace=500ms")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--gc-grace");
        assertThatThrownBy(() -> parse("--gc-grace=0s")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--gc-grace: the grace period must be at least 1 second");
        assertThatThrownBy(() -> parse("--gc-interval=often")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--gc-interval: the sweep interval 'often' is not a duration")
                .hasMessageContaining("e.g. 1m, 200ms");
        assertThatThrownBy(() -> parse("--gc-interval=50ms")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--gc-interval: the sweep interval must be at least 100ms, was '50ms'");
        assertThatThrownBy(() -> parse("--gc-interval=PT0S")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("at least 100ms");
        assertThatThrownBy(() -> parse("--gc-interval=-1m")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--gc-interval");
        assertThatThrownBy(() -> StandaloneSettings.from(List.of(), Map.of("CUMULUS_GC_INTERVAL", "x".repeat(10_000))))
                .isInstanceOf(BadSettings.class).satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
    }

    @Test
    void theIntakeRefusesNewBatchesPastTenSecondsOrFiveThousandUndecidedChangesByDefault() {
        StandaloneSettings s = parse();
        assertThat(s.backPressureProperties()).isEqualTo(Map.of("cumulus.backpressure.enabled", "true",
                "cumulus.backpressure.max-lag", "PT10S", "cumulus.backpressure.max-pending-changes", "5000"));
    }

    @Test
    void theIntakesBoundsComeFromOptionsOrTheEnvironment() {
        StandaloneSettings s = StandaloneSettings.from(List.of("--max-lag=500ms", "--max-pending-changes=200"),
                Map.of("CUMULUS_BACKPRESSURE", "off", "CUMULUS_MAX_LAG", "1m", "CUMULUS_MAX_PENDING_CHANGES", "9"));
        assertThat(s.backPressure().enabled()).isFalse();
        assertThat(s.backPressure().maxLag()).as("an option wins over the environment").isEqualTo(Duration.ofMillis(500));
        assertThat(s.backPressureProperties()).containsEntry("cumulus.backpressure.enabled", "false")
                .containsEntry("cumulus.backpressure.max-lag", "PT0.5S")
                .containsEntry("cumulus.backpressure.max-pending-changes", "200");
        assertThat(StandaloneSettings.from(List.of(), Map.of("CUMULUS_MAX_LAG", "PT2S")).backPressure().maxLag())
                .isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void badIntakeBoundsAreRefusedWithTheirOptionAndTheAcceptedForms() {
        assertThatThrownBy(() -> parse("--backpressure=maybe")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--backpressure must be on or off");
        assertThatThrownBy(() -> parse("--max-lag=soon")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--max-lag: the maximum lag 'soon' is not a duration").hasMessageContaining("e.g. 10s");
        assertThatThrownBy(() -> parse("--max-lag=10ms")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--max-lag: the maximum lag must be at least 100ms");
        assertThatThrownBy(() -> parse("--max-pending-changes=0")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--max-pending-changes must be at least 1");
        assertThatThrownBy(() -> parse("--max-pending-changes=many")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--max-pending-changes must be a non-negative whole number");
        assertThatThrownBy(() -> StandaloneSettings.from(List.of(), Map.of("CUMULUS_MAX_LAG", "x".repeat(10_000))))
                .isInstanceOf(BadSettings.class).satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
    }

    @Test
    void anAdminTokenGivenIsSharedByEveryProcessAndMustBeHardToGuess() {
        assertThat(parse().adminToken()).isEmpty();
        assertThat(StandaloneSettings.from(List.of(), Map.of("CUMULUS_ADMIN_TOKEN", "0123456789abcdef0123456789abcdef"))
                .adminToken()).hasValue("0123456789abcdef0123456789abcdef");
        assertThatThrownBy(() -> parse("--admin-token=secret")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("at least 24 characters");
    }

    @Test
    void aRedisUrlSharesTheApisRateLimitsAndWithoutOneTheyStayInTheProcess() {
        assertThat(parse().redisUrl()).isEmpty();
        assertThat(parse().rateLimitProperties()).isEmpty();
        assertThat(parse("--redis-url=redis://127.0.0.1:6379").rateLimitProperties())
                .containsExactlyEntriesOf(Map.of("cumulus.redis.url", "redis://127.0.0.1:6379"));
        assertThat(StandaloneSettings.from(List.of(), Map.of("CUMULUS_REDIS_URL", "rediss://cache.example:6380/2"))
                .redisUrl()).hasValue("rediss://cache.example:6380/2");
        assertThatThrownBy(() -> parse("--redis-url=127.0.0.1:6379")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--redis-url must be redis://HOST:PORT");
        assertThatThrownBy(() -> parse("--redis-url=http://cache:6379")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--redis-url must be redis://HOST:PORT");
        assertThatThrownBy(() -> parse("--redis-url=redis:" + "x".repeat(10_000))).isInstanceOf(BadSettings.class)
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
    }

    @Test
    void aSchemaRegistryIsAnHttpUrlAndWithoutOneNoneIsUsed() {
        assertThat(parse().schemaRegistry()).isEmpty();
        assertThat(parse("--schema-registry=http://registry:8080/apis/ccompat/v7").schemaRegistry())
                .hasValue("http://registry:8080/apis/ccompat/v7");
        assertThat(StandaloneSettings.from(List.of(), Map.of("CUMULUS_SCHEMA_REGISTRY", "https://registry.example/apis/ccompat/v7"))
                .schemaRegistry()).hasValue("https://registry.example/apis/ccompat/v7");
        assertThatThrownBy(() -> parse("--schema-registry=registry:8080")).isInstanceOf(BadSettings.class)
                .hasMessageContaining("--schema-registry must be the http(s) URL");
        assertThatThrownBy(() -> parse("--schema-registry=http:" + "x".repeat(10_000))).isInstanceOf(BadSettings.class)
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
    }
}
