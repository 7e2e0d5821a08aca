package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.ChangeBatchSubmitted;
import io.cumulus.schemas.Topics;
import io.cumulus.standalone.CumulusClient.Device;
import io.cumulus.standalone.CumulusClient.Response;

/**
 * Every kind of bad input gets a 4xx with a problem body and leaves no trace: no batch row, no
 * outbox row, and no record on the changes topic. A good batch sent afterwards proves the relay
 * was running all along.
 */
class BadInputChangesNothingIT {
    private final CumulusClient client = RunningCumulus.client();

    @Test
    void badInputsAreRejectedAndNothingReachesTheDatabaseOrTheTopic() throws Exception {
        // given a device, a stranger's namespace, and a revoked device of the same account
        String user = "carol" + UUID.randomUUID().toString().substring(0, 8);
        Device laptop = client.newAccountWithDevice(RunningCumulus.adminToken(), user, "Laptop");
        Device stranger = client.newAccountWithDevice(RunningCumulus.adminToken(), "x" + user, "Other");
        Device old = client.registerDevice(user, "Old phone");
        assertThat(client.send("DELETE", "/v1/devices/" + old.id(), laptop.token(), null, Map.of()).status()).isEqualTo(204);
        byte[] content = "real content\n".getBytes(StandardCharsets.UTF_8);
        String chunk = client.upload(laptop, content);
        String unknownChunk = "0".repeat(64);
        Map<String, Integer> v1 = Map.of(laptop.id(), 1);

        // when each bad request is sent
        List<Response> rejected = new ArrayList<>();
        rejected.add(client.send("POST", "/v1/changes", laptop.token(), "{\"namespaceId\": [", Map.of("Idempotency-Key", "malformed")));
        rejected.add(client.submit(laptop, "unknown-chunk", CumulusClient.oneFileBatch(laptop.namespace(), "f1", "a.txt", v1, unknownChunk, 10)));
        rejected.add(client.submit(laptop, "dotdot", CumulusClient.oneFileBatch(laptop.namespace(), "f2", "../etc/passwd", v1, chunk, content.length)));
        rejected.add(client.send("POST", "/v1/changes", laptop.token(),
                "{\"namespaceId\":\"" + laptop.namespace() + "\",\"pad\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}",
                Map.of("Idempotency-Key", "oversize")));
        rejected.add(client.send("POST", "/v1/changes", "not-a-token",
                CumulusClient.oneFileBatch(laptop.namespace(), "f3", "b.txt", v1, chunk, content.length), Map.of("Idempotency-Key", "bad-token")));
        rejected.add(client.send("POST", "/v1/changes", old.token(),
                CumulusClient.oneFileBatch(laptop.namespace(), "f4", "c.txt", v1, chunk, content.length), Map.of("Idempotency-Key", "revoked")));
        rejected.add(client.submit(laptop, "foreign", CumulusClient.oneFileBatch(stranger.namespace(), "f5", "d.txt", v1, chunk, content.length)));
        rejected.add(client.send("PUT", "/v1/chunks/" + "ab".repeat(32), laptop.token(), "does not hash to that", Map.of()));

        // then each is a 4xx problem
        assertThat(rejected).extracting(Response::status).containsExactly(400, 400, 400, 413, 401, 401, 404, 400);
        assertThat(rejected).allSatisfy(r -> assertThat(r.contentType()).startsWith("application/problem+json"));

        // and nothing was written: a good batch afterwards is the only trace of this account
        Response good = client.submit(laptop, "good", CumulusClient.oneFileBatch(laptop.namespace(), "f6", "e.txt", v1, chunk, content.length));
        assertThat(good.status()).isEqualTo(202);
        String goodBatch = good.json().get("batchId").asString();
        assertThat(rowsOf("select count(*) from ingest.batches where account_id = ?::uuid", laptop.accountId())).isEqualTo(1);
        assertThat(rowsOf("select count(*) from ingest.outbox o join ingest.batches b on b.id = o.batch_id where b.account_id = ?::uuid",
                laptop.accountId())).isEqualTo(1);
        assertThat(rowsOf("select count(*) from ingest.chunks where id = ?", "ab".repeat(32))).isZero();
        List<ChangeBatchSubmitted> relayed = awaitRelayed(laptop.namespace(), goodBatch);
        assertThat(relayed).extracting(ChangeBatchSubmitted::getBatchId).containsOnly(goodBatch);
    }

    private long rowsOf(String sql, String param) throws Exception {
        try (Connection c = RunningCumulus.get().postgres().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Reads the changes topic from the start until the good batch shows up; returns every record of the namespace. */
    private List<ChangeBatchSubmitted> awaitRelayed(String namespace, String goodBatch) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, RunningCumulus.get().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bad-input-it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ChangeBatchSubmitted> ofNamespace = new ArrayList<>();
        AvroSerde<ChangeBatchSubmitted> serde = AvroSerde.changeBatches();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.CHANGES));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (namespace.equals(r.key())) {
                        ofNamespace.add(serde.decode(r.value()));
                    }
                }
                return ofNamespace.stream().anyMatch(b -> b.getBatchId().equals(goodBatch));
            });
        }
        return ofNamespace;
    }
}
