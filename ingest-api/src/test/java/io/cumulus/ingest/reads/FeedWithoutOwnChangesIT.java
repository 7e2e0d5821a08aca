package io.cumulus.ingest.reads;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Device;
import io.cumulus.ingest.RunningIngestApi;
import tools.jackson.databind.JsonNode;

/**
 * {@code omitOwn=true} on the change feed: a device is not sent back the events that are exactly what
 * it sent, and gets every other one. Outcomes and events are written as the projector writes them.
 */
class FeedWithoutOwnChangesIT {
    private static RunningIngestApi api;
    private static ApiClient client;

    @BeforeAll
    static void start() {
        api = RunningIngestApi.start();
        client = api.client();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void aDeviceIsNotSentBackWhatItSentButGetsConflictsRestoresAndOtherDevicesChanges() {
        // given a laptop's batch of two changes (one applied as sent, one kept as a conflicted copy) ...
        Device laptop = client.newAccountWithDevice("omitter", "Laptop");
        Device phone = client.registerDevice(laptop.username(), "Phone");
        String ns = laptop.namespace();
        String chunk = client.upload(laptop, "abc".getBytes(StandardCharsets.UTF_8));
        String sent = submit(laptop, "k1", List.of(upsert("f", "a.txt", laptop, chunk), upsert("g", "b.txt", laptop, chunk)));
        outcome(sent, 0, laptop, "f", "a.txt", "APPLIED", 1L, null);
        outcome(sent, 1, laptop, "g", "b.txt", "CONFLICT", null, "g2");
        event(ns, 1, "f", "a.txt", laptop.id(), sent, 0, null);
        event(ns, 2, "g2", "b (conflicted copy).txt", laptop.id(), sent, 1, "g");
        // ... the phone's change ...
        String phones = submit(phone, "k2", List.of(upsert("h", "c.txt", phone, chunk)));
        outcome(phones, 0, phone, "h", "c.txt", "APPLIED", 3L, null);
        event(ns, 3, "h", "c.txt", phone.id(), phones, 0, null);
        // ... and a restore the server made on the laptop's behalf (its batch marked so)
        String restore = submit(laptop, "k3", List.of(upsert("f", "a.txt", laptop, chunk)));
        api.execute("update ingest.batches set on_behalf = true where id = ?::uuid", restore);
        outcome(restore, 0, laptop, "f", "a.txt", "APPLIED", 4L, null);
        event(ns, 4, "f", "a.txt", laptop.id(), restore, 0, null);

        // when the laptop and the phone read the feed leaving out their own, and the laptop reads it whole
        JsonNode laptopsPage = client.get(laptop, "/v1/namespaces/" + ns + "/changes?after=0&omitOwn=true").json();
        JsonNode phonesPage = client.get(phone, "/v1/namespaces/" + ns + "/changes?after=0&omitOwn=true").json();
        JsonNode whole = client.get(laptop, "/v1/namespaces/" + ns + "/changes?after=0").json();

        // then each misses only its own change applied as sent, and the cursor still passes it
        assertThat(seqs(laptopsPage)).containsExactly(2L, 3L, 4L);
        assertThat(laptopsPage.get("omitted").asInt()).isEqualTo(1);
        assertThat(laptopsPage.get("lastSeq").asLong()).isEqualTo(4);
        assertThat(seqs(phonesPage)).containsExactly(1L, 2L, 4L);
        assertThat(phonesPage.get("omitted").asInt()).isEqualTo(1);
        assertThat(seqs(whole)).containsExactly(1L, 2L, 3L, 4L);
        assertThat(whole.get("omitted").asInt()).isZero();
    }

    @Test
    void aPageOfOnlyOwnChangesIsEmptyButMovesTheCursorOn() {
        Device laptop = client.newAccountWithDevice("omitter", "Laptop");
        String ns = laptop.namespace();
        String chunk = client.upload(laptop, "xyz".getBytes(StandardCharsets.UTF_8));
        String sent = submit(laptop, "k", List.of(upsert("f", "a.txt", laptop, chunk)));
        outcome(sent, 0, laptop, "f", "a.txt", "APPLIED", 1L, null);
        event(ns, 1, "f", "a.txt", laptop.id(), sent, 0, null);

        JsonNode page = client.get(laptop, "/v1/namespaces/" + ns + "/changes?after=0&limit=1&omitOwn=true").json();

        assertThat(page.get("changes")).isEmpty();
        assertThat(page.get("omitted").asInt()).isEqualTo(1);
        assertThat(page.get("lastSeq").asLong()).isEqualTo(1);
    }

    private static Map<String, Object> upsert(String fileId, String path, Device device, String chunk) {
        return Map.of("fileId", fileId, "path", path, "op", "UPSERT", "vector", Map.of(device.id(), 1), "size", 3,
                "chunks", List.of(Map.of("id", chunk, "size", 3)));
    }

    private static String submit(Device device, String key, List<Map<String, Object>> changes) {
        return client.submit(device, key, Map.of("namespaceId", device.namespace(), "changes", changes)).json().get("batchId").asString();
    }

    private static void outcome(String batchId, int index, Device device, String fileId, String path, String kind, Long seq,
                                String conflictFileId) {
        api.execute("""
                insert into readmodel.batch_outcomes (batch_id, change_index, namespace_id, device_id, file_id, path, kind, seq,
                                                      conflict_file_id, conflict_path, current_vector, decided_at)
                values (?, ?, ?::uuid, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, now())""",
                batchId, index, device.namespace(), device.id(), fileId, path, kind, seq, conflictFileId,
                conflictFileId == null ? null : path + " (copy)", "{\"" + device.id() + "\": 1}");
    }

    private static void event(String ns, long seq, String fileId, String path, String deviceId, String batchId, int index,
                              String conflictOf) {
        api.execute("""
                insert into readmodel.feed (namespace_id, seq, file_id, path, op, vector, chunks, size, device_id, batch_id,
                                            change_index, conflict_of, at)
                values (?::uuid, ?, ?, ?, 'UPSERT', ?::jsonb, '[]'::jsonb, 3, ?, ?, ?, ?, now())""",
                ns, seq, fileId, path, "{\"" + deviceId + "\": 1}", deviceId, batchId, index, conflictOf);
    }

    private static List<Long> seqs(JsonNode page) {
        List<Long> seqs = new ArrayList<>();
        page.get("changes").forEach(e -> seqs.add(e.get("seq").asLong()));
        return seqs;
    }
}
