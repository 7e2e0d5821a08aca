package io.cumulus.photos.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class TakenAtEvidenceTest {
    private static final Instant FILE_TIME = Instant.parse("2025-01-01T00:00:00Z");
    private static final LocalDateTime NOON = LocalDateTime.parse("2024-07-01T12:00:00");

    @Test
    void localTimeWithItsOffsetIsExact() {
        TakenAt takenAt = new TakenAtEvidence(NOON, ZoneOffset.ofHours(2), Instant.parse("2024-07-01T09:00:00Z"))
                .resolve(FILE_TIME);

        assertThat(takenAt).isEqualTo(new TakenAt(Instant.parse("2024-07-01T10:00:00Z"), 120,
                TakenAt.Source.EXIF_OFFSET));
    }

    @Test
    void localTimeAndGpsClockGiveTheGpsInstantAndTheOffsetRoundedToAQuarterHour() {
        // Nepal, +05:45, with the GPS fix 40 seconds after the shutter.
        TakenAt takenAt = new TakenAtEvidence(NOON, null, Instant.parse("2024-07-01T06:15:40Z")).resolve(FILE_TIME);

        assertThat(takenAt).isEqualTo(new TakenAt(Instant.parse("2024-07-01T06:15:40Z"), 345, TakenAt.Source.GPS));
    }

    @Test
    void aWesternOffsetIsNegative() {
        TakenAt takenAt = new TakenAtEvidence(NOON, null, Instant.parse("2024-07-01T19:00:00Z")).resolve(FILE_TIME);

        assertThat(takenAt.offsetMinutes()).isEqualTo(-420);
    }

    @Test
    void aCameraClockFarFromTheGpsClockLeavesTheOffsetUnknown() {
        TakenAt takenAt = new TakenAtEvidence(NOON, null, Instant.parse("2024-06-30T12:00:00Z")).resolve(FILE_TIME);

        assertThat(takenAt).isEqualTo(new TakenAt(Instant.parse("2024-06-30T12:00:00Z"), null, TakenAt.Source.GPS));
    }

    @Test
    void localTimeAloneIsReadAsUtcWithNoOffset() {
        TakenAt takenAt = new TakenAtEvidence(NOON, null, null).resolve(FILE_TIME);

        assertThat(takenAt).isEqualTo(new TakenAt(Instant.parse("2024-07-01T12:00:00Z"), null,
                TakenAt.Source.EXIF_LOCAL));
    }

    @Test
    void theGpsClockAloneGivesTheInstantWithNoOffset() {
        TakenAt takenAt = new TakenAtEvidence(null, null, Instant.parse("2024-07-01T06:00:00Z")).resolve(FILE_TIME);

        assertThat(takenAt).isEqualTo(new TakenAt(Instant.parse("2024-07-01T06:00:00Z"), null, TakenAt.Source.GPS));
    }

    @Test
    void nothingInTheFileFallsBackToTheFileTime() {
        assertThat(TakenAtEvidence.NONE.resolve(FILE_TIME)).isEqualTo(new TakenAt(FILE_TIME, null,
                TakenAt.Source.FILE));
    }
}
