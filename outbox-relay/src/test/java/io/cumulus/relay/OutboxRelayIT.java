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
    void whenTheActiveRelaysLockSessionEndsTheStandbyTakesOverFromTheSharedOffsets() throws Exception {
        // given two relays of one database, each with its own directory: one active, one standing by
        PostgresConnection db = TestServers.freshDatabase();
        createOutbox(db);
        String namespace = UUID.randomUUID().toString();
        OutboxRelay first = start(db, TestServers.workDir("relay-a-"));
        OutboxRelay second = start(db, TestServers.workDir("relay-b-"));
        assertThat(first.isActive()).isTrue();
        assertThat(second.isActive()).isFalse();
        insert(db, namespace, "while-first-leads");
        awaitPayloads(namespace, 1);

        // when the active relay's lock session ends, as it does when its process dies
        insert(db, namespace, "during-takeover");
        terminateLockHolder(db);

        // then the first stops its engine, the second takes over, and every row arrives, none snapshotted again
        await().atMost(RELAYED).until(() -> second.isActive() && !first.isActive());
        insert(db, namespace, "while-second-leads");
        List<String> payloads = awaitPayloads(namespace, 3);
        assertThat(payloads.stream().distinct()).containsExactly("while-first-leads", "during-takeover", "while-second-leads");
        assertThat(payloads).filteredOn("while-first-leads"::equals).hasSizeLessThanOrEqualTo(2);
        assertThat(first.isActive()).isFalse();
        assertThat(first.failure()).isEmpty();
        assertThat(second.failure()).isEmpty();
    }

    @Test
    void offsetsKeptInAFileByAnEarlierRelayAreImportedSoNothingIsRelayedTwice() throws Exception {
        // given a relay that has relayed one row, whose offsets are then moved to the file an earlier relay kept
        PostgresConnection db = TestServers.freshDatabase();
        createOutbox(db);
        String namespace = UUID.randomUUID().toString();
        insert(db, namespace, "relayed-before");
        start(db, TestServers.workDir("relay-old-"));
        awaitPayloads(namespace, 1);
        relays.remove(0).close();
        Path legacyDir = TestServers.workDir("relay-legacy-");
        moveOffsetsToLegacyFile(db, legacyDir.resolve("offsets.dat"));

        // when a relay starts with that file and an empty offsets table, and a row is written
        start(db, legacyDir);
        insert(db, namespace, "relayed-after");

        // then it resumes where the file says: the first row is not relayed again by a new snapshot
        List<String> payloads = awaitPayloads(namespace, 2);
        assertThat(payloads).containsExactly("relayed-before", "relayed-after");
        try (Connection c = db.connect(); Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM relay.offsets")) {
            rs.next();
            assertThat(rs.getInt(1)).isPositive();
        }
    }

    private static void moveOffsetsToLegacyFile(PostgresConnection db, Path file) throws Exception {
        java.util.HashMap<byte[], byte[]> offsets = new java.util.HashMap<>();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            try (java.sql.ResultSet rs = s.executeQuery("SELECT offset_key, offset_value FROM relay.offsets")) {
                while (rs.next()) {
                    offsets.put(rs.getBytes(1), rs.getBytes(2));
                }
            }
            s.execute("DELETE FROM relay.offsets");
        }
        assertThat(offsets).isNotEmpty();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(java.nio.file.Files.newOutputStream(file))) {
            out.writeObject(offsets);
        }
    }

    /** Ends the session holding the relays' advisory lock, as PostgreSQL does when the holder's process dies. */
    private static void terminateLockHolder(PostgresConnection db) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                     + " AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")) {
            assertThat(rs.next()).as("a relay holds the lock").isTrue();
        }
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

    private OutboxRelay start(PostgresConnection db, Path offsets) {
        OutboxRelay relay = new OutboxRelay(RelayConfig.of(db.host(), db.port(), db.database(), db.user(), db.password(),
                TestServers.kafka().bootstrapServers(), offsets));
        relays.add(relay);
        relay.start();
        return relay;
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
