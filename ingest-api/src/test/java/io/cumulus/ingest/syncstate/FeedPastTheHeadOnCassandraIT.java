package io.cumulus.ingest.syncstate;

import static io.cumulus.ingest.syncstate.ProjectedFeed.anEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.embedded.testing.CassandraNode;
import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Device;
import io.cumulus.ingest.RunningIngestApi;
import tools.jackson.databind.JsonNode;

/**
 * The device feed served from Cassandra, asked for the changes after a seq past the namespace's
 * head: it answers the head as the next cursor and records no cursor beyond it, as on PostgreSQL.
 */
class FeedPastTheHeadOnCassandraIT {
    private static RunningIngestApi api;
    private static ApiClient client;
    private static ProjectedFeed projected;

    @BeforeAll
    static void start() {
        CassandraNode.unavailableReason().filter(reason -> !"true".equals(System.getenv("CI")))
                .ifPresent(reason -> Assumptions.abort("no Cassandra node: " + reason));
        CassandraNode node = CassandraNode.shared();
        String keyspace = "past_head_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        api = RunningIngestApi.start(Map.of(
                "cumulus.sync-state.store", "cassandra",
                "cumulus.cassandra.contact-points", node.contactPoint().getHostString() + ":" + node.contactPoint().getPort(),
                "cumulus.cassandra.datacenter", CassandraNode.DATACENTER,
                "cumulus.cassandra.keyspace", keyspace));
        client = api.client();
        projected = new ProjectedFeed(node, CassandraSettings.FEED_BUCKET_SIZE, api.postgres(), keyspace).startProjector();
    }

    @AfterAll
    static void stop() {
        if (projected != null) {
            projected.close();
        }
        if (api != null) {
            api.close();
        }
    }

    @Test
    void readingPastTheHeadAnswersTheHeadAndRecordsNoCursorBeyondIt() {
        // given a namespace whose head is 2 in Cassandra
        Device laptop = client.newAccountWithDevice("past-head", "Laptop");
        UUID namespace = UUID.fromString(laptop.namespace());
        String feed = "/v1/namespaces/" + namespace + "/changes";
        projected.produce(anEvent(namespace, 1, "f1").build(), anEvent(namespace, 2, "f2").build());
        await().atMost(Duration.ofSeconds(60)).until(() -> client.get(laptop, feed + "?after=0").json().get("changes").size() == 2);

        // when the laptop asks for the changes after 7
        JsonNode past = client.get(laptop, feed + "?after=7").json();

        // then it gets none and the head as its next cursor, and its recorded cursor is the head
        assertThat(past.get("changes")).isEmpty();
        assertThat(past.get("lastSeq").asLong()).isEqualTo(2);
        JsonNode cursors = client.get(laptop, "/v1/namespaces/" + namespace + "/devices/cursors").json();
        assertThat(cursors.get("lastSeq").asLong()).isEqualTo(2);
        assertThat(cursors.get("devices")).singleElement().satisfies(d -> assertThat(d.get("seq").asLong()).isEqualTo(2));

        // and once the namespace moves on to 3, the next call from that cursor brings the change and moves the cursor
        projected.produce(anEvent(namespace, 3, "f3").build());
        await().atMost(Duration.ofSeconds(60)).until(() -> client.get(laptop, "/v1/namespaces/" + namespace
                + "/devices/cursors").json().get("lastSeq").asLong() == 3);
        JsonNode next = client.get(laptop, feed + "?after=" + past.get("lastSeq").asLong()).json();
        assertThat(next.get("changes")).extracting(c -> c.get("seq").asLong()).containsExactly(3L);
        client.get(laptop, feed + "?after=3");
        JsonNode moved = client.get(laptop, "/v1/namespaces/" + namespace + "/devices/cursors").json();
        assertThat(moved.get("devices")).singleElement().satisfies(d -> assertThat(d.get("seq").asLong()).isEqualTo(3));
    }
}
