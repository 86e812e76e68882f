package org.enlace.server.evidence;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.enlace.server.domain.LatencyHistogram;
import org.enlace.server.domain.LocalMinutes;
import org.enlace.server.domain.OpeningHours;
import org.enlace.server.domain.OpeningMask;
import org.enlace.server.evidence.EvidenceReport.ComputerMinutes;
import org.enlace.server.rollup.DayTimeline;
import org.jspecify.annotations.Nullable;

/**
 * Each computer's minutes by status in a period. Whole days come from the rollup's per-day minutes
 * (computer_day_minutes); the days its window cuts (its enrollment minute, its decommission date,
 * now) are recounted from the stored minute bits with the same hold, so that online + limited +
 * offline never exceed the expected minutes and the rest is exactly the minutes with no data.
 */
final class ComputerMinutesCounter {
  private final LocalMinutes minutes;
  private final DayTimeline timeline;

  ComputerMinutesCounter(LocalMinutes minutes, int holdMinutes) {
    this.minutes = minutes;
    this.timeline = new DayTimeline(minutes, holdMinutes, new OpeningMask(OpeningHours.ALWAYS));
  }

  /** The whole minutes in which this computer's data is expected. */
  ExpectedWindow window(EvidenceDao.CounterComputer c, ReportPeriod period, Instant now) {
    ExpectedWindow w =
        ExpectedWindow.of(minutes, period, java.util.Optional.of(c.enrolledAt()), now);
    Instant end = w.end();
    if (c.decommissionedAt().isPresent()) {
      // It leaves the counts from its decommission date: that whole day is no longer expected.
      Instant gone = minutes.start(minutes.slot(c.decommissionedAt().get()).day());
      if (gone.isBefore(end)) {
        end = gone.isBefore(w.start()) ? w.start() : gone;
      }
    }
    return new ExpectedWindow(w.start(), end);
  }

  /** A stored computer-day's minute bits, as the timeline reads them. */
  static DayTimeline.ComputerDay day(EvidenceDao.ComputerDayBits b) {
    return new DayTimeline.ComputerDay(
        b.computerId(), b.day(), b.online(), b.limited(), b.offline(), LatencyHistogram.empty());
  }

  /**
   * One day that the window cuts, recounted from its stored bits with the hold (from the day
   * before, when stored): the minutes by status, indexed as {@link DayTimeline}'s statuses, that
   * lie inside the window.
   */
  long[] recount(
      ExpectedWindow w,
      LocalDate d,
      DayTimeline.ComputerDay today,
      DayTimeline.@Nullable ComputerDay previousDay) {
    long[] byStatus = new long[4];
    byte[] s = timeline.statuses(today, previousDay);
    int[] covered = w.minutesOf(minutes, d);
    for (int m = covered[0]; m < Math.min(covered[1], s.length); m++) {
      if (s[m] != DayTimeline.NONE) {
        byStatus[s[m]]++;
      }
    }
    return byStatus;
  }

  List<ComputerMinutes> count(
      EvidenceDao dao,
      List<EvidenceDao.CounterComputer> computers,
      ReportPeriod period,
      Instant now) {
    List<Long> wholeIds = new ArrayList<>();
    // The days of the period outside each computer's whole days, taken off its months' sums.
    List<Long> outIds = new ArrayList<>();
    List<String> outFrom = new ArrayList<>();
    List<String> outTo = new ArrayList<>();
    List<Long> bitIds = new ArrayList<>();
    List<String> bitDays = new ArrayList<>();
    Map<Long, TreeSet<LocalDate>> edges = new HashMap<>();
    for (EvidenceDao.CounterComputer c : computers) {
      ExpectedWindow w = window(c, period, now);
      if (w.isEmpty()) {
        continue;
      }
      LocalMinutes.Slot first = minutes.slot(w.start());
      LocalMinutes.Slot last = minutes.slot(w.end());
      LocalDate firstWhole = first.minute() == 0 ? first.day() : first.day().plusDays(1);
      LocalDate lastWhole = last.day().minusDays(1);
      if (!firstWhole.isAfter(lastWhole)) {
        wholeIds.add(c.id());
        if (firstWhole.isAfter(period.firstDay())) {
          outIds.add(c.id());
          outFrom.add(period.firstDay().toString());
          outTo.add(firstWhole.minusDays(1).toString());
        }
        if (lastWhole.isBefore(period.lastDay())) {
          outIds.add(c.id());
          outFrom.add(lastWhole.plusDays(1).toString());
          outTo.add(period.lastDay().toString());
        }
      }
      TreeSet<LocalDate> cut = new TreeSet<>();
      if (first.minute() != 0) {
        cut.add(first.day());
      }
      if (last.minute() != 0) {
        cut.add(last.day());
      }
      edges.put(c.id(), cut);
      for (LocalDate d : cut) {
        for (LocalDate x : List.of(d.minusDays(1), d)) {
          bitIds.add(c.id());
          bitDays.add(x.toString());
        }
      }
    }
    Map<Long, long[]> whole = wholeTotals(dao, period, wholeIds, outIds, outFrom, outTo);
    Map<Long, Map<LocalDate, DayTimeline.ComputerDay>> bits = new HashMap<>();
    if (!bitIds.isEmpty()) {
      for (EvidenceDao.ComputerDayBits b :
          dao.computerDayBits(
              bitIds.stream().mapToLong(Long::longValue).toArray(),
              bitDays.toArray(String[]::new))) {
        bits.computeIfAbsent(b.computerId(), k -> new HashMap<>()).put(b.day(), day(b));
      }
    }
    List<ComputerMinutes> out = new ArrayList<>();
    for (EvidenceDao.CounterComputer c : computers) {
      ExpectedWindow w = window(c, period, now);
      long expected = Duration.between(w.start(), w.end()).toMinutes();
      long[] byStatus = new long[4];
      long[] t = whole.get(c.id());
      if (t != null) {
        byStatus[DayTimeline.ONLINE] += t[0];
        byStatus[DayTimeline.LIMITED] += t[1];
        byStatus[DayTimeline.OFFLINE] += t[2];
      }
      Map<LocalDate, DayTimeline.ComputerDay> own = bits.getOrDefault(c.id(), Map.of());
      for (LocalDate d : edges.getOrDefault(c.id(), new TreeSet<>())) {
        DayTimeline.ComputerDay today = own.get(d);
        if (today == null) {
          continue; // no row that day: the rollup holds nothing into it either
        }
        long[] day = recount(w, d, today, own.get(d.minusDays(1)));
        for (int i = 0; i < byStatus.length; i++) {
          byStatus[i] += day[i];
        }
      }
      long seen =
          byStatus[DayTimeline.ONLINE]
              + byStatus[DayTimeline.LIMITED]
              + byStatus[DayTimeline.OFFLINE];
      out.add(
          new ComputerMinutes(
              c.id(),
              c.hostname(),
              expected,
              byStatus[DayTimeline.ONLINE],
              byStatus[DayTimeline.LIMITED],
              byStatus[DayTimeline.OFFLINE],
              Math.max(0, expected - seen)));
    }
    return out;
  }

  /**
   * Each computer's whole days' minutes (online, limited, offline): its months' sums, which the
   * rollup keeps, less the period's days outside its whole days. The same figures as summing its
   * whole days, without reading every computer-day of the period.
   */
  private static Map<Long, long[]> wholeTotals(
      EvidenceDao dao,
      ReportPeriod period,
      List<Long> ids,
      List<Long> outIds,
      List<String> outFrom,
      List<String> outTo) {
    Map<Long, long[]> whole = new HashMap<>();
    if (ids.isEmpty()) {
      return whole;
    }
    for (EvidenceDao.ComputerTotals t :
        dao.monthTotals(
            ids.stream().mapToLong(Long::longValue).toArray(),
            period.firstDay(),
            period.lastDay().withDayOfMonth(1))) {
      whole.put(t.computerId(), new long[] {t.online(), t.limited(), t.offline()});
    }
    if (!outIds.isEmpty()) {
      for (EvidenceDao.ComputerTotals t :
          dao.rangeTotals(
              outIds.stream().mapToLong(Long::longValue).toArray(),
              outFrom.toArray(String[]::new),
              outTo.toArray(String[]::new))) {
        long[] sum = whole.get(t.computerId());
        if (sum != null) {
          sum[0] -= t.online();
          sum[1] -= t.limited();
          sum[2] -= t.offline();
        }
      }
    }
    return whole;
  }
}
