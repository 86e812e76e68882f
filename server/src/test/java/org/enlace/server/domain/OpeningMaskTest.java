package org.enlace.server.domain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.enlace.server.domain.OpeningHours.Interval;
import org.junit.jupiter.api.Test;

/** {@link OpeningMask}: which minutes of a local day are inside opening hours. */
public class OpeningMaskTest {
  static final LocalMinutes BOGOTA = new LocalMinutes(ZoneId.of("America/Bogota"));
  static final LocalDate WEDNESDAY = LocalDate.of(2026, 10, 14);
  static final LocalDate SATURDAY = LocalDate.of(2026, 10, 17);
  static final ObjectMapper JSON = Jackson.newObjectMapper();

  static OpeningMask mask(String day, Interval... intervals) {
    return new OpeningMask(new OpeningHours(Map.of(day, List.of(intervals))));
  }

  static int[] openIndexes(boolean[] open) {
    return IntStream.range(0, open.length).filter(i -> open[i]).toArray();
  }

  /** Weekdays 08:00–12:00 and 14:00–18:00: El Contadero's town hall. */
  public static OpeningHours townHallHours() {
    List<OpeningHours.Interval> day =
        List.of(
            new OpeningHours.Interval("08:00", "12:00"),
            new OpeningHours.Interval("14:00", "18:00"));
    return new OpeningHours(
        Map.of("monday", day, "tuesday", day, "wednesday", day, "thursday", day, "friday", day));
  }

  @Test
  void noOpeningHoursMeansOpenEveryMinuteOfEveryDay() {
    OpeningMask m = new OpeningMask(OpeningHours.ALWAYS);
    for (LocalDate d = WEDNESDAY; d.isBefore(WEDNESDAY.plusDays(7)); d = d.plusDays(1)) {
      boolean[] open = m.openMinutes(d, BOGOTA);
      assertThat(open).hasSize(1440);
      assertThat(open[0]).isTrue();
      assertThat(open[1439]).isTrue();
      assertThat(m.count(d, BOGOTA)).as(d.toString()).isEqualTo(1440);
    }
  }

  @Test
  void intervalsIncludeTheOpeningMinuteAndExcludeTheClosingOne() {
    OpeningMask m = new OpeningMask(townHallHours()); // weekdays 08-12 and 14-18
    boolean[] open = m.openMinutes(WEDNESDAY, BOGOTA);
    assertThat(open[479]).isFalse(); // 07:59
    assertThat(open[480]).isTrue(); // 08:00
    assertThat(open[719]).isTrue(); // 11:59
    assertThat(open[720]).isFalse(); // 12:00
    assertThat(open[839]).isFalse(); // 13:59
    assertThat(open[840]).isTrue(); // 14:00
    assertThat(open[1079]).isTrue(); // 17:59
    assertThat(open[1080]).isFalse(); // 18:00
    assertThat(m.count(WEDNESDAY, BOGOTA)).isEqualTo(480);
  }

  @Test
  void aDayNotListedIsClosedAllDay() {
    OpeningMask m = new OpeningMask(townHallHours());
    assertThat(m.openMinutes(SATURDAY, BOGOTA)).hasSize(1440).doesNotContain(true);
    assertThat(m.count(SATURDAY, BOGOTA)).isZero();
    assertThat(m.count(SATURDAY.plusDays(1), BOGOTA)).isZero();
    // Only the listed weekday is open.
    OpeningMask saturdays = mask("saturday", new Interval("09:00", "10:00"));
    assertThat(saturdays.count(SATURDAY, BOGOTA)).isEqualTo(60);
    assertThat(saturdays.count(WEDNESDAY, BOGOTA)).isZero();
  }

  @Test
  void midnightToTwentyFourIsTheWholeDayFromMinuteZeroToMinute1439() {
    OpeningMask m = mask("wednesday", new Interval("00:00", "24:00"));
    boolean[] open = m.openMinutes(WEDNESDAY, BOGOTA);
    assertThat(open[0]).isTrue();
    assertThat(open[1439]).isTrue();
    assertThat(m.count(WEDNESDAY, BOGOTA)).isEqualTo(1440);
  }

  @Test
  void theFirstAndTheLastMinuteOfTheDay() {
    assertThat(
            openIndexes(
                mask("wednesday", new Interval("23:59", "24:00")).openMinutes(WEDNESDAY, BOGOTA)))
        .containsExactly(1439);
    assertThat(
            openIndexes(
                mask("wednesday", new Interval("00:00", "00:01")).openMinutes(WEDNESDAY, BOGOTA)))
        .containsExactly(0);
    // A night shift is written as two days' intervals; the evening ends at 24:00, not 00:00.
    OpeningMask night =
        new OpeningMask(
            new OpeningHours(
                Map.of(
                    "wednesday", List.of(new Interval("22:00", "24:00")),
                    "thursday", List.of(new Interval("00:00", "02:00")))));
    assertThat(night.count(WEDNESDAY, BOGOTA)).isEqualTo(120);
    assertThat(night.count(WEDNESDAY.plusDays(1), BOGOTA)).isEqualTo(120);
    assertThat(night.openMinutes(WEDNESDAY, BOGOTA)[1319]).isFalse();
    assertThat(night.openMinutes(WEDNESDAY, BOGOTA)[1320]).isTrue();
  }

  @Test
  void storedHoursAreReadAndUnreadableOnesAreJudgedAllDay() {
    OpeningMask stored =
        OpeningMask.fromStored(
            JSON, "{\"wednesday\": [{\"open\": \"08:00\", \"close\": \"12:30\"}]}", 1);
    assertThat(stored.count(WEDNESDAY, BOGOTA)).isEqualTo(270);
    assertThat(stored.count(SATURDAY, BOGOTA)).isZero();
    assertThat(OpeningMask.fromStored(JSON, "{}", 1).count(SATURDAY, BOGOTA)).isEqualTo(1440);
    // Never judged closed because a stored value no longer reads.
    assertThat(OpeningMask.fromStored(JSON, "not json", 1).count(WEDNESDAY, BOGOTA))
        .isEqualTo(1440);
    assertThat(OpeningMask.fromStored(JSON, "{\"miércoles\": []}", 1).count(WEDNESDAY, BOGOTA))
        .isEqualTo(1440);
    assertThat(
            OpeningMask.fromStored(
                    JSON, "{\"wednesday\": [{\"open\": \"12:00\", \"close\": \"08:00\"}]}", 1)
                .count(WEDNESDAY, BOGOTA))
        .isEqualTo(1440);
  }

  @Test
  void inAZoneWithDaylightSavingTheHoursAreWallClock() {
    // Not Colombia's case, but the mask must not assume 1440 minutes: New York, 8 March 2026
    // (a Sunday) has 1380, and 02:00-03:00 does not exist.
    LocalMinutes newYork = new LocalMinutes(ZoneId.of("America/New_York"));
    LocalDate spring = LocalDate.of(2026, 3, 8);
    OpeningMask m = mask("sunday", new Interval("00:00", "04:00"));
    boolean[] open = m.openMinutes(spring, newYork);
    assertThat(open).hasSize(1380);
    // 00:00-02:00 (120 slots), then 03:00-04:00 (60 slots) after the clock jumps.
    assertThat(m.count(spring, newYork)).isEqualTo(180);
    assertThat(open[179]).isTrue();
    assertThat(open[180]).isFalse();
  }
}
