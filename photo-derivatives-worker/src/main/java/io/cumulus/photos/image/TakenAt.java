package io.cumulus.photos.image;

import java.time.Instant;
import java.util.Objects;

/**
 * When a photo was taken, as well as its file tells: the instant, its UTC offset in minutes when
 * known, and where both came from ({@link Source}, the {@code taken_at_source} column). An
 * {@link Source#EXIF_LOCAL} instant is the camera's local time read as if it were UTC: the best a
 * timeline can do without a zone, and what every photo library shows for such a photo.
 */
public record TakenAt(Instant instant, Integer offsetMinutes, Source source) {

    public TakenAt {
        Objects.requireNonNull(instant, "instant");
        Objects.requireNonNull(source, "source");
    }

    /** Where a taken-at came from, strongest first; {@link #column()} is its value in the database. */
    public enum Source {
        EXIF_OFFSET("exif-offset"),
        EXIF_LOCAL("exif-local"),
        GPS("gps"),
        FILE("file");

        private final String column;

        Source(String column) {
            this.column = column;
        }

        public String column() {
            return column;
        }
    }
}
