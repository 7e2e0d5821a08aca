package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.cumulus.standalone.CumulusClient.Device;
import io.cumulus.standalone.CumulusClient.Response;
import tools.jackson.databind.JsonNode;

/**
 * Two accounts' devices edit one shared folder through every real service: their batches are
 * reconciled in one partition, so both read the same feed in the same order, each sees the other's
 * files and can download their chunks, and a concurrent edit of one file keeps both versions.
 */
class ASharedFolderOrdersEveryonesEditsIT {
    private final CumulusClient client = RunningCumulus.client();

    private static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void twoAccountsEditingOneShareReadOneFeedInOneOrder() throws Exception {
        // given alice's share, which bob has accepted as an editor
        String aliceName = unique("alice");
        String bobName = unique("bob");
        Device alice = client.newAccountWithDevice(RunningCumulus.adminToken(), aliceName, "Laptop");
        Device bob = client.newAccountWithDevice(RunningCumulus.adminToken(), bobName, "Desktop");
        Response created = client.send("POST", "/v1/shares", alice.token(), Map.of("name", "Family", "mountPath", "Family"), Map.of());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String share = created.json().get("shareId").asString();
        assertThat(client.send("POST", "/v1/shares/" + share + "/invitations", alice.token(),
                Map.of("username", bobName, "role", "editor"), Map.of()).status()).isEqualTo(201);
        assertThat(client.send("POST", "/v1/shares/" + share + "/accept", bob.token(),
                Map.of("mountPath", "Shared/Family"), Map.of()).status()).isEqualTo(200);

        // when both submit files at the same time
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Callable<List<String>>> writers = List.of(() -> writeFiles(alice, share, "alice"), () -> writeFiles(bob, share, "bob"));
        List<String> batches = new ArrayList<>();
        for (Future<List<String>> f : pool.invokeAll(writers)) {
            batches.addAll(f.get());
        }
        pool.shutdown();
        batches.forEach(b -> EditFlowsThroughThePipelineIT.awaitDone(client, b.startsWith("a:") ? alice : bob, b.substring(2)));

        // then both read the same six events, in one order with one sequence
        JsonNode aliceFeed = client.get(alice, "/v1/namespaces/" + share + "/changes?after=0").json().get("changes");
        JsonNode bobFeed = client.get(bob, "/v1/namespaces/" + share + "/changes?after=0").json().get("changes");
        assertThat(aliceFeed).hasSize(6);
        assertThat(order(bobFeed)).isEqualTo(order(aliceFeed));
        assertThat(aliceFeed).extracting(c -> c.get("seq").asLong()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(aliceFeed).extracting(c -> c.get("path").asString())
                .contains("alice-0.txt", "alice-1.txt", "alice-2.txt", "bob-0.txt", "bob-1.txt", "bob-2.txt");
        // and each can download the other's content
        JsonNode bobsFile = client.get(alice, "/v1/namespaces/" + share + "/files?prefix=bob-0").json().get("files").get(0);
        CumulusClient.Download download = client.download(alice, bobsFile.get("chunks").get(0).get("id").asString());
        assertThat(download.status()).isEqualTo(200);
        assertThat(new String(download.body(), StandardCharsets.UTF_8)).isEqualTo("bob's file 0\n");

        // and when both edit alice's first file concurrently, from the version both have seen
        String fileId = fileAt(aliceFeed, "alice-0.txt").get("fileId").asString();
        byte[] aliceEdit = "alice's edit\n".getBytes(StandardCharsets.UTF_8);
        byte[] bobEdit = "bob's edit\n".getBytes(StandardCharsets.UTF_8);
        Response aliceSent = client.submit(alice, "edit-" + aliceName, CumulusClient.oneFileBatch(share, fileId, "alice-0.txt",
                Map.of(alice.id(), 2), client.upload(alice, aliceEdit), aliceEdit.length));
        Response bobSent = client.submit(bob, "edit-" + bobName, CumulusClient.oneFileBatch(share, fileId, "alice-0.txt",
                Map.of(alice.id(), 1, bob.id(), 1), client.upload(bob, bobEdit), bobEdit.length));
        assertThat(aliceSent.status()).as(aliceSent.body()).isEqualTo(202);
        assertThat(bobSent.status()).as(bobSent.body()).isEqualTo(202);
        JsonNode aliceOutcome = EditFlowsThroughThePipelineIT.awaitDone(client, alice, aliceSent.json().get("batchId").asString())
                .get("changes").get(0);
        JsonNode bobOutcome = EditFlowsThroughThePipelineIT.awaitDone(client, bob, bobSent.json().get("batchId").asString())
                .get("changes").get(0);

        // then one is applied and the other kept as a conflicted copy, and both still read one feed
        assertThat(List.of(aliceOutcome.get("kind").asString(), bobOutcome.get("kind").asString()))
                .containsExactlyInAnyOrder("APPLIED", "CONFLICT");
        // (read until two reads agree: the merge worker may still be adding a merged version of the text)
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode aliceAfter = client.get(alice, "/v1/namespaces/" + share + "/changes?after=0").json().get("changes");
            JsonNode bobAfter = client.get(bob, "/v1/namespaces/" + share + "/changes?after=0").json().get("changes");
            assertThat(order(bobAfter)).isEqualTo(order(aliceAfter));
            assertThat(aliceAfter.size()).isGreaterThan(6);
        });
    }

    /** Three one-file batches of new files; the batch ids, each prefixed with who sent it. */
    private List<String> writeFiles(Device device, String share, String who) {
        List<String> batches = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] content = (who + "'s file " + i + "\n").getBytes(StandardCharsets.UTF_8);
            String chunk = client.upload(device, content);
            Response sent = client.submit(device, who + "-" + i + "-" + UUID.randomUUID(), CumulusClient.oneFileBatch(share,
                    who + "-file-" + i + "-" + UUID.randomUUID(), who + "-" + i + ".txt", Map.of(device.id(), i + 1), chunk,
                    content.length));
            assertThat(sent.status()).as(sent.body()).isEqualTo(202);
            batches.add(who.charAt(0) + ":" + sent.json().get("batchId").asString());
        }
        return batches;
    }

    private static JsonNode fileAt(JsonNode feed, String path) {
        for (JsonNode c : feed) {
            if (c.get("path").asString().equals(path)) {
                return c;
            }
        }
        throw new AssertionError("no event of " + path);
    }

    /** The feed as (seq, file, batch) triples: what two readers must agree on. */
    private static List<String> order(JsonNode feed) {
        List<String> order = new ArrayList<>();
        feed.forEach(c -> order.add(c.get("seq").asLong() + " " + c.get("fileId").asString() + " " + c.get("batchId").asString()));
        return order;
    }
}
