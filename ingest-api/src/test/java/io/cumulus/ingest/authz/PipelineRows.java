package io.cumulus.ingest.authz;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import javax.imageio.ImageIO;

import io.cumulus.ingest.RunningIngestApi;
import io.cumulus.ingest.chunks.BlobStore;
import io.cumulus.ingest.chunks.ChunkId;
import io.cumulus.sync.hash.Sha256;

/**
 * The rows the pipeline would write for the matrix's world, written directly as the read endpoint
 * and photo tests do: the read model's files and feed (the projector's, from an accepted batch),
 * and ready photos with their derivatives in the blob store (the photo worker's).
 */
final class PipelineRows {
    private static final OffsetDateTime T0 = OffsetDateTime.of(2026, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC);

    private final RunningIngestApi api;

    PipelineRows(RunningIngestApi api) {
        this.api = api;
    }

    /** A live file at {@code seq}, one chunk, counted once under the device; a conflicted copy of {@code conflictOf} when not null. */
    void file(String ns, long seq, String fileId, String path, String chunk, int size, String deviceId, String batchId,
              String conflictOf) {
        String vector = "{\"" + deviceId + "\": 1}";
        String chunks = "[{\"id\": \"" + chunk + "\", \"size\": " + size + "}]";
        api.execute("""
                        insert into readmodel.feed (namespace_id, seq, file_id, path, op, vector, chunks, size, device_id, batch_id,
                                                    change_index, conflict_of, at)
                        values (?::uuid, ?, ?, ?, 'UPSERT', ?::jsonb, ?::jsonb, ?, ?, ?, 0, ?, ?)""",
                ns, seq, fileId, path, vector, chunks, size, deviceId, batchId, conflictOf, T0.plusSeconds(seq));
        api.execute("""
                        insert into readmodel.files (namespace_id, file_id, path, deleted, vector, chunks, size, seq, device_id, updated_at)
                        values (?::uuid, ?, ?, false, ?::jsonb, ?::jsonb, ?, ?, ?, ?)""",
                ns, fileId, path, vector, chunks, size, seq, deviceId, T0.plusSeconds(seq));
    }

    /** A ready photo with a place, a camera, and a thumbnail and preview in the blob store. */
    void photo(String namespace, String fileId, String path) {
        String thumbnail = storeJpeg();
        String preview = storeJpeg();
        api.execute("""
                        INSERT INTO photos.photos (namespace_id, file_id, seq, path, content_key, size, state, reason, format,
                            taken_at, taken_at_offset, taken_at_source, width, height, orientation, latitude, longitude,
                            camera_make, camera_model, lens, thumbnail_id, thumbnail_size, preview_id, preview_size)
                        VALUES (?::uuid, ?, 1, ?, ?, 1000, 'ready', null, 'jpeg', ?, null, 'file', 4000, 3000, 1, 48.85, 2.35,
                            'Canon', 'EOS', 'RF 24-70mm', ?, 100, ?, 1000)""",
                namespace, fileId, path, "ab".repeat(32), T0, thumbnail, preview);
    }

    private String storeJpeg() {
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, UUID.randomUUID().hashCode());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "jpeg", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] bytes = out.toByteArray();
        String id = Sha256.hex(bytes);
        api.context().getBean(BlobStore.class).put(new ChunkId(id), bytes);
        return id;
    }
}
