package io.cumulus.photos;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One row of {@code photos.photos}: what the library knows of a file's current version that is an
 * image. Nullable fields are unknown (or, for an unreadable photo, not read).
 */
public record PhotoRecord(UUID namespaceId, String fileId, long seq, String path, String contentKey, long size,
        boolean ready, String reason, String format, Instant takenAt, Integer takenAtOffset, String takenAtSource,
        Integer width, Integer height, Integer orientation, Double latitude, Double longitude, String cameraMake,
        String cameraModel, String lens, String thumbnailId, Integer thumbnailSize, String previewId,
        Integer previewSize) {

    public PhotoRecord {
        Objects.requireNonNull(namespaceId, "namespaceId");
        Objects.requireNonNull(fileId, "fileId");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(contentKey, "contentKey");
        Objects.requireNonNull(takenAt, "takenAt");
        Objects.requireNonNull(takenAtSource, "takenAtSource");
        if (ready && (thumbnailId == null || previewId == null)) {
            throw new IllegalArgumentException("a ready photo has a thumbnail and a preview");
        }
        if (!ready && reason == null) {
            throw new IllegalArgumentException("an unreadable photo says why");
        }
    }

    /** The same photo as a later version of the file that has the same content (a rename, a touch). */
    public PhotoRecord at(long newSeq, String newPath) {
        return new PhotoRecord(namespaceId, fileId, newSeq, newPath, contentKey, size, ready, reason, format, takenAt,
                takenAtOffset, takenAtSource, width, height, orientation, latitude, longitude, cameraMake, cameraModel,
                lens, thumbnailId, thumbnailSize, previewId, previewSize);
    }
}
