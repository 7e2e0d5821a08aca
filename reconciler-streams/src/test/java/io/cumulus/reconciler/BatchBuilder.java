package io.cumulus.reconciler;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.cumulus.schemas.Change;
import io.cumulus.schemas.ChangeBatchSubmitted;
import io.cumulus.schemas.ChunkRef;
import io.cumulus.schemas.FileOp;
import io.cumulus.schemas.VersionEntry;
import io.cumulus.sync.hash.Sha256;
import io.cumulus.sync.vector.VersionVector;

/** Builds change batches for tests: {@code aBatch().in(ns).from(LAPTOP).upsert("f1", "a.txt", vector, chunk("x")).build()}. */
final class BatchBuilder {
    static final Device LAPTOP = new Device("dev-laptop", "Laptop");
    static final Device PHONE = new Device("dev-phone", "Phone");
    static final Instant DEFAULT_TIME = Instant.parse("2026-03-14T09:26:53Z");

    record Device(String id, String name) {
    }

    private String batchId = "batch-" + UUID.randomUUID();
    private String namespaceId = "ns-default";
    private Device device = LAPTOP;
    private Instant acceptedAt = DEFAULT_TIME;
    private final List<Change> changes = new ArrayList<>();

    static BatchBuilder aBatch() {
        return new BatchBuilder();
    }

    static ChunkRef chunk(String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        return new ChunkRef(Sha256.hex(bytes), (long) bytes.length);
    }

    static VersionVector vector(Object... deviceCounterPairs) {
        return VersionVector.of(deviceCounterPairs);
    }

    BatchBuilder id(String batchId) {
        this.batchId = batchId;
        return this;
    }

    BatchBuilder in(String namespaceId) {
        this.namespaceId = namespaceId;
        return this;
    }

    BatchBuilder from(Device device) {
        this.device = device;
        return this;
    }

    BatchBuilder at(Instant acceptedAt) {
        this.acceptedAt = acceptedAt;
        return this;
    }

    BatchBuilder upsert(String fileId, String path, VersionVector vector, ChunkRef... chunks) {
        long size = 0;
        for (ChunkRef c : chunks) {
            size += c.getSize();
        }
        changes.add(new Change(fileId, path, FileOp.UPSERT, entries(vector), List.of(chunks), size,
                acceptedAt.toEpochMilli() - 1_000));
        return this;
    }

    BatchBuilder delete(String fileId, String path, VersionVector vector) {
        changes.add(new Change(fileId, path, FileOp.DELETE, entries(vector), List.of(), 0L, null));
        return this;
    }

    ChangeBatchSubmitted build() {
        return new ChangeBatchSubmitted(batchId, namespaceId, "acct-1", device.id(), device.name(),
                acceptedAt.toEpochMilli(), List.copyOf(changes));
    }

    private static List<VersionEntry> entries(VersionVector vector) {
        return vector.entries().entrySet().stream().map(e -> new VersionEntry(e.getKey(), e.getValue())).toList();
    }
}
