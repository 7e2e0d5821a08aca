package io.cumulus.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.InProcessKafka;
import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.schemas.TopicSpecs;
import io.cumulus.schemas.Topics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;

/**
 * The relay against a real PostgreSQL with logical decoding and the real broker. The outbox table is
 * created here with the columns the relay reads (ingest-api owns the real migration).
 */
class OutboxRelayIT {
    private static final Duration RELAYED = Duration.ofSeconds(60);

    private final List<OutboxRelay> relays = new ArrayList<>();

    @BeforeAll
    static void topics() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafka().bootstrapServers()))) {
            TopicSpecs.createMissing(admin, 4, (short) 1);
        }
    }

    @AfterEach
    void stopRelays() {
        relays.forEach(OutboxRelay::close);
    }

    @Test
    void rowsWrittenBeforeDuringAndAfterARestartAreEachRelayedKeyedByNamespace() throws Exception {
        // given an outbox with one row written before the relay ever ran
        PostgresConnection db = TestServers.freshDatabase();
        createOutbox(db);
        String namespace = UUID.randomUUID().toString();
        insert(db, namespace, "before-start");
        Path offsets = TestServers.workDir("relay-offsets-");

        // when the relay runs, a row is written, the relay stops, a row is written, and it starts again
        start(db, offsets);
        insert(db, namespace, "while-running");
        awaitPayloads(namespace, 2);
        relays.remove(0).close();
        insert(db, namespace, "while-stopped");
        start(db, offsets);

        // then every row reaches the topic, in order, keyed by its namespace
        List<String> payloads = awaitPayloads(namespace, 3);
        assertThat(payloads).startsWith("before-start", "while-running").contains("while-stopped");
        assertThat(payloads.stream().distinct()).containsExactly("before-start", "while-running", "while-stopped");
    }

    @Test
    void manyRowsOfOneTransactionArriveInCommitOrder() throws Exception {
        // given an empty outbox
        PostgresConnection db = TestServers.freshDatabase();
        createOutbox(db);
        String namespace = UUID.randomUUID().toString();

        // when the relay runs and many rows are written in one transaction
        start(db, TestServers.workDir("relay-offsets-"));
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            for (int i = 0; i < 50; i++) {
                insert(c, namespace, "row-" + i);
            }
            c.commit();
        }

        // then all of them arrive in commit order
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            expected.add("row-" + i);
        }
        assertThat(awaitPayloads(namespace, 50)).containsExactlyElementsOf(expected);
    }

    @Test
    void whileKafkaIsDownTheRelayWaitsWithItsBreakerOpenAndPublishesOnceKafkaIsUp() throws Exception {
        // given a relay whose Kafka does not run yet, and a row in the outbox
        PostgresConnection db = TestServers.freshDatabase();
        createOutbox(db);
        String namespace = UUID.randomUUID().toString();
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        OutboxRelay relay = new OutboxRelay(RelayConfig.of(db.host(), db.port(), db.database(), db.user(), db.password(),
                "127.0.0.1:" + port, TestServers.workDir("relay-offsets-")), CircuitBreakerRegistry.ofDefaults());
        relays.add(relay);
        relay.start();
        insert(db, namespace, "while-kafka-is-down");

        // when its sends keep failing, then its breaker opens, and the relay keeps running
        await().atMost(Duration.ofSeconds(120)).until(relay::breakerState, s -> s == CircuitBreaker.State.OPEN);
        assertThat(relay.failure()).isEmpty();

        // and when Kafka starts, the row is published and the breaker closes by itself
        try (InProcessKafka kafka = InProcessKafka.start(TestServers.workDir("relay-kafka-"), port)) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                TopicSpecs.createMissing(admin, 4, (short) 1);
            }
            assertThat(awaitPayloads(kafka.bootstrapServers(), namespace, 1)).contains("while-kafka-is-down");
            await().atMost(RELAYED).until(relay::breakerState, s -> s == CircuitBreaker.State.CLOSED);
            assertThat(relay.failure()).isEmpty();
            relays.remove(relay);
            relay.close();
        }
    }

    private void start(PostgresConnection db, Path offsets) {
        OutboxRelay relay = new OutboxRelay(RelayConfig.of(db.host(), db.port(), db.database(), db.user(), db.password(),
                TestServers.kafka().bootstrapServers(), offsets));
        relays.add(relay);
        relay.start();
    }

    private static void createOutbox(PostgresConnection db) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA ingest");
            s.execute("CREATE TABLE ingest.outbox (id bigserial PRIMARY KEY, batch_id uuid NOT NULL, namespace_id uuid NOT NULL,"
                    + " payload bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now())");
        }
    }

    private static void insert(PostgresConnection db, String namespace, String payload) throws Exception {
        try (Connection c = db.connect()) {
            insert(c, namespace, payload);
        }
    }

    private static void insert(Connection c, String namespace, String payload) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO ingest.outbox (batch_id, namespace_id, payload) VALUES (?::uuid, ?::uuid, ?)")) {
            ps.setString(1, UUID.randomUUID().toString());
            ps.setString(2, namespace);
            ps.setBytes(3, payload.getBytes(StandardCharsets.UTF_8));
            ps.executeUpdate();
        }
    }

    /** Reads the changes topic from the start until {@code count} records of the namespace have arrived. */
    private static List<String> awaitPayloads(String namespace, int count) {
        return awaitPayloads(TestServers.kafka().bootstrapServers(), namespace, count);
    }

    private static List<String> awaitPayloads(String bootstrapServers, String namespace, int count) {
        List<String> payloads = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "relay-it-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.CHANGES));
            await().atMost(RELAYED).until(() -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (namespace.equals(r.key())) {
                        payloads.add(new String(r.value(), StandardCharsets.UTF_8));
                    }
                }
                return payloads.size() >= count;
            });
        }
        return payloads;
    }
}
