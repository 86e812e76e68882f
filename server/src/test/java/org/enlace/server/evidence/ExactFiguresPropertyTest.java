package org.enlace.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.enlace.server.domain.LatencyHistogram;
import org.enlace.server.domain.LocalMinutes;
import org.enlace.server.domain.OpeningMask;
import org.enlace.server.evidence.EvidenceReport.Availability;
import org.enlace.server.rollup.DayTimeline;
import org.junit.jupiter.api.Test;

/**
 * Completeness and "no data" over random two-day timelines (seeded, so a failure reproduces):
 * random computers with random runs of online, limited and offline minutes, a router that sometimes
 * saw the link up or down, a random hold, opening hours or none, a first enrollment and a "now"
 * anywhere around the days. The rollup (DayTimeline) stores the days as in production; the report's
 * figures (EvidenceService) must equal a minute-by-minute oracle written from the definitions, and
 * completeness is never above 100 %.
 */
class ExactFiguresPropertyTest {
  static final LocalMinutes BOGOTA = EvidenceArithmeticTest.BOGOTA;
  static final LocalDate D0 = LocalDate.of(2026, 10, 13); // a Tuesday
  static final LocalDate D1 = D0.plusDays(1);
  static final ReportPeriod PERIOD = new ReportPeriod("2026-10-13/14", D0, D1);
  static final int CASES = 2_000;

  @Test
  void completenessNeverExceeds100PercentAndEveryMinuteIsCountedOnce() {
    Random r = new Random(20261013L);
    for (int run = 0; run < CASES; run++) {
      check(r, run);
    }
  }

  private static void check(Random r, int run) {
    int hold = r.nextInt(4);
    OpeningMask mask =
        r.nextBoolean() ? EvidenceArithmeticTest.ALL_DAY : EvidenceArithmeticTest.TOWN_HALL;
    int n = 2 * 1440;
    int computers = r.nextInt(4);
    byte[][] own = new byte[computers][n];
    for (byte[] c : own) {
      for (int k = r.nextInt(6); k > 0; k--) {
        int from = r.nextInt(n);
        int len = 1 + r.nextInt(r.nextBoolean() ? 5 : 300);
        byte status = (byte) (1 + r.nextInt(3));
        int every = 1 + r.nextInt(3); // checks that skip minutes, as late ones do
        for (int m = from; m < Math.min(n, from + len); m += every) {
          c[m] = (byte) Math.max(c[m], status);
        }
      }
    }
    boolean[] linkUp = new boolean[n];
    boolean[] linkDown = new boolean[n];
    if (r.nextInt(3) == 0) {
      for (int k = r.nextInt(4); k > 0; k--) {
        int from = r.nextInt(n);
        boolean up = r.nextBoolean();
        for (int m = from; m < Math.min(n, from + r.nextInt(400)); m++) {
          (up ? linkUp : linkDown)[m] = true;
        }
      }
    }
    Instant periodStart = BOGOTA.start(D0);
    Instant enrolled = periodStart.plusSeconds(r.nextInt(n * 60 + 7200) - 3600);
    Instant now = enrolled.plusSeconds(r.nextInt(n * 60 + 7200) - 1800);
    // The router's minutes come from polls: after its registration (a first "enrollment") and
    // before now.
    for (int m = 0; m < n; m++) {
      Instant at = BOGOTA.at(D0.plusDays(m / 1440), m % 1440);
      if (at.isBefore(ExpectedWindow.floor(BOGOTA, enrolled))
          || !at.isBefore(ExpectedWindow.floor(BOGOTA, now))) {
        linkUp[m] = false;
        linkDown[m] = false;
      }
    }

    // The rollup, as the maintainer stores it.
    DayTimeline timeline = new DayTimeline(BOGOTA, hold, mask);
    List<DayTimeline.DayResult> days = new ArrayList<>();
    List<DayTimeline.ComputerDay> previous = List.of();
    for (int d = 0; d < 2; d++) {
      LocalDate day = D0.plusDays(d);
      List<DayTimeline.ComputerDay> today = new ArrayList<>();
      for (int c = 0; c < computers; c++) {
        char[] on = zeros();
        char[] lim = zeros();
        char[] off = zeros();
        boolean any = false;
        for (int m = 0; m < 1440; m++) {
          byte s = own[c][d * 1440 + m];
          any |= s != 0;
          (s == 1 ? on : s == 2 ? lim : s == 3 ? off : new char[1440])[m] = '1';
        }
        if (any) { // the rollup has a row only for a day with observations
          today.add(
              new DayTimeline.ComputerDay(
                  c,
                  day,
                  new String(on),
                  new String(lim),
                  new String(off),
                  LatencyHistogram.empty()));
        }
      }
      char[] up = zeros();
      char[] down = zeros();
      for (int m = 0; m < 1440; m++) {
        up[m] = linkUp[d * 1440 + m] ? '1' : '0';
        down[m] = linkDown[d * 1440 + m] ? '1' : '0';
      }
      days.add(
          timeline.compute(
              day,
              previous,
              today,
              List.of(new DayTimeline.LinkDay(1, day, new String(up), new String(down)))));
      previous = today;
    }

    // The report: the summed days, the days the window cuts recounted.
    ExpectedWindow window = ExpectedWindow.of(BOGOTA, PERIOD, Optional.of(enrolled), now);
    EvidenceDao.DayTotals sum = new EvidenceDao.DayTotals(1, 0, 0, 0, 0, 0);
    List<EvidenceDao.EdgeDay> edges = new ArrayList<>();
    LocalDate startDay =
        window.start().isAfter(periodStart) ? BOGOTA.slot(window.start()).day() : D0.minusDays(1);
    Instant periodEnd = BOGOTA.start(D1.plusDays(1));
    ExpectedWindow any = ExpectedWindow.of(BOGOTA, PERIOD, Optional.empty(), now);
    LocalDate endDay =
        any.end().isBefore(periodEnd) ? BOGOTA.slot(any.end()).day() : D1.plusDays(1);
    for (DayTimeline.DayResult d : days) {
      sum =
          new EvidenceDao.DayTotals(
              1,
              sum.observedOpenMinutes() + d.observedOpenMinutes(),
              sum.upOpenMinutes() + d.upOpenMinutes(),
              sum.outageOpenMinutes() + d.outageOpenMinutes(),
              sum.gapPcsOffOpen() + d.gapPcsOffOpen(),
              sum.gapLinkDownOpen() + d.gapLinkDownOpen());
      if (!d.day().isAfter(startDay) || !d.day().isBefore(endDay)) { // EvidenceDao.edgeDays
        edges.add(
            new EvidenceDao.EdgeDay(
                1,
                d.day(),
                d.observedOpenMinutes(),
                d.upOpenMinutes(),
                d.outageOpenMinutes(),
                d.gapPcsOffOpen(),
                d.gapLinkDownOpen(),
                d.observedBits(),
                d.outageBits()));
      }
    }
    long open =
        EvidenceService.expectedOpenMinutes(
            mask, new HashMap<>(), BOGOTA, PERIOD, Optional.of(enrolled), now);
    Availability a =
        EvidenceService.availability(
            open, EvidenceService.inWindow(sum, edges, window, BOGOTA, mask));

    // The oracle, minute by minute from the definitions.
    Instant first = ExpectedWindow.floor(BOGOTA, enrolled);
    Instant last = ExpectedWindow.floor(BOGOTA, now);
    long expected = 0;
    long observed = 0;
    long upMinutes = 0;
    for (int m = 0; m < n; m++) {
      LocalDate day = D0.plusDays(m / 1440);
      Instant at = BOGOTA.at(day, m % 1440);
      if (at.isBefore(first) || !at.isBefore(last) || !mask.openMinutes(day, BOGOTA)[m % 1440]) {
        continue;
      }
      expected++;
      boolean reporting = false;
      boolean online = false;
      for (byte[] c : own) {
        byte s = effective(c, m, hold);
        reporting |= s != 0;
        online |= s == 1;
      }
      boolean up = reporting ? online : linkUp[m];
      boolean down = !reporting && linkDown[m] && !linkUp[m];
      if (reporting || linkUp[m] || linkDown[m]) {
        observed++;
        upMinutes += up ? 1 : 0;
      }
      assertThat(up && down).isFalse();
    }
    String where = "run " + run + " hold " + hold + " enrolled " + enrolled + " now " + now;
    assertThat(a.openMinutes()).as(where).isEqualTo(expected);
    assertThat(a.observedMinutes()).as(where).isEqualTo(observed);
    assertThat(a.upMinutes()).as(where).isEqualTo(upMinutes);
    assertThat(a.outageMinutes()).as(where).isEqualTo(observed - upMinutes);
    assertThat(a.noDataMinutes()).as(where).isEqualTo(expected - observed);
    assertThat(a.completenessPct().orElse(0.0)).as(where).isBetween(0.0, 100.0);
    assertThat(a.pcsOffMinutes() + a.linkDownMinutes()).as(where).isLessThanOrEqualTo(observed);
  }

  /**
   * The status of minute m after the hold: its own, else the newest own one at most hold minutes
   * back, if the computer has a row (an observation) on m's day.
   */
  private static byte effective(byte[] own, int m, int hold) {
    if (own[m] != 0) {
      return own[m];
    }
    int dayStart = m / 1440 * 1440;
    boolean rowToday = false;
    for (int k = dayStart; k < dayStart + 1440; k++) {
      rowToday |= own[k] != 0;
    }
    if (!rowToday) {
      return 0;
    }
    for (int back = 1; back <= hold && m - back >= 0; back++) {
      if (own[m - back] != 0) {
        return own[m - back];
      }
    }
    return 0;
  }

  private static char[] zeros() {
    char[] c = new char[1440];
    java.util.Arrays.fill(c, '0');
    return c;
  }
}
