package org.enlace.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Random;
import org.enlace.server.domain.LocalMinutes;
import org.junit.jupiter.api.Test;

class ExpectedWindowTest {
  /**
   * minutesOf is the range form of covers: the same minutes for windows starting and ending at any
   * second, in Bogotá and across a daylight-saving change (a 1,380- and a 1,500-minute day).
   */
  @Test
  void minutesOfCoversExactlyTheMinutesCoversDoes() {
    Random random = new Random(18);
    for (String zone : new String[] {"America/Bogota", "America/New_York"}) {
      LocalMinutes minutes = new LocalMinutes(ZoneId.of(zone));
      for (LocalDate day :
          new LocalDate[] {
            LocalDate.of(2026, 10, 14), LocalDate.of(2026, 3, 8), LocalDate.of(2026, 11, 1)
          }) {
        Instant dayStart = minutes.start(day);
        for (int i = 0; i < 400; i++) {
          // From two days before to two days after the day's start, to the second.
          Instant a = dayStart.plusSeconds(random.nextInt(4 * 86_400) - 2 * 86_400L);
          Instant b = a.plusSeconds(random.nextInt(2 * 86_400));
          ExpectedWindow w = new ExpectedWindow(a, b);
          int[] range = w.minutesOf(minutes, day);
          for (int m = 0; m < minutes.minutesIn(day); m++) {
            boolean inRange = m >= range[0] && m < range[1];
            assertThat(inRange)
                .as("%s %s minute %d of %s", zone, day, m, w)
                .isEqualTo(w.covers(minutes.at(day, m)));
          }
        }
      }
    }
  }
}
