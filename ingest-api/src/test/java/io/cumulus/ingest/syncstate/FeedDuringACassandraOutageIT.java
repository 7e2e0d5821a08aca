package io.cumulus.ingest.syncstate;

import static io.cumulus.ingest.syncstate.ProjectedFeed.anEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.testing.CassandraNode;
import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Device;
import io.cumulus.ingest.ApiClient.Response;
import io.cumulus.ingest.RunningIngestApi;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * The device feed served from Cassandra while the node hangs (SIGSTOP) in the middle of a stream of
 * reads: the API answers 503 with {@code Retry-After}, at once once the breaker is open instead of
 * after the request timeout; when the node resumes, the breaker closes by itself, and the feed is
 * complete, including what was projected meanwhile.
 */
class FeedDuringACassandraOutageIT {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);
    private static CassandraNode node;
    private static RunningIngestApi api;
    private static ApiClient client;
    private static ProjectedFeed projected;

    @BeforeAll
    static void start() {
        CassandraNode.unavailableReason().filter(reason -> !"true".equals(System.getenv("CI")))
                .ifPresent(reason -> Assumptions.abort("no Cassandra node: " + reason));
        node = CassandraNode.shared();
        String keyspace = "outage_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        api = RunningIngestApi.start(Map.of(
                "cumulus.sync-state.store", "cassandra",
                "cumulus.cassandra.contact-points", node.contactPoint().getHostString() + ":" + node.contactPoint().getPort(),
                "cumulus.cassandra.datacenter", CassandraNode.DATACENTER,
                "cumulus.cassandra.keyspace", keyspace,
                "cumulus.cassandra.request-timeout", REQUEST_TIMEOUT.toMillis() + "ms",
                "cumulus.breakers.open-seconds", 1));
        client = api.client();
        projected = new ProjectedFeed(node, CassandraSettings.FEED_BUCKET_SIZE, api.postgres(), keyspace).startProjector();
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            CassandraNode.shared(); // resumed, should an assertion have failed while it was paused
        }
        if (projected != null) {
            projected.close();
        }
        if (api != null) {
            api.close();
        }
    }

    private static Response changes(Device device) {
        return client.get(device, "/v1/namespaces/" + device.namespace() + "/changes?after=0&limit=1000");
    }

    private static CircuitBreaker.State readBreaker() {
        return ((CassandraSyncState) api.context().getBean(SyncState.class)).state("read");
    }

    @Test
    void whileTheNodeHangsReadsGet503FastAndOnceItIsBackTheFeedIsComplete() {
        // given a device whose namespace has 30 events in Cassandra
        Device laptop = client.newAccountWithDevice("outage", "Laptop");
        UUID namespace = UUID.fromString(laptop.namespace());
        for (long seq = 1; seq <= 30; seq++) {
            projected.produce(anEvent(namespace, seq, "f" + seq).build());
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> changes(laptop).json().get("changes").size() == 30);

        // when the node hangs in the middle of a stream of feed reads, while 5 more events arrive
        node.pause();
        List<Response> answers = new ArrayList<>();
        List<Long> millis = new ArrayList<>();
        try {
            projected.produce(java.util.stream.LongStream.rangeClosed(31, 35)
                    .mapToObj(seq -> anEvent(namespace, seq, "f" + seq).build())
                    .toArray(io.cumulus.schemas.FileEvent[]::new));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && (answers.size() < 12 || readBreaker() != CircuitBreaker.State.OPEN)) {
                long t0 = System.nanoTime();
                answers.add(changes(laptop));
                millis.add((System.nanoTime() - t0) / 1_000_000);
            }
            // then every read is refused with 503 and Retry-After, never left hanging
            assertThat(answers).allSatisfy(r -> {
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.header("Retry-After")).contains("1");
                assertThat(r.problem()).isEqualTo("store-unavailable");
            });
            assertThat(millis).allSatisfy(ms -> assertThat(ms).isLessThan(REQUEST_TIMEOUT.toMillis() + 2_000));
            // and once the breaker has opened, at once: far below the request timeout
            assertThat(readBreaker()).isEqualTo(CircuitBreaker.State.OPEN);
            long t0 = System.nanoTime();
            Response fast = changes(laptop);
            long fastMillis = (System.nanoTime() - t0) / 1_000_000;
            if (readBreaker() == CircuitBreaker.State.OPEN) {
                assertThat(fast.status()).isEqualTo(503);
                assertThat(fastMillis).isLessThan(REQUEST_TIMEOUT.toMillis() / 2);
            }
            assertThat(millis.subList(millis.size() - 3, millis.size()))
                    .anySatisfy(ms -> assertThat(ms).isLessThan(REQUEST_TIMEOUT.toMillis() / 2));
        } finally {
            node.resume();
        }

        // then the breaker closes by itself and the feed is complete, with what was projected meanwhile
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Response r = changes(laptop);
            return r.status() == 200 && r.json().get("changes").size() == 35 && readBreaker() == CircuitBreaker.State.CLOSED;
        });
        Response all = changes(laptop);
        List<Long> seqs = new ArrayList<>();
        all.json().get("changes").forEach(c -> seqs.add(c.get("seq").asLong()));
        assertThat(seqs).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 35).boxed().toList());
        assertThat(all.json().get("lastSeq").asLong()).isEqualTo(35);
        // and the device's cursor was recorded in Cassandra
        Response cursors = client.get(laptop, "/v1/namespaces/" + laptop.namespace() + "/devices/cursors");
        assertThat(cursors.status()).isEqualTo(200);
        assertThat(cursors.json().get("lastSeq").asLong()).isEqualTo(35);
        assertThat(cursors.json().get("devices").get(0).get("deviceId").asString()).isEqualTo(laptop.id());
    }
}
