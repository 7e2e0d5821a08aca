package io.cumulus.photos.image;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * What a file says about when it was taken, and the rule that turns it into a {@link TakenAt}:
 * <ol>
 * <li>the camera's local time with its offset (EXIF DateTimeOriginal + OffsetTimeOriginal):
 * exact, {@code exif-offset};</li>
 * <li>the local time and the GPS clock (UTC): the instant is the GPS one, the offset is the local
 * time minus it rounded to a quarter hour (every zone's offset is one), {@code gps}; a difference
 * beyond any zone's offset means the camera's clock was wrong, and the offset stays unknown;</li>
 * <li>the local time alone: read as UTC, offset unknown, {@code exif-local};</li>
 * <li>the GPS clock alone: {@code gps}, offset unknown;</li>
 * <li>else the file's own time: {@code file}.</li>
 * </ol>
 */
record TakenAtEvidence(LocalDateTime localTime, ZoneOffset offset, Instant gpsTime) {
    private static final int QUARTER_HOUR_SECONDS = 15 * 60;
    private static final int MIN_OFFSET_MINUTES = -12 * 60;
    private static final int MAX_OFFSET_MINUTES = 14 * 60;

    static final TakenAtEvidence NONE = new TakenAtEvidence(null, null, null);

    TakenAt resolve(Instant fileTime) {
        if (localTime != null && offset != null) {
            return new TakenAt(localTime.toInstant(offset), offset.getTotalSeconds() / 60, TakenAt.Source.EXIF_OFFSET);
        }
        if (localTime != null && gpsTime != null) {
            long seconds = Duration.between(gpsTime, localTime.toInstant(ZoneOffset.UTC)).toSeconds();
            long quarters = Math.round(seconds / (double) QUARTER_HOUR_SECONDS);
            int minutes = (int) (quarters * 15);
            Integer known = minutes >= MIN_OFFSET_MINUTES && minutes <= MAX_OFFSET_MINUTES ? minutes : null;
            return new TakenAt(gpsTime, known, TakenAt.Source.GPS);
        }
        if (localTime != null) {
            return new TakenAt(localTime.toInstant(ZoneOffset.UTC), null, TakenAt.Source.EXIF_LOCAL);
        }
        if (gpsTime != null) {
            return new TakenAt(gpsTime, null, TakenAt.Source.GPS);
        }
        return new TakenAt(fileTime, null, TakenAt.Source.FILE);
    }
}
