package io.cumulus.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import io.cumulus.standalone.CumulusClient.Device;
import io.cumulus.standalone.CumulusClient.Response;
import tools.jackson.databind.JsonNode;

/**
 * A small but realistic day of two accounts, through the HTTP API of a running server: three devices
 * of one account create files, edit them, edit a text file concurrently (the merge worker merges it)
 * and a binary one (a conflicted copy is kept), delete a file and bring it back from the trash,
 * restore an old version from the history, rename, sync two photos, put one in an album and mark the
 * other a favourite; the other account edits a file of its own; and a chunk uploaded but never
 * committed is swept by the collector (which needs a short grace period, {@code --gc-grace=1s}).
 * Every step waits until the pipeline has decided it, so the outcome is the same on every run.
 */
final class SmallWorkload {
    private static final Duration SETTLED = Duration.ofSeconds(60);
    static final String NOTES = "# Notes\nline one\nline two\nline three\nline four\n";

    private final CumulusClient client;
    private final String adminToken;
    private final List<String> batches = new ArrayList<>();
    /** The content of every chunk uploaded, by id: to upload again what the collector took before its commit. */
    private final Map<String, byte[]> uploaded = new java.util.concurrent.ConcurrentHashMap<>();

    /** What the workload left: who reads what, for comparing the API's answers before and after. */
    record Result(Device anns, Device bens, String albumId, List<String> batchIds, String sweptChunk) {
        /**
         * The API's answer to every read of both accounts that the derived stores serve: listings,
         * change feeds, trash, conflicts, each file and its history, each batch's outcome, the photo
         * library and the albums. A path maps to its status and body.
         */
        Map<String, String> apiAnswers(CumulusClient client) {
            Map<String, String> answers = new LinkedHashMap<>();
            for (Device reader : List.of(anns, bens)) {
                String ns = "/v1/namespaces/" + reader.namespace();
                TreeSet<String> fileIds = new TreeSet<>();
                for (String path : List.of(ns + "/files", ns + "/changes?after=0", ns + "/trash", ns + "/conflicts",
                        "/v1/photos", "/v1/photos/days", "/v1/albums")) {
                    Response r = client.get(reader, path);
                    answers.put(reader.accountId() + " " + path, r.status() + " " + r.body());
                    if (path.endsWith("/changes?after=0") && r.status() == 200) {
                        r.json().get("changes").forEach(c -> fileIds.add(c.get("fileId").asString()));
                    }
                }
                for (String fileId : fileIds) {
                    for (String path : List.of("/v1/files/" + fileId, "/v1/files/" + fileId + "/versions",
                            "/v1/photos/" + fileId)) {
                        Response r = client.get(reader, path);
                        answers.put(reader.accountId() + " " + path, r.status() + " " + r.body());
                    }
                }
            }
            Response album = client.get(anns, "/v1/albums/" + albumId);
            answers.put("/v1/albums/" + albumId, album.status() + " " + album.body());
            for (String batchId : batchIds) {
                Response r = client.get(anns, "/v1/batches/" + batchId);
                if (r.status() == 404) {
                    r = client.get(bens, "/v1/batches/" + batchId);
                }
                answers.put("/v1/batches/" + batchId, r.status() + " " + r.body());
            }
            return answers;
        }
    }

    SmallWorkload(CumulusClient client, String adminToken) {
        this.client = client;
        this.adminToken = adminToken;
    }

    /**
     * Runs the day; {@code chunkGone} answers whether a chunk id is no longer in the server's chunk
     * catalogue (the collector has deleted it).
     */
    Result run(java.util.function.Predicate<String> chunkGone) throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Device laptop = client.newAccountWithDevice(adminToken, "ann-" + suffix, "Laptop");
        Device phone = client.registerDevice("ann-" + suffix, "Phone");
        Device tablet = client.registerDevice("ann-" + suffix, "Tablet");
        Device bens = client.newAccountWithDevice(adminToken, "ben-" + suffix, "Laptop");
        Random random = new Random(16);

        // files made on the laptop, a photo on the phone, a list on the other account's laptop
        byte[] data = new byte[3000];
        random.nextBytes(data);
        applied(laptop, "notes", "notes.txt", Map.of(laptop.id(), 1), text(NOTES));
        applied(laptop, "data", "data.bin", Map.of(laptop.id(), 1), data);
        applied(laptop, "old", "old.txt", Map.of(laptop.id(), 1), text("an old note\n"));
        applied(laptop, "draft", "docs/draft.txt", Map.of(laptop.id(), 1), text("draft one\n"));
        applied(laptop, "beach", "photos/beach.jpg", Map.of(laptop.id(), 1),
                ThePhotoLibraryFollowsTheFilesIT.image(640, 480, "jpg"));
        applied(phone, "scan", "photos/scan.png", Map.of(phone.id(), 1),
                ThePhotoLibraryFollowsTheFilesIT.image(200, 300, "png"));
        applied(bens, "todo", "todo.txt", Map.of(bens.id(), 1), text("milk\n"));

        // edits: the draft twice, the list once
        applied(laptop, "draft", "docs/draft.txt", Map.of(laptop.id(), 2), text("draft two\n"));
        applied(laptop, "draft", "docs/draft.txt", Map.of(laptop.id(), 3), text("draft three, final\n"));
        applied(bens, "todo", "todo.txt", Map.of(bens.id(), 2), text("milk\neggs\n"));

        // a text file edited on two devices at once: the merge worker merges it and deletes the copy
        applied(laptop, "notes", "notes.txt", Map.of(laptop.id(), 2),
                text(NOTES.replace("line one", "line one, from the laptop")));
        JsonNode merged = decided(phone, CumulusClient.upsertBatch(phone.namespace(), "notes", "notes.txt",
                Map.of(laptop.id(), 1, phone.id(), 1), chunks(phone, text(NOTES.replace("line four", "line four, from the phone")))));
        assertThat(merged.get("kind").asString()).isEqualTo("CONFLICT");
        String mergedCopy = merged.get("conflictFileId").asString();
        awaitUntil("the merge deletes the conflicted copy of notes.txt",
                () -> client.get(phone, "/v1/files/" + mergedCopy).json().path("deleted").asBoolean(false));

        // a binary file edited on two devices at once: both kept, the tablet's as a conflicted copy
        byte[] laptopData = data.clone();
        laptopData[0] ^= 1;
        byte[] tabletData = data.clone();
        tabletData[1] ^= 1;
        applied(laptop, "data", "data.bin", Map.of(laptop.id(), 2), laptopData);
        JsonNode kept = decided(tablet, CumulusClient.upsertBatch(tablet.namespace(), "data", "data.bin",
                Map.of(laptop.id(), 1, tablet.id(), 1), chunks(tablet, tabletData)));
        assertThat(kept.get("kind").asString()).isEqualTo("CONFLICT");

        // a file deleted on the laptop and brought back from the trash on the phone
        decided(laptop, CumulusClient.deleteBatch(laptop.namespace(), "old", "old.txt", Map.of(laptop.id(), 2)));
        JsonNode trash = client.get(phone, "/v1/namespaces/" + phone.namespace() + "/trash").json();
        JsonNode trashed = find(trash.get("files"), "old");
        restored(phone, "old", trashed.get("version").asLong());

        // the draft's first version restored from its history, then the draft renamed
        JsonNode history = client.get(phone, "/v1/files/draft/versions").json().get("versions");
        long first = history.get(history.size() - 1).get("seq").asLong();
        restored(phone, "draft", first);
        JsonNode draft = client.get(laptop, "/v1/files/draft").json();
        decided(laptop, CumulusClient.upsertBatch(laptop.namespace(), "draft", "docs/first-draft.txt",
                next(draft.get("vector"), laptop), chunkList(draft.get("chunks"))));

        // the photo library: both photos derived, the beach in an album, the scan a favourite
        awaitUntil("both photos are derived", () -> {
            JsonNode photos = client.get(phone, "/v1/photos").json().get("photos");
            if (photos.size() != 2) {
                return false;
            }
            for (JsonNode p : photos) {
                if (!"ready".equals(p.get("state").asString())) {
                    return false;
                }
            }
            return true;
        });
        Response album = client.send("POST", "/v1/albums", phone.token(), Map.of("name", "Summer"), Map.of());
        assertThat(album.status()).as(album.toString()).isEqualTo(201);
        String albumId = album.json().get("albumId").asString();
        Response added = client.send("POST", "/v1/albums/" + albumId + "/photos", phone.token(),
                Map.of("fileIds", List.of("beach")), Map.of());
        assertThat(added.status()).as(added.toString()).isEqualTo(200);
        Response favourite = client.send("PUT", "/v1/photos/scan/favourite", laptop.token(), null, Map.of());
        assertThat(favourite.status() / 100).as(favourite.toString()).isEqualTo(2);

        // a chunk uploaded and never committed: the collector deletes it once its grace period is over
        String orphan = client.upload(laptop, text("uploaded, then the laptop changed its mind " + suffix));
        awaitUntil("the collector deletes the chunk no file holds", () -> chunkGone.test(orphan));

        return new Result(phone, bens, albumId, List.copyOf(batches), orphan);
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private List<Map<String, Object>> chunks(Device device, byte[] content) {
        String id = client.upload(device, content);
        uploaded.put(id, content);
        return List.of(Map.of("id", id, "size", content.length));
    }

    private static List<Map<String, Object>> chunkList(JsonNode chunks) {
        List<Map<String, Object>> list = new ArrayList<>();
        chunks.forEach(c -> list.add(Map.of("id", c.get("id").asString(), "size", c.get("size").asLong())));
        return list;
    }

    /** The file's vector with the device's own counter moved on: an edit made on top of what the server has. */
    private static Map<String, Integer> next(JsonNode vector, Device device) {
        Map<String, Integer> next = new TreeMap<>();
        vector.properties().forEach(e -> next.put(e.getKey(), e.getValue().asInt()));
        next.merge(device.id(), 1, Integer::sum);
        return next;
    }

    private static JsonNode find(JsonNode entries, String fileId) {
        for (JsonNode e : entries) {
            if (e.get("fileId").asString().equals(fileId)) {
                return e;
            }
        }
        throw new AssertionError("no " + fileId + " in " + entries);
    }

    private void applied(Device device, String fileId, String path, Map<String, Integer> vector, byte[] content) {
        JsonNode outcome = decided(device, CumulusClient.upsertBatch(device.namespace(), fileId, path, vector,
                chunks(device, content)));
        assertThat(outcome.get("kind").asString()).as("%s of %s", outcome, path).isEqualTo("APPLIED");
    }

    /** Submits a one-change batch and answers its outcome, once the pipeline has decided it. */
    private JsonNode decided(Device device, Map<String, Object> batch) {
        Response accepted = submit(client, device, "k-" + UUID.randomUUID(), batch, uploaded);
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        return awaitBatch(device, accepted.json().get("batchId").asString());
    }

    /**
     * Submits a batch as a device does: when the server answers that a chunk is missing (the collector,
     * on a one-second grace period, deleted it between its upload and this commit on a slow machine),
     * uploads it again from {@code contents} and submits again; when it answers 503 (the pipeline is
     * behind), submits again a moment later.
     */
    static Response submit(CumulusClient client, Device device, String key, Map<String, Object> batch,
                           Map<String, byte[]> contents) {
        for (int attempt = 1; ; attempt++) {
            Response r = client.submit(device, key, batch);
            if (r.status() == 503 && attempt < 100) {
                try {
                    Thread.sleep(200); // a client's back-off before it tries again, not a wait for a condition
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return r;
                }
                continue;
            }
            if (r.status() != 400 || !r.body().contains("/problems/chunk-missing") || attempt >= 5) {
                return r;
            }
            r.json().get("missingChunks").forEach(id -> {
                byte[] content = contents.get(id.asString());
                if (content == null) {
                    throw new AssertionError("a chunk of a committed file was deleted: " + id.asString());
                }
                client.upload(device, content);
            });
        }
    }

    private void restored(Device device, String fileId, long version) {
        Response accepted = client.send("POST", "/v1/files/" + fileId + "/restore", device.token(),
                Map.of("version", version), Map.of());
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        JsonNode outcome = awaitBatch(device, accepted.json().get("batchId").asString());
        assertThat(outcome.get("kind").asString()).as("restore of %s: %s", fileId, outcome).isEqualTo("APPLIED");
    }

    private JsonNode awaitBatch(Device device, String batchId) {
        batches.add(batchId);
        return EditFlowsThroughThePipelineIT.awaitDone(client, device, batchId).get("changes").get(0);
    }

    private static void awaitUntil(String what, BooleanSupplier condition) {
        await(what).atMost(SETTLED).pollInterval(Duration.ofMillis(100)).until(condition::getAsBoolean);
    }
}
