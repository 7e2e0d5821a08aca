package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Test;

import io.cumulus.standalone.CumulusClient.Device;
import io.cumulus.standalone.CumulusClient.Response;
import tools.jackson.databind.JsonNode;

/**
 * Two devices edit the same text file concurrently, through the HTTP API and every real service: the
 * conflicted copy the reconciler keeps is marked {@code mergePending} wherever a device reads it, so
 * no device materializes it; the merge worker then either deletes it (a clean merge) or releases it
 * as an ordinary copy (the edits overlap).
 */
class AConflictedCopyWaitsForItsMergeIT {
    private static final Duration SETTLED = Duration.ofSeconds(60);
    private static final String NOTES = "# Notes\nline one\nline two\nline three\nline four\n";

    private final CumulusClient client = RunningCumulus.client();

    /** An account whose laptop and phone both had notes.txt, then edited it concurrently. */
    private record ConcurrentEdits(Device laptop, Device phone, String fileId, String copyId) {
        String namespace() {
            return laptop.namespace();
        }
    }

    private ConcurrentEdits concurrentEdits(String laptopEdit, String phoneEdit) {
        String user = "merge" + UUID.randomUUID().toString().substring(0, 8);
        Device laptop = client.newAccountWithDevice(RunningCumulus.adminToken(), user, "Laptop");
        Device phone = client.registerDevice(user, "Phone");
        String fileId = "notes-" + user;
        submitAndAwait(laptop, fileId, Map.of(laptop.id(), 1), NOTES);
        submitAndAwait(laptop, fileId, Map.of(laptop.id(), 2), laptopEdit);
        JsonNode outcome = submitAndAwait(phone, fileId, Map.of(laptop.id(), 1, phone.id(), 1), phoneEdit);
        assertThat(outcome.get("kind").asString()).isEqualTo("CONFLICT");
        return new ConcurrentEdits(laptop, phone, fileId, outcome.get("conflictFileId").asString());
    }

    private JsonNode submitAndAwait(Device device, String fileId, Map<String, Integer> vector, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        String chunk = client.upload(device, bytes);
        Response accepted = client.submit(device, "k-" + UUID.randomUUID(),
                CumulusClient.oneFileBatch(device.namespace(), fileId, "notes.txt", vector, chunk, bytes.length));
        assertThat(accepted.status()).isEqualTo(202);
        JsonNode batch = EditFlowsThroughThePipelineIT.awaitDone(client, device, accepted.json().get("batchId").asString());
        return batch.get("changes").get(0);
    }

    private List<JsonNode> feedEventsOf(ConcurrentEdits edits, String fileId) {
        JsonNode feed = client.get(edits.phone(), "/v1/namespaces/" + edits.namespace() + "/changes?after=0").json();
        return StreamSupport.stream(feed.get("changes").spliterator(), false)
                .filter(e -> e.get("fileId").asString().equals(fileId)).toList();
    }

    private JsonNode file(ConcurrentEdits edits, String fileId) {
        return client.get(edits.phone(), "/v1/files/" + fileId).json();
    }

    private List<JsonNode> listed(ConcurrentEdits edits) {
        JsonNode files = client.get(edits.phone(), "/v1/namespaces/" + edits.namespace() + "/files").json();
        return StreamSupport.stream(files.get("files").spliterator(), false).toList();
    }

    @Test
    void aCleanMergeIsNeverShownAsACopy() {
        // given two devices that edited different lines of notes.txt concurrently
        ConcurrentEdits edits = concurrentEdits(NOTES.replace("line one", "line one, from the laptop"),
                NOTES.replace("line four", "line four, from the phone"));

        // then the copy's event tells devices it waits for its merge
        JsonNode copyEvent = feedEventsOf(edits, edits.copyId()).getFirst();
        assertThat(copyEvent.get("op").asString()).isEqualTo("UPSERT");
        assertThat(copyEvent.get("conflictOf").asString()).isEqualTo(edits.fileId());
        assertThat(copyEvent.get("mergePending").asBoolean()).isTrue();

        // and once the merge lands the copy is deleted, having never been written as an ordinary copy
        await().atMost(SETTLED).pollInterval(Duration.ofMillis(100))
                .until(() -> file(edits, edits.copyId()).get("deleted").asBoolean());
        assertThat(feedEventsOf(edits, edits.copyId()))
                .extracting(e -> e.get("op").asString() + " " + e.get("mergePending").asBoolean())
                .containsExactly("UPSERT true", "DELETE false");
        assertThat(file(edits, edits.copyId()).get("mergePending").asBoolean()).isFalse();
        // the original holds both edits
        JsonNode original = file(edits, edits.fileId());
        assertThat(original.get("mergePending").asBoolean()).isFalse();
        assertThat(original.get("size").asLong()).isEqualTo(
                (NOTES.length() + ", from the laptop".length() + ", from the phone".length()));
        assertThat(listed(edits)).extracting(f -> f.get("fileId").asString()).containsExactly(edits.fileId());
    }

    @Test
    void anOverlappingEditBecomesAnOrdinaryCopy() {
        // given two devices that changed the same line of notes.txt concurrently
        ConcurrentEdits edits = concurrentEdits(NOTES.replace("line two", "line two, as the laptop has it"),
                NOTES.replace("line two", "line two, as the phone has it"));

        // then the copy first waits for its merge
        assertThat(feedEventsOf(edits, edits.copyId()).getFirst().get("mergePending").asBoolean()).isTrue();

        // and, the merge failing, the worker releases it: written again as it is, no longer waiting
        await().atMost(SETTLED).pollInterval(Duration.ofMillis(100))
                .until(() -> feedEventsOf(edits, edits.copyId()).size() == 2);
        List<JsonNode> events = feedEventsOf(edits, edits.copyId());
        assertThat(events.get(1).get("op").asString()).isEqualTo("UPSERT");
        assertThat(events.get(1).get("path")).isEqualTo(events.get(0).get("path"));
        assertThat(events.get(1).get("chunks")).isEqualTo(events.get(0).get("chunks"));
        assertThat(events.get(1).get("mergePending").asBoolean()).isFalse();
        JsonNode copy = file(edits, edits.copyId());
        assertThat(copy.get("deleted").asBoolean()).isFalse();
        assertThat(copy.get("mergePending").asBoolean()).isFalse();
        assertThat(listed(edits)).filteredOn(f -> f.get("fileId").asString().equals(edits.copyId()))
                .singleElement().satisfies(f -> {
                    assertThat(f.get("path").asString()).matches("notes \\(Phone's conflicted copy \\d{4}-\\d{2}-\\d{2}\\)\\.txt");
                    assertThat(f.get("mergePending").asBoolean()).isFalse();
                });
        // and it is still an unresolved conflict, for a person to settle
        JsonNode conflicts = client.get(edits.laptop(), "/v1/namespaces/" + edits.namespace() + "/conflicts").json()
                .get("conflicts");
        assertThat(conflicts).hasSize(1);
        assertThat(conflicts.get(0).get("copy").get("fileId").asString()).isEqualTo(edits.copyId());
        assertThat(conflicts.get(0).get("original").get("fileId").asString()).isEqualTo(edits.fileId());
    }
}
