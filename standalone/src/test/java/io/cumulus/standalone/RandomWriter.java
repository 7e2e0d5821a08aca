package io.cumulus.standalone;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import io.cumulus.standalone.CumulusClient.Device;
import io.cumulus.standalone.CumulusClient.Response;
import io.cumulus.standalone.StressLedger.WrittenFile;
import tools.jackson.databind.JsonNode;

/**
 * One device writing at random for a while, as a client does, into a namespace it shares with
 * another device. Each step is one of: an edit (a new file, or a new version of one of its files);
 * the deletion of one of its files; an upload of chunks it never commits; and bringing content back
 * in a new file: a deleted file's, uploaded again, or a garbage upload's from about a grace period
 * ago, committed straight away as a client resuming an interrupted commit does (the collector may
 * have deleted those chunks, or be deleting them). A writer edits and deletes only its
 * own files, so every batch it submits must be applied.
 *
 * <p>What the collector causes is handled as a client must: an upload refused while its chunk is
 * being collected (503) is retried; a commit refused because a chunk is gone (400
 * {@code chunk-missing}) uploads the chunks it names again and resubmits under the same key, since a
 * refused batch records nothing.
 */
final class RandomWriter implements Callable<Void> {
    private static final Duration RETRYING = Duration.ofSeconds(30);
    private static final int RESUBMISSIONS = 20;
    /** Garbage about as old as the collector's grace period (1 s): whether it is still there is a race. */
    private static final Duration GARBAGE_AGE_FROM = Duration.ofMillis(800);
    private static final Duration GARBAGE_AGE_TO = Duration.ofMillis(2500);

    private final CumulusClient client;
    private final Device device;
    private final String name;
    private final ContentPool pool;
    private final StressLedger ledger;
    private final Random random;
    private final Duration writing;
    private final Map<String, OwnFile> files = new HashMap<>();
    private final List<OwnFile> live = new ArrayList<>();
    private int batchesSubmitted;

    /** One of this writer's files: its counter in the file's vector is the file's version number. */
    private static final class OwnFile {
        final String fileId;
        final String path;
        int counter;
        List<String> chunks = List.of();

        OwnFile(String fileId, String path) {
            this.fileId = fileId;
            this.path = path;
        }
    }

    RandomWriter(CumulusClient client, Device device, String name, ContentPool pool, StressLedger ledger, long seed,
                 Duration writing) {
        this.client = client;
        this.device = device;
        this.name = name;
        this.pool = pool;
        this.ledger = ledger;
        this.random = new Random(seed);
        this.writing = writing;
    }

    @Override
    public Void call() {
        long end = System.nanoTime() + writing.toNanos();
        while (System.nanoTime() - end < 0) {
            int roll = random.nextInt(100);
            if (roll < 35) {
                edit();
            } else if (roll < 50) {
                delete();
            } else if (roll < 80) {
                uploadGarbage();
            } else {
                bringBack();
            }
        }
        return null;
    }

    private void edit() {
        OwnFile file = live.isEmpty() || random.nextInt(3) == 0 ? newFile() : live.get(random.nextInt(live.size()));
        LinkedHashSet<String> chunks = new LinkedHashSet<>();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            chunks.add(ContentPool.id(random.nextInt(5) == 0 ? pool.other(random) : pool.shared(random)));
        }
        commit(file, List.copyOf(chunks), true);
        ledger.edits.incrementAndGet();
    }

    private void delete() {
        if (live.isEmpty()) {
            edit();
            return;
        }
        OwnFile file = live.remove(random.nextInt(live.size()));
        file.counter++;
        submit(CumulusClient.deleteBatch(device.namespace(), file.fileId, file.path, Map.of(device.id(), file.counter)));
        ledger.wrote(new WrittenFile(device, file.fileId, file.path, false, file.chunks));
        ledger.deletions.incrementAndGet();
    }

    private void uploadGarbage() {
        List<String> chunks = new ArrayList<>();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            chunks.add(upload(pool.other(random)));
        }
        ledger.garbage(chunks);
        ledger.garbageUploads.incrementAndGet();
    }

    private void bringBack() {
        boolean deleted = random.nextBoolean();
        var content = deleted ? ledger.deletedContent(random) : ledger.garbageAged(random, GARBAGE_AGE_FROM, GARBAGE_AGE_TO);
        if (content.isEmpty()) {
            uploadGarbage();
            return;
        }
        if (deleted) {
            content.get().forEach(id -> upload(pool.content(id)));
        }
        commit(newFile(), content.get(), false);
        ledger.revivals.incrementAndGet();
    }

    private OwnFile newFile() {
        String fileId = name + "-" + files.size();
        OwnFile file = new OwnFile(fileId, name + "/file-" + files.size() + ".bin");
        files.put(fileId, file);
        return file;
    }

    /**
     * Submits the file's next version, first uploading the chunks the server says this account lacks
     * when {@code askFirst}; otherwise trusting that what it uploaded before is there.
     */
    private void commit(OwnFile file, List<String> chunks, boolean askFirst) {
        if (askFirst) {
            Response asked = whileUnavailable(() -> client.send("POST", "/v1/chunks/missing", device.token(),
                    Map.of("chunkIds", chunks), Map.of()));
            expect(asked, 200, "asking which chunks are missing");
            asked.json().get("missing").forEach(id -> upload(pool.content(id.asString())));
        }
        List<Map<String, Object>> manifest = chunks.stream()
                .<Map<String, Object>>map(id -> Map.of("id", id, "size", pool.content(id).length)).toList();
        file.counter++;
        submit(CumulusClient.upsertBatch(device.namespace(), file.fileId, file.path, Map.of(device.id(), file.counter),
                manifest));
        file.chunks = chunks;
        if (!live.contains(file)) {
            live.add(file);
        }
        ledger.wrote(new WrittenFile(device, file.fileId, file.path, true, chunks));
    }

    /** Submits a batch until it is accepted, uploading again every chunk it is refused for as missing. */
    private void submit(Map<String, Object> batch) {
        String key = name + "-batch-" + batchesSubmitted++;
        for (int attempt = 0; ; attempt++) {
            Response r = whileUnavailable(() -> client.submit(device, key, batch));
            if (r.status() == 202) {
                ledger.accepted(r.json().get("batchId").asString(), device);
                return;
            }
            if (r.status() == 400 && problem(r).equals("chunk-missing") && attempt < RESUBMISSIONS) {
                ledger.chunkMissing.incrementAndGet();
                r.json().get("missingChunks").forEach(id -> upload(pool.content(id.asString())));
                continue;
            }
            throw new AssertionError(name + ": batch " + key + " refused after " + attempt + " resubmissions: " + r);
        }
    }

    private String upload(byte[] content) {
        Response r = whileUnavailable(() -> client.put(device, content));
        if (r.status() != 200 && r.status() != 201) {
            throw new AssertionError(name + ": upload refused: " + r);
        }
        String id = ContentPool.id(content);
        ledger.uploaded(device, id);
        return id;
    }

    /**
     * Sends a request again while it is answered 503 (a chunk being collected, or a store briefly
     * unavailable), until it is answered otherwise.
     */
    private Response whileUnavailable(Supplier<Response> request) {
        return await().atMost(RETRYING).pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    Response r = request.get();
                    if (r.status() == 503 && problem(r).equals("chunk-being-collected")) {
                        ledger.beingCollected.incrementAndGet();
                    }
                    return r;
                }, r -> r.status() != 503);
    }

    private static String problem(Response r) {
        if (!r.contentType().startsWith("application/problem+json")) {
            return "";
        }
        JsonNode type = r.json().get("type");
        return type == null ? "" : type.asString().substring(type.asString().lastIndexOf('/') + 1);
    }

    private void expect(Response r, int status, String what) {
        if (r.status() != status) {
            throw new AssertionError(name + ": " + what + " answered " + r);
        }
    }
}
