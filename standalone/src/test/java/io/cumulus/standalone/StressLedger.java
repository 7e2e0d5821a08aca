package io.cumulus.standalone;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.cumulus.standalone.CumulusClient.Device;

/**
 * What the writers of a stress run did and the server accepted, shared by them: every batch accepted
 * (with a device that may ask for its outcome), every chunk uploaded (with the devices that uploaded
 * it), every file as its writer last wrote it, the chunks of deleted files and of garbage uploads
 * (which writers bring back), and how often the collector got in a writer's way.
 */
final class StressLedger {
    /** A file as its writer last wrote it: live with these chunks, or deleted (its trash entry holds them). */
    record WrittenFile(Device writer, String fileId, String path, boolean live, List<String> chunks) {
    }

    private final Map<String, Device> batches = new ConcurrentHashMap<>();
    private final Map<String, Set<Device>> uploads = new ConcurrentHashMap<>();
    private final Map<String, WrittenFile> files = new ConcurrentHashMap<>();
    private final List<List<String>> deletedContents = new ArrayList<>();
    private final List<GarbageUpload> uploadedGarbage = new ArrayList<>();

    private record GarbageUpload(List<String> chunkIds, long uploadedAtNanos) {
    }

    final AtomicLong edits = new AtomicLong();
    final AtomicLong deletions = new AtomicLong();
    final AtomicLong garbageUploads = new AtomicLong();
    final AtomicLong revivals = new AtomicLong();
    /** Uploads refused with 503 {@code chunk-being-collected}, then retried. */
    final AtomicLong beingCollected = new AtomicLong();
    /** Commits refused with 400 {@code chunk-missing}, whose chunks were uploaded again before resubmitting. */
    final AtomicLong chunkMissing = new AtomicLong();

    void accepted(String batchId, Device device) {
        batches.put(batchId, device);
    }

    void uploaded(Device device, String chunkId) {
        uploads.computeIfAbsent(chunkId, k -> ConcurrentHashMap.newKeySet()).add(device);
    }

    void wrote(WrittenFile file) {
        files.put(file.fileId(), file);
        if (!file.live()) {
            synchronized (deletedContents) {
                deletedContents.add(file.chunks());
            }
        }
    }

    void garbage(List<String> chunkIds) {
        synchronized (uploadedGarbage) {
            uploadedGarbage.add(new GarbageUpload(List.copyOf(chunkIds), System.nanoTime()));
        }
    }

    /** The chunks of a file deleted earlier, by any writer. */
    Optional<List<String>> deletedContent(Random random) {
        synchronized (deletedContents) {
            return deletedContents.isEmpty() ? Optional.empty()
                    : Optional.of(deletedContents.get(random.nextInt(deletedContents.size())));
        }
    }

    /**
     * The chunks of a garbage upload, by any writer, made between {@code from} and {@code to} ago (the
     * closest to {@code to} when none is that old): about as old as the grace period, the collector may
     * be deleting them right now.
     */
    Optional<List<String>> garbageAged(Random random, Duration from, Duration to) {
        long now = System.nanoTime();
        synchronized (uploadedGarbage) {
            List<GarbageUpload> aged = uploadedGarbage.stream()
                    .filter(g -> now - g.uploadedAtNanos() >= from.toNanos() && now - g.uploadedAtNanos() <= to.toNanos())
                    .toList();
            if (!aged.isEmpty()) {
                return Optional.of(aged.get(random.nextInt(aged.size())).chunkIds());
            }
            return uploadedGarbage.stream().filter(g -> now - g.uploadedAtNanos() <= to.toNanos()).findFirst()
                    .or(() -> uploadedGarbage.isEmpty() ? Optional.empty() : Optional.of(uploadedGarbage.getLast()))
                    .map(GarbageUpload::chunkIds);
        }
    }

    Map<String, Device> batches() {
        return Map.copyOf(batches);
    }

    Map<String, Set<Device>> uploads() {
        return Map.copyOf(uploads);
    }

    Map<String, WrittenFile> files() {
        return Map.copyOf(files);
    }

    @Override
    public String toString() {
        return "batches=" + batches.size() + " files=" + files.size() + " chunksUploaded=" + uploads.size()
                + " edits=" + edits + " deletions=" + deletions + " garbageUploads=" + garbageUploads
                + " revivals=" + revivals + " uploadsRefusedWhileCollected=" + beingCollected
                + " commitsRefusedChunkMissing=" + chunkMissing;
    }
}
