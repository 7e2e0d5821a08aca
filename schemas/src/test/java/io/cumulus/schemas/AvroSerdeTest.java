package io.cumulus.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.message.BinaryMessageEncoder;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.cumulus.schemas.registry.ConfluentRegistryClient;

class AvroSerdeTest {
    private static final int KNOWN_ID = 7;
    private static final int UNKNOWN_ID = 9;

    private static FileEvent anEvent() {
        return FileEvent.newBuilder()
                .setNamespaceId("ns").setSeq(7).setFileId("f").setPath("a/b.txt").setOp(FileOp.UPSERT)
                .setVector(List.of(new VersionEntry("d1", 2L)))
                .setChunks(List.of(new ChunkRef("ab".repeat(32), 10L)))
                .setSize(10).setDeviceId("d1").setBatchId("b").setChangeIndex(0).setAt(1000L)
                .build();
    }

    @Test
    void anAlbumEventSurvivesARoundTrip() {
        AlbumEvent added = AlbumEvent.newBuilder()
                .setEventId("e1").setNamespaceId("ns").setAccountId("a").setDeviceId("d").setAlbumId("album")
                .setKind(AlbumEventKind.PHOTOS_ADDED).setFileIds(List.of("f1", "f2")).setBeforeFileId("f0").setAt(1000L)
                .build();
        AvroSerde<AlbumEvent> serde = AvroSerde.albumEvents();

        assertThat(serde.decode(serde.encode(added))).isEqualTo(added);
    }

    @Test
    void aRecordSurvivesARoundTrip() {
        AvroSerde<FileEvent> serde = AvroSerde.fileEvents();

        assertThat(serde.decode(serde.encode(anEvent()))).isEqualTo(anEvent());
    }

    @Test
    void aFileEventOfTheFirstReleaseDecodesAsNotWaitingForAMerge() throws Exception {
        // given an event written by release v1, whose schema has no mergePending
        Schema v1 = ReleasedSchemas.of(FileEvent.getClassSchema().getFullName()).getFirst();
        assertThat(v1.getField("mergePending")).isNull();
        ByteBuffer written = new BinaryMessageEncoder<FileEvent>(GenericData.get(), v1).encode(anEvent());
        byte[] bytes = new byte[written.remaining()];
        written.get(bytes);

        // when today's reader decodes it
        FileEvent read = AvroSerde.fileEvents().decode(bytes);

        // then it is the same event, not waiting for a merge
        assertThat(read).isEqualTo(anEvent());
        assertThat(read.getMergePending()).isFalse();
    }

    @Test
    void theSameRecordAlwaysEncodesToTheSameBytes() {
        AvroSerde<FileEvent> serde = AvroSerde.fileEvents();

        assertThat(serde.encode(anEvent())).isEqualTo(AvroSerde.fileEvents().encode(anEvent()));
    }

    @Test
    void aRegistryAnsweringServerErrorsIsAskedAgainAndAnUnknownIdFailsAtOnce() throws Exception {
        AtomicInteger unavailable = new AtomicInteger(2);
        Map<Integer, AtomicInteger> asked = new ConcurrentHashMap<>();
        HttpServer registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        registry.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                if (exchange.getRequestMethod().equals("POST")) {
                    reply(exchange, 200, "{\"id\":" + KNOWN_ID + "}");
                    return;
                }
                int id = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
                asked.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                if (id != KNOWN_ID) {
                    reply(exchange, 404, "{\"error_code\":40403,\"message\":\"Schema not found\"}");
                } else if (unavailable.getAndDecrement() > 0) {
                    reply(exchange, 503, "{\"message\":\"starting\"}");
                } else {
                    reply(exchange, 200, new ObjectMapper().createObjectNode()
                            .put("schema", FileEvent.getClassSchema().toString()).toString());
                }
            }
        });
        registry.start();
        try {
            URI base = URI.create("http://127.0.0.1:" + registry.getAddress().getPort());
            byte[] written = AvroSerde.fileEvents().withRegistry(new ConfluentRegistryClient(base)).encode(anEvent());
            assertThat(written[0]).isZero();
            assertThat(ByteBuffer.wrap(written, 1, 4).getInt()).isEqualTo(KNOWN_ID);

            // a reader with nothing cached asks through two 503s and decodes
            AvroSerde<FileEvent> reader = AvroSerde.fileEvents().withRegistry(new ConfluentRegistryClient(base))
                    .withRegistryPatience(Duration.ofSeconds(20));
            assertThat(reader.decode(written)).isEqualTo(anEvent());
            assertThat(asked.get(KNOWN_ID).get()).isEqualTo(3);

            // an id the registry does not know is a bad record at once, asked once
            byte[] unknown = written.clone();
            ByteBuffer.wrap(unknown, 1, 4).putInt(UNKNOWN_ID);
            long start = System.nanoTime();
            assertThatThrownBy(() -> reader.decode(unknown))
                    .isInstanceOfSatisfying(ConfluentRegistryClient.SchemaRegistryException.class, e -> {
                        assertThat(e.status()).isEqualTo(404);
                        assertThat(e.retryable()).isFalse();
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(asked.get(UNKNOWN_ID).get()).isEqualTo(1);
        } finally {
            registry.stop(0);
        }
    }

    @Test
    void anUnreachableRegistryIsAskedAgainForItsPatienceThenTheDecodeFails() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        AvroSerde<FileEvent> reader = AvroSerde.fileEvents()
                .withRegistry(new ConfluentRegistryClient(URI.create("http://127.0.0.1:" + port)))
                .withRegistryPatience(Duration.ofMillis(1200));
        byte[] record = ByteBuffer.allocate(6).put((byte) 0).putInt(KNOWN_ID).put((byte) 0).array();

        long start = System.nanoTime();
        assertThatThrownBy(() -> reader.decode(record))
                .isInstanceOfSatisfying(ConfluentRegistryClient.SchemaRegistryException.class,
                        e -> assertThat(e.retryable()).isTrue());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1200));
    }

    private static void reply(HttpExchange exchange, int status, String body) throws java.io.IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
