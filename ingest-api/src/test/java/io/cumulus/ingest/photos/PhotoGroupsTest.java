package io.cumulus.ingest.photos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;

import org.junit.jupiter.api.Test;

class PhotoGroupsTest {

    @Test
    void aPhotoCountsOnTheDayWhereItWasTakenNotTheUtcDay() {
        // 23:30 in Tokyo (+09:00) is 14:30 UTC the same day; 00:30 in Tokyo is still the day before in UTC
        assertThat(PhotoGroups.localDay(Instant.parse("2024-05-01T15:30:00Z"), 9 * 60)).isEqualTo(LocalDate.parse("2024-05-02"));
        assertThat(PhotoGroups.localDay(Instant.parse("2024-05-01T15:30:00Z"), null)).isEqualTo(LocalDate.parse("2024-05-01"));
        assertThat(PhotoGroups.localDay(Instant.parse("2024-05-02T02:00:00Z"), -5 * 60)).isEqualTo(LocalDate.parse("2024-05-01"));
    }

    @Test
    void daysAndMonthsAreCountedNewestFirst() {
        PhotoGroups groups = new PhotoGroups();
        groups.add(Instant.parse("2024-04-30T12:00:00Z"), null);
        groups.add(Instant.parse("2024-05-01T12:00:00Z"), null);
        groups.add(Instant.parse("2024-05-01T13:00:00Z"), 60);
        groups.add(Instant.parse("2024-04-30T23:30:00Z"), 120); // 01:30 on May 1st, local

        assertThat(groups.days()).containsExactly(
                new PhotoGroups.Day(LocalDate.parse("2024-05-01"), 3),
                new PhotoGroups.Day(LocalDate.parse("2024-04-30"), 1));
        assertThat(groups.months()).containsExactly(
                new PhotoGroups.Month(YearMonth.parse("2024-05"), 3),
                new PhotoGroups.Month(YearMonth.parse("2024-04"), 1));
    }

    @Test
    void noPhotosNoGroups() {
        assertThat(new PhotoGroups().days()).isEmpty();
        assertThat(new PhotoGroups().months()).isEmpty();
    }
}
