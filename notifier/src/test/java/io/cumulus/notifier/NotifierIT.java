package io.cumulus.notifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

import io.cumulus.embedded.PostgresConnection;
import io.cumulus.embedded.testing.TestServers;
import io.cumulus.ingest.IngestSchema;
import io.cumulus.notifier.IngestRows.Account;
import io.cumulus.notifier.IngestRows.Device;
import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.ChangeOutcome;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.FileOp;
import io.cumulus.schemas.OutcomeKind;
import io.cumulus.schemas.TopicSpecs;
import io.cumulus.schemas.Topics;
import tools.jackson.databind.JsonNode;

/** The notifier in a Spring Boot app on a real port, fed by a real broker, with devices in a real PostgreSQL. */
class NotifierIT {
    private static final Duration PUSHED = Duration.ofSeconds(30);

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(NotifierConfiguration.class)
    static class NotifierApp {
    }

    private static PostgresConnection postgres;
    private static ConfigurableApplicationContext app;
    private static KafkaProducer<String, byte[]> producer;
    private static IngestRows ingest;
    private static int port;

    @BeforeAll
    static void startNotifier() {
        String kafka = TestServers.kafka().bootstrapServers();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
            TopicSpecs.createMissing(admin, 3, (short) 1);
        }
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka,
                ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new ByteArraySerializer());
        postgres = TestServers.freshDatabase();
        IngestSchema.migrate(postgres.dataSource());
        ingest = new IngestRows(postgres.dataSource());

        app = startInstance();
        port = ((WebServerApplicationContext) app).getWebServer().getPort();
    }

    /** A notifier instance on the test's database and broker, as another process would run one. */
    private static ConfigurableApplicationContext startInstance() {
        SpringApplication application = new SpringApplication(NotifierApp.class);
        application.setDefaultProperties(Map.of(
                "server.port", "0",
                "spring.datasource.url", postgres.jdbcUrl(),
                "spring.datasource.username", postgres.user(),
                "spring.datasource.password", postgres.password(),
                "cumulus.kafka.bootstrap-servers", TestServers.kafka().bootstrapServers()));
        return application.run();
    }

    @AfterAll
    static void stopNotifier() {
        if (app != null) {
            app.close();
        }
        if (producer != null) {
            producer.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void everyDeviceOfEveryMemberAccountIsToldTheNamespaceChanged() throws Exception {
        // given alice with a laptop and a phone, bob with a laptop, both members of a shared namespace
        Account alice = ingest.anAccount();
        Account bob = ingest.anAccount();
        UUID shared = ingest.aSharedNamespace(alice, bob);
        try (PushListener laptop = PushListener.connect(port, ingest.aDevice(alice).token());
                PushListener phone = PushListener.connect(port, ingest.aDevice(alice).token());
                PushListener bobs = PushListener.connect(port, ingest.aDevice(bob).token())) {

            // when alice's home namespace changes
            produce(event(alice.home(), 4));

            // then both of alice's devices hear of it
            for (PushListener device : List.of(laptop, phone)) {
                assertNamespaceChanged(await().atMost(PUSHED).until(device::poll, Objects::nonNull), alice.home(), 4);
            }

            // and when the shared namespace changes, all three hear of it, and it is the first bob hears of
            produce(event(shared, 9));
            for (PushListener device : List.of(laptop, phone, bobs)) {
                assertNamespaceChanged(await().atMost(PUSHED).until(device::poll, Objects::nonNull), shared, 9);
            }
        }
    }

    @Test
    void aDeviceOfAnotherAccountGetsNoPush() throws Exception {
        // given alice's laptop and bob's laptop, who share nothing
        Account alice = ingest.anAccount();
        Account bob = ingest.anAccount();
        Device alicesLaptop = ingest.aDevice(alice);
        try (PushListener laptop = PushListener.connect(port, alicesLaptop.token());
                PushListener bobs = PushListener.connect(port, ingest.aDevice(bob).token())) {

            // when alice's namespace changes and her laptop's batch gets a verdict, both pushed to her laptop
            produce(event(alice.home(), 1));
            produce(outcome(alice.home(), alicesLaptop.id()));
            List<JsonNode> laptopGot = new ArrayList<>();
            await().atMost(PUSHED).until(() -> {
                laptop.drainTo(laptopGot);
                return laptopGot.size() == 2;
            });

            // and then bob's own namespace changes
            produce(event(bob.home(), 2));

            // then the first and only thing bob hears of is his own namespace
            assertNamespaceChanged(await().atMost(PUSHED).until(bobs::poll, Objects::nonNull), bob.home(), 2);
            assertThat(bobs.poll()).isNull();
        }
    }

    @Test
    void theDeviceThatSubmittedABatchReceivesItsOutcomesAndItsOtherDevicesDoNot() throws Exception {
        // given alice's laptop, which submitted a batch, and her phone
        Account alice = ingest.anAccount();
        Device laptopDevice = ingest.aDevice(alice);
        try (PushListener laptop = PushListener.connect(port, laptopDevice.token());
                PushListener phone = PushListener.connect(port, ingest.aDevice(alice).token())) {

            // when the verdict on the laptop's change arrives
            produce(outcome(alice.home(), laptopDevice.id()));

            // then the laptop gets the outcome with every field
            JsonNode outcome = await().atMost(PUSHED).until(laptop::poll, Objects::nonNull);
            assertThat(outcome.get("type").asString()).isEqualTo("outcome");
            assertThat(outcome.get("batchId").asString()).isEqualTo("batch-" + laptopDevice.id());
            assertThat(outcome.get("changeIndex").asInt()).isEqualTo(0);
            assertThat(outcome.get("namespace").asString()).isEqualTo(alice.home().toString());
            assertThat(outcome.get("fileId").asString()).isEqualTo("f1");
            assertThat(outcome.get("path").asString()).isEqualTo("docs/a.txt");
            assertThat(outcome.get("kind").asString()).isEqualTo("CONFLICT");
            assertThat(outcome.get("seq").asLong()).isEqualTo(5);
            assertThat(outcome.get("conflictPath").asString()).isEqualTo("docs/a (Laptop's conflicted copy 2025-10-09).txt");

            // and when the namespace's event follows, the phone hears only that the namespace changed
            produce(event(alice.home(), 5));
            assertNamespaceChanged(await().atMost(PUSHED).until(phone::poll, Objects::nonNull), alice.home(), 5);
            assertThat(phone.poll()).isNull();
        }
    }

    @Test
    void anUnknownARevokedOrAMissingTokenGetsNoConnection() {
        // given a revoked device
        Device revoked = ingest.aRevokedDevice(ingest.anAccount());

        // when / then each handshake is refused with 401
        for (String token : List.of("not-a-token", revoked.token(), "")) {
            assertThatThrownBy(() -> PushListener.connect(port, token))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOfSatisfying(WebSocketHandshakeException.class,
                            e -> assertThat(e.getResponse().statusCode()).isEqualTo(401));
        }
    }

    @Test
    void aRevokedDevicesOpenSocketsAreClosedOnEveryInstance() throws Exception {
        // given a second notifier instance, alice's laptop connected to both, and her phone to the second
        Account alice = ingest.anAccount();
        Device laptop = ingest.aDevice(alice);
        try (ConfigurableApplicationContext second = startInstance()) {
            int secondPort = ((WebServerApplicationContext) second).getWebServer().getPort();
            try (PushListener laptopOnFirst = PushListener.connect(port, laptop.token());
                    PushListener laptopOnSecond = PushListener.connect(secondPort, laptop.token());
                    PushListener phoneOnSecond = PushListener.connect(secondPort, ingest.aDevice(alice).token())) {

                // when the laptop is revoked
                ingest.revoke(laptop);

                // then both its sockets are closed promptly, as a policy violation
                await().atMost(Duration.ofSeconds(10)).until(() -> laptopOnFirst.closeCode() != null
                        && laptopOnSecond.closeCode() != null);
                assertThat(laptopOnFirst.closeCode()).isEqualTo(1008);
                assertThat(laptopOnSecond.closeCode()).isEqualTo(1008);

                // and the phone's stays open and is still answered
                phoneOnSecond.send("{\"type\":\"ping\"}");
                JsonNode pong = await().atMost(PUSHED).until(phoneOnSecond::poll, Objects::nonNull);
                assertThat(pong.get("type").asString()).isEqualTo("pong");
                assertThat(phoneOnSecond.closeCode()).isNull();
            }
        }
    }

    @Test
    void aRemovedMemberStopsHearingOfTheShareAndANewOneStartsWhileConnected() throws Exception {
        // given bob in alice's share and carol not yet, both connected
        Account alice = ingest.anAccount();
        Account bob = ingest.anAccount();
        Account carol = ingest.anAccount();
        UUID shared = ingest.aSharedNamespace(alice, bob);
        try (PushListener bobs = PushListener.connect(port, ingest.aDevice(bob).token());
                PushListener carols = PushListener.connect(port, ingest.aDevice(carol).token())) {

            // when bob is removed and carol joins, and the share changes until carol hears of it
            ingest.removeMember(shared, bob);
            ingest.addMember(shared, carol);
            long[] seq = {0};
            await().atMost(PUSHED).pollInterval(Duration.ofMillis(500)).until(() -> {
                produce(event(shared, ++seq[0]));
                List<JsonNode> got = new ArrayList<>();
                carols.drainTo(got);
                return got.stream().anyMatch(push -> push.get("namespace").asString().equals(shared.toString()));
            });

            // then carol heard of it without reconnecting, and bob hears nothing of the share's next change
            produce(event(shared, 1000));
            await().atMost(PUSHED).until(() -> {
                JsonNode next = carols.poll();
                return next != null && next.get("seq").asLong() == 1000;
            });
            List<JsonNode> bobGot = new ArrayList<>();
            bobs.drainTo(bobGot);
            assertThat(bobGot).noneMatch(push -> push.get("seq").asLong() == 1000);
        }
    }

    @Test
    void aPingIsAnsweredWithAPong() throws Exception {
        // given a connected device
        try (PushListener laptop = PushListener.connect(port, ingest.aDevice(ingest.anAccount()).token())) {

            // when it pings
            laptop.send("{\"type\":\"ping\"}");

            // then it gets a pong
            JsonNode pong = await().atMost(PUSHED).until(laptop::poll, Objects::nonNull);
            assertThat(pong.get("type").asString()).isEqualTo("pong");
        }
    }

    private static void assertNamespaceChanged(JsonNode push, UUID namespace, long seq) {
        assertThat(push.get("type").asString()).isEqualTo("namespace-changed");
        assertThat(push.get("namespace").asString()).isEqualTo(namespace.toString());
        assertThat(push.get("seq").asLong()).isEqualTo(seq);
    }

    private static void produce(FileEvent e) throws Exception {
        producer.send(new ProducerRecord<>(Topics.FILE_EVENTS, e.getNamespaceId(), AvroSerde.fileEvents().encode(e)))
                .get();
    }

    private static void produce(ChangeOutcome o) throws Exception {
        producer.send(new ProducerRecord<>(Topics.OUTCOMES, o.getNamespaceId(), AvroSerde.outcomes().encode(o))).get();
    }

    private static FileEvent event(UUID namespace, long seq) {
        return FileEvent.newBuilder().setNamespaceId(namespace.toString()).setSeq(seq).setFileId("f" + seq)
                .setPath("docs/f" + seq + ".txt").setOp(FileOp.UPSERT).setVector(List.of()).setChunks(List.of())
                .setSize(0L).setDeviceId(UUID.randomUUID().toString()).setBatchId("b" + seq).setChangeIndex(0)
                .setAt(1_760_000_000_000L).build();
    }

    private static ChangeOutcome outcome(UUID namespace, UUID device) {
        return ChangeOutcome.newBuilder().setBatchId("batch-" + device).setChangeIndex(0)
                .setNamespaceId(namespace.toString()).setDeviceId(device.toString()).setFileId("f1")
                .setPath("docs/a.txt").setKind(OutcomeKind.CONFLICT).setSeq(5L).setConflictFileId("f2")
                .setConflictPath("docs/a (Laptop's conflicted copy 2025-10-09).txt").setCurrentVector(List.of())
                .setDecidedAt(1_760_000_000_000L).build();
    }
}
