package io.cumulus.standalone;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.cumulus.standalone.CumulusClient.Device;
import io.cumulus.standalone.CumulusClient.Response;
import tools.jackson.databind.JsonNode;

/**
 * A device that keeps syncing as a real client does, on its own thread until told to stop: it pulls
 * the namespace's change feed into its own view of the files, then edits a file (one of its own, or
 * one every device edits, so edits are sometimes concurrent, or now and then a new photo) on top of
 * the version it knows, submits the edit and waits for its outcome, whose vector it keeps. Every edit
 * holds content no other edit holds, so each one can be found again afterwards.
 */
final class SyncingDevice implements Runnable {
    /** The file every device edits: binary, so concurrent edits are kept side by side, never merged. */
    static final String SHARED = "shared";

    /** One edit and what the pipeline decided: {@code APPLIED} or {@code CONFLICT} (kept as a copy). */
    record Edit(String fileId, String chunkId, String batchId, String kind, long seq) {
    }

    private final CumulusClient client;
    private final Device device;
    private final String name;
    private final boolean photos;
    /** The latest event of every file this device has seen, by file id. */
    private final Map<String, JsonNode> view = new TreeMap<>();
    /**
     * The vector this device builds its next edit of a file on, by file id: every version it was told
     * of, merged (the feed may tell of a version older than an outcome already did).
     */
    private final Map<String, Map<String, Integer>> vectors = new TreeMap<>();
    private final List<Edit> edits = new CopyOnWriteArrayList<>();
    /** Edits submitted whose outcome the device has not read yet, oldest first. */
    private final java.util.ArrayDeque<Submitted> pending = new java.util.ArrayDeque<>();
    private final int inFlight;
    private long cursor;
    private volatile boolean stopped;
    private volatile Throwable failure;

    private record Submitted(int n, String fileId, String chunkId, String batchId) {
    }

    /**
     * A device named {@code name} (its file ids and paths start with it) that makes a photo every tenth
     * edit if {@code photos}, and has up to {@code inFlight} edits of its own files submitted before it
     * reads their outcomes (1: it waits for each, as an interactive client does; more: as a client
     * catching up on many local changes does). An edit of the shared file always waits for every
     * earlier outcome, and for its own.
     */
    SyncingDevice(CumulusClient client, Device device, String name, boolean photos, int inFlight) {
        this.client = client;
        this.device = device;
        this.name = name;
        this.photos = photos;
        this.inFlight = inFlight;
    }

    @Override
    public void run() {
        try {
            for (int n = 0; !stopped; n++) {
                pull();
                edit(n);
            }
            while (!pending.isEmpty()) {
                settle(pending.poll());
            }
            pull();
        } catch (Throwable t) {
            failure = t;
        }
    }

    void stop() {
        stopped = true;
    }

    /** What ended the device's loop early, if anything did. */
    java.util.Optional<Throwable> failure() {
        return java.util.Optional.ofNullable(failure);
    }

    List<Edit> edits() {
        return List.copyOf(edits);
    }

    /** The live files as this device sees them: file id → path and chunks. */
    synchronized Map<String, String> liveFiles() {
        Map<String, String> live = new TreeMap<>();
        view.forEach((id, e) -> {
            if (e.get("op").asString().equals("UPSERT")) {
                live.put(id, e.get("path").asString() + " " + e.get("chunks"));
            }
        });
        return live;
    }

    /** Reads the change feed from the device's cursor to its end. */
    synchronized void pull() {
        while (true) {
            Response r = client.get(device, "/v1/namespaces/" + device.namespace() + "/changes?after=" + cursor);
            if (r.status() != 200) {
                throw new IllegalStateException(name + " cannot pull: " + r);
            }
            JsonNode changes = r.json().get("changes");
            if (changes.isEmpty()) {
                return;
            }
            for (JsonNode c : changes) {
                String fileId = c.get("fileId").asString();
                view.put(fileId, c);
                cursor = c.get("seq").asLong();
                know(fileId, c.get("vector"));
            }
        }
    }

    private void edit(int n) throws Exception {
        String fileId;
        String path;
        byte[] content;
        if (photos && n % 10 == 9) {
            fileId = name + "-photo-" + n;
            path = "photos/" + fileId + ".png";
            content = ThePhotoLibraryFollowsTheFilesIT.image(40 + n, 30 + n, "png");
        } else if (n % 3 == 2) {
            fileId = SHARED;
            path = "shared.bin";
            content = (name + " wrote the shared file, edit " + n + " " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        } else {
            fileId = name + "-" + (n % 4);
            path = name + "/notes-" + (n % 4) + ".bin";
            content = (name + " edit " + n + " " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        }
        if (fileId.equals(SHARED)) {
            while (!pending.isEmpty()) {
                settle(pending.poll());
            }
        }
        String chunk = client.upload(device, content);
        Map<String, Integer> vector = next(fileId);
        Response accepted = SmallWorkload.submit(client, device, "k-" + UUID.randomUUID(), CumulusClient.upsertBatch(
                device.namespace(), fileId, path, vector, List.of(Map.of("id", chunk, "size", content.length))),
                Map.of(chunk, content));
        if (accepted.status() != 202) {
            throw new IllegalStateException(name + " edit " + n + " refused: " + accepted);
        }
        pending.add(new Submitted(n, fileId, chunk, accepted.json().get("batchId").asString()));
        while (!pending.isEmpty() && (pending.size() >= inFlight || fileId.equals(SHARED))) {
            settle(pending.poll());
        }
    }

    /** Waits for an edit's outcome and keeps the vector it tells of. */
    private void settle(Submitted edit) {
        JsonNode outcome = EditFlowsThroughThePipelineIT.awaitDone(client, device, edit.batchId()).get("changes").get(0);
        String kind = outcome.get("kind").asString();
        if (!kind.equals("APPLIED") && !kind.equals("CONFLICT")) {
            // the device's vector always moves its own counter on, so an edit is never stale nor a duplicate
            throw new IllegalStateException(name + " edit " + edit.n() + " of " + edit.fileId() + " was " + outcome);
        }
        know(edit.fileId(), outcome.get("currentVector"));
        edits.add(new Edit(edit.fileId(), edit.chunkId(), edit.batchId(), kind, outcome.path("seq").asLong(0)));
    }

    private synchronized void know(String fileId, JsonNode vector) {
        Map<String, Integer> known = vectors.computeIfAbsent(fileId, f -> new TreeMap<>());
        vector.properties().forEach(e -> known.merge(e.getKey(), e.getValue().asInt(), Math::max));
    }

    /** The vector of a new version of the file: what the device knows of it, its own counter moved on (and known). */
    private synchronized Map<String, Integer> next(String fileId) {
        Map<String, Integer> next = new TreeMap<>(vectors.getOrDefault(fileId, Map.of()));
        next.merge(device.id(), 1, Integer::sum);
        vectors.put(fileId, new TreeMap<>(next));
        return next;
    }
}
