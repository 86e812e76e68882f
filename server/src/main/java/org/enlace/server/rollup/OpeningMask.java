package org.enlace.server.rollup;

import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import java.util.Locale;
import org.enlace.server.inventory.OpeningHours;

/** Which minutes of a local day fall inside an establishment's opening hours. */
public final class OpeningMask {
  private final OpeningHours hours;

  public OpeningMask(OpeningHours hours) {
    this.hours = hours;
  }

  public boolean[] openMinutes(LocalDate day, LocalMinutes minutes) {
    int n = minutes.minutesIn(day);
    boolean[] open = new boolean[n];
    if (hours.days().isEmpty()) {
      java.util.Arrays.fill(open, true);
      return open;
    }
    List<OpeningHours.Interval> today = hours.days()
        .getOrDefault(day.getDayOfWeek().name().toLowerCase(Locale.ROOT), List.of());
    for (int m = 0; m < n; m++) {
      int wall = minutes.wallMinute(day, m);
      for (OpeningHours.Interval i : today) {
        int from = minuteOf(i.open());
        int to = i.close().equals("24:00") ? 1440 : minuteOf(i.close());
        if (wall >= from && wall < to) {
          open[m] = true;
          break;
        }
      }
    }
    return open;
  }

  private static int minuteOf(String hhmm) {
    LocalTime t = LocalTime.parse(hhmm);
    return t.getHour() * 60 + t.getMinute();
  }
}
