package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import io.cumulus.standalone.StandaloneSettings.Service;

/**
 * The scaled-out deployment, {@code docker-compose.yml} at the repository root, cannot be started
 * on a machine without a container engine; these tests hold it to what the tested code accepts:
 * every Cumulus service's command and environment are settings {@code cumulus serve} takes, and the
 * servers are set up the way the integration tests run them (3 KRaft brokers with replication
 * factor 3, PostgreSQL with logical decoding).
 */
class ComposeFileTest {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::?[?-][^}]*)?}");

    private static Map<String, Map<String, Object>> services;
    private static Map<String, Object> compose;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws IOException {
        Path file = repositoryRoot().resolve("docker-compose.yml");
        compose = new Yaml().load(Files.readString(file));
        services = (Map<String, Map<String, Object>>) compose.get("services");
    }

    @Test
    void everyCumulusServiceRunsWithSettingsTheServerAccepts() {
        List<String> cumulus = cumulusServices();
        assertThat(cumulus).as("two instances of each service")
                .containsExactlyInAnyOrder("api-1", "api-2", "relay-1", "relay-2", "reconciler-1", "reconciler-2",
                        "projector-1", "projector-2", "photos-1", "photos-2");
        for (String name : cumulus) {
            List<String> command = commandOf(name);
            assertThat(command.getFirst()).as(name).isEqualTo("serve");
            StandaloneSettings s = StandaloneSettings.from(command.subList(1, command.size()), environmentOf(name));
            assertThat(s.kafkaBootstrap()).as(name).hasValue("kafka-1:9092,kafka-2:9092,kafka-3:9092");
            assertThat(s.postgresUrl()).as(name).hasValue("jdbc:postgresql://postgres:5432/cumulus");
            assertThat(s.blobStore()).as(name).containsEntry("cumulus.blobs.store", "s3")
                    .containsEntry("cumulus.s3.endpoint", "http://minio:9000");
            assertThat(command).as(name).contains("--instance-id=" + name);
            assertThat(s.instanceId()).as(name).isEqualTo(name);
            Service named = Service.valueOf(name.substring(0, name.indexOf('-')).toUpperCase(java.util.Locale.ROOT));
            assertThat(s.services()).as(name + " runs the service it is named after")
                    .isEqualTo(named == Service.PROJECTOR ? Set.of(named, Service.GC) : Set.of(named));
            assertThat(s.replicationFactor()).as(name).hasValue(3);
            assertThat(s.syncStateOnCassandra()).as(name).isTrue();
            assertThat(s.adminToken()).as(name + " shares the operator's admin token").isPresent();
            assertThat(s.bindAddress()).as(name + " listens where other containers reach it").isEqualTo("0.0.0.0");
        }
    }

    @Test
    void twoInstancesCountChunkReferencesAndEveryApiCollectsWithADayOfGrace() {
        List<String> counters = cumulusServices().stream()
                .filter(name -> settingsOf(name).runs(Service.GC)).toList();
        assertThat(counters).as("the counters share the chunk-refs partitions; one may die")
                .containsExactlyInAnyOrder("projector-1", "projector-2");
        for (String name : cumulusServices()) {
            StandaloneSettings s = settingsOf(name);
            assertThat(s.gcGrace()).as(name).isEqualTo(Duration.ofHours(24));
            assertThat(s.gcProperties()).as(name + " collects chunks if it runs the API")
                    .containsEntry("cumulus.gc.enabled", String.valueOf(s.runs(Service.API)));
        }
        assertThat(environmentOf("api-1")).containsEntry("CUMULUS_GC_GRACE", "24h");
    }

    @Test
    void theReconcilersKnowWhetherTheApisMergeText() {
        List<Boolean> merge = cumulusServices().stream()
                .filter(name -> name.startsWith("api-") || name.startsWith("reconciler-"))
                .map(name -> settingsOf(name).merge()).distinct().toList();
        assertThat(merge).as("a copy waits for the merge only where a merge worker runs").containsExactly(true);
    }

    @Test
    void kafkaIsThreeKraftBrokersThatReplicateEverythingThreeTimes() {
        List<String> voters = new ArrayList<>();
        for (int node = 1; node <= 3; node++) {
            Map<String, String> env = environmentOf("kafka-" + node);
            assertThat(env).containsEntry("KAFKA_NODE_ID", String.valueOf(node))
                    .containsEntry("KAFKA_PROCESS_ROLES", "broker,controller")
                    .containsEntry("KAFKA_DEFAULT_REPLICATION_FACTOR", "3")
                    .containsEntry("KAFKA_MIN_INSYNC_REPLICAS", "2")
                    .containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "3")
                    .containsEntry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "3")
                    .containsEntry("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://kafka-" + node + ":9092");
            assertThat(env.get("CLUSTER_ID")).as("a base64 UUID").matches("[A-Za-z0-9_-]{22}");
            voters.add(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS"));
        }
        assertThat(voters).containsOnly("1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093");
        assertThat(environmentOf("api-1")).containsEntry("CUMULUS_REPLICATION_FACTOR", "3");
    }

    @Test
    void theApisShareTheirRateLimitsThroughRedisAndNothingElseNeedsIt() {
        for (String name : cumulusServices()) {
            StandaloneSettings s = settingsOf(name);
            if (s.runs(Service.API)) {
                assertThat(s.rateLimitProperties()).as(name).containsEntry("cumulus.redis.url", "redis://redis:6379");
                assertThat(map(services.get(name).get("depends_on"))).as(name).containsKey("redis");
            } else {
                assertThat(s.redisUrl()).as(name + " has no use for Redis").isEmpty();
            }
        }
        assertThat(services.get("redis")).containsKey("healthcheck");
    }

    @Test
    void postgresDecodesItsLogForTheOutboxRelay() {
        assertThat(commandOf("postgres")).contains("wal_level=logical");
    }

    @Test
    void serversAndApisHaveHealthChecksAndEveryStatefulServiceAVolume() {
        Map<String, Object> declared = map(compose.get("volumes"));
        for (String name : services.keySet()) {
            Map<String, Object> service = services.get(name);
            assertThat(service).as(name + " has a health check").containsKey("healthcheck");
            if (name.equals("schema-registry")) {
                // its schemas live in a Kafka topic (Apicurio's kafkasql storage)
                assertThat(environmentOf(name)).containsEntry("APICURIO_STORAGE_KIND", "kafkasql");
                assertThat(service).as("the registry has no authentication: it is not published on the host")
                        .doesNotContainKey("ports");
                continue;
            }
            assertThat(service).as(name + " keeps its data in a volume").containsKey("volumes");
            for (Object mount : (List<?>) service.get("volumes")) {
                String volume = mount.toString().split(":")[0];
                if (volume.startsWith("./")) {
                    // a file of this repository (the monitoring's configuration), mounted read-only
                    assertThat(repositoryRoot().resolve(volume)).as(name + " mounts " + volume).exists();
                    assertThat(mount.toString()).as(name + " mounts " + volume + " read-only").endsWith(":ro");
                    continue;
                }
                assertThat(declared).as(name + "'s volume " + volume + " is declared").containsKey(volume);
            }
        }
        // every Cumulus process is checked by its readiness: the API's port, else the management port
        assertThat(cumulusServices()).allSatisfy(name -> assertThat(healthCheckOf(name))
                .contains(name.startsWith("api-") ? "http://localhost:8080/health/ready" : "http://localhost:"
                        + StandaloneSettings.DEFAULT_MANAGEMENT_PORT + "/health/ready"));
        assertThat(cumulusServices()).allSatisfy(name ->
                assertThat(map(services.get(name).get("depends_on")))
                        .containsKeys("kafka-1", "kafka-2", "kafka-3", "postgres", "cassandra", "minio"));
    }

    private static String healthCheckOf(String service) {
        return String.join(" ", ((List<?>) map(services.get(service).get("healthcheck")).get("test")).stream()
                .map(Object::toString).toList());
    }

    private static List<String> cumulusServices() {
        return services.entrySet().stream().filter(e -> ".".equals(e.getValue().get("build"))).map(Map.Entry::getKey)
                .sorted().toList();
    }

    private static StandaloneSettings settingsOf(String service) {
        List<String> command = commandOf(service);
        return StandaloneSettings.from(command.subList(1, command.size()), environmentOf(service));
    }

    private static List<String> commandOf(String service) {
        Object command = services.get(service).get("command");
        assertThat(command).as(service + "'s command").isInstanceOf(List.class);
        return ((List<?>) command).stream().map(Object::toString).toList();
    }

    /** The service's environment, with each {@code ${VAR:?...}} replaced as a user would set it. */
    private static Map<String, String> environmentOf(String service) {
        Map<String, String> env = new TreeMap<>();
        map(services.get(service).get("environment")).forEach((k, v) -> env.put(k, substitute(String.valueOf(v))));
        return env;
    }

    private static String substitute(String value) {
        Matcher m = VARIABLE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, "set-by-the-operator-" + m.group(1).toLowerCase());
        }
        return m.appendTail(out).toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object yaml) {
        return yaml == null ? Map.of() : new LinkedHashMap<>((Map<String, Object>) yaml);
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("docker-compose.yml"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("docker-compose.yml above " + Path.of("").toAbsolutePath()).isNotNull();
        return dir;
    }
}
