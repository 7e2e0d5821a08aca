package io.cumulus.ingest.changes;

import java.util.List;
import java.util.UUID;

import io.cumulus.ingest.auth.DeviceSession;
import io.cumulus.schemas.Change;
import io.cumulus.schemas.ChangeBatchSubmitted;
import io.cumulus.schemas.ChunkRef;
import io.cumulus.schemas.VersionEntry;

/** The {@link ChangeBatchSubmitted} event of an accepted batch, as the outbox carries it to Kafka. */
final class ChangeBatchEvents {

    static ChangeBatchSubmitted submitted(UUID batchId, UUID namespaceId, DeviceSession device, long acceptedAtMillis,
                                          ChangeBatch batch) {
        List<Change> changes = batch.changes().stream().map(ChangeBatchEvents::change).toList();
        return new ChangeBatchSubmitted(batchId.toString(), namespaceId.toString(), device.accountId().toString(),
                device.deviceId().toString(), device.deviceName(), acceptedAtMillis, changes);
    }

    private static Change change(FileChange c) {
        // FileChange keeps its vector sorted by device id, so the encoding is deterministic.
        List<VersionEntry> vector = c.vector().entrySet().stream()
                .map(e -> new VersionEntry(e.getKey(), e.getValue()))
                .toList();
        List<ChunkRef> chunks = c.chunks().stream().map(r -> new ChunkRef(r.id().hex(), r.size())).toList();
        Long modifiedAt = c.modifiedAt().isPresent() ? c.modifiedAt().getAsLong() : null;
        return new Change(c.fileId(), c.path().value(), c.op(), vector, chunks, c.size(), modifiedAt);
    }

    private ChangeBatchEvents() {
    }
}
