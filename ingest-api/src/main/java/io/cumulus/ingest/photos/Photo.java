package io.cumulus.ingest.photos;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * One photo of the library as {@code photos.photos} has it, with whether it is a favourite.
 * {@code thumbnailId} and {@code previewId} are the derivatives' chunk ids, present once derived.
 */
record Photo(String fileId, String path, long size, String state, String reason, String format, Instant takenAt,
             Integer takenAtOffset, String takenAtSource, Integer width, Integer height, Double latitude,
             Double longitude, String cameraMake, String cameraModel, String lens, String thumbnailId,
             String previewId, boolean favourite) {

    /** When it was taken, at its own UTC offset when known, else in UTC. */
    OffsetDateTime takenAtLocal() {
        ZoneOffset offset = takenAtOffset == null ? ZoneOffset.UTC : ZoneOffset.ofTotalSeconds(takenAtOffset * 60);
        return takenAt.atOffset(offset);
    }

    /** The camera as a person names it: make and model, without the make twice when the model repeats it. */
    Optional<String> camera() {
        if (cameraModel == null) {
            return Optional.ofNullable(cameraMake);
        }
        if (cameraMake == null || cameraModel.toLowerCase().startsWith(cameraMake.toLowerCase())) {
            return Optional.of(cameraModel);
        }
        return Optional.of(cameraMake + " " + cameraModel);
    }

    /** A derivative's chunk id, when the photo is readable and it has been written. */
    Optional<String> derivative(Derivative kind) {
        if (!"ready".equals(state)) {
            return Optional.empty();
        }
        return Optional.ofNullable(kind == Derivative.THUMBNAIL ? thumbnailId : previewId);
    }

    enum Derivative {
        THUMBNAIL, PREVIEW;

        String slug() {
            return name().toLowerCase();
        }
    }
}
