package io.cumulus.ingest.photos;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Photos counted by the day and month they were taken on where they were taken: the instant seen at
 * its own UTC offset when the photo knows it, else in UTC. A photo taken at 23:30 in Tokyo counts on
 * that Tokyo day, even though it was still the day before in UTC.
 */
public final class PhotoGroups {
    private final Map<LocalDate, Long> byDay = new TreeMap<>(Comparator.reverseOrder());

    /** A count of photos on one local day. */
    public record Day(LocalDate day, long count) {
    }

    /** A count of photos in one local month. */
    public record Month(YearMonth month, long count) {
    }

    /** The local day of a photo taken at {@code takenAt}, its UTC offset in minutes {@code offsetMinutes} when known. */
    public static LocalDate localDay(Instant takenAt, Integer offsetMinutes) {
        ZoneOffset offset = offsetMinutes == null ? ZoneOffset.UTC : ZoneOffset.ofTotalSeconds(offsetMinutes * 60);
        return takenAt.atOffset(offset).toLocalDate();
    }

    public void add(Instant takenAt, Integer offsetMinutes) {
        byDay.merge(localDay(takenAt, offsetMinutes), 1L, Long::sum);
    }

    /** Every day with a photo, newest first. */
    public List<Day> days() {
        List<Day> days = new ArrayList<>();
        byDay.forEach((day, count) -> days.add(new Day(day, count)));
        return days;
    }

    /** Every month with a photo, newest first. */
    public List<Month> months() {
        Map<YearMonth, Long> byMonth = new TreeMap<>(Comparator.reverseOrder());
        byDay.forEach((day, count) -> byMonth.merge(YearMonth.from(day), count, Long::sum));
        List<Month> months = new ArrayList<>();
        byMonth.forEach((month, count) -> months.add(new Month(month, count)));
        return months;
    }
}
