package org.enlace.server.evidence;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.enlace.server.evidence.EvidenceReport.Coverage;
import org.enlace.server.evidence.EvidenceReport.DayRange;

/**
 * The coverage of a report's period, from the days with data. Kept apart from the queries so that
 * its rules can be tested on plain dates.
 */
final class PeriodCoverage {
  private PeriodCoverage() {}

  /**
   * @param today the municipality's local date now
   * @param daysWithData days of the period on which anything in the report's scope reported
   * @param anyOpen whether any place of the scope was open on a day (nothing is expected when all
   *     are closed)
   * @param firstEnrollments each place's first enrollment day (agent or router), for the places
   *     that have one
   */
  static Coverage of(
      ReportPeriod period,
      LocalDate today,
      Collection<LocalDate> daysWithData,
      Predicate<LocalDate> anyOpen,
      Collection<LocalDate> firstEnrollments) {
    LocalDate first = period.firstDay();
    LocalDate last = period.lastDay();
    LocalDate asOf = today.isBefore(last) ? today : last;
    TreeSet<LocalDate> data = new TreeSet<>();
    for (LocalDate d : daysWithData) {
      if (!d.isBefore(first) && !d.isAfter(asOf)) {
        data.add(d);
      }
    }
    Optional<LocalDate> firstData = data.isEmpty() ? Optional.empty() : Optional.of(data.first());
    Optional<LocalDate> lastData = data.isEmpty() ? Optional.empty() : Optional.of(data.last());

    List<LocalDate> missing = new ArrayList<>();
    long elapsed = 0;
    boolean gaps = false;
    for (LocalDate d = first; !d.isAfter(asOf); d = d.plusDays(1)) {
      elapsed++;
      boolean afterFirstData = firstData.isPresent() && d.isAfter(firstData.get());
      if (!data.contains(d) && !(afterFirstData && !anyOpen.test(d))) {
        missing.add(d);
        gaps |= afterFirstData;
      }
    }
    long covered = elapsed - missing.size();
    List<DayRange> uncovered = ranges(missing);

    List<String> reasons = new ArrayList<>();
    boolean notOver = !today.isAfter(last);
    if (notOver) {
      reasons.add("not_over");
    }
    boolean anyAgents = firstEnrollments.stream().anyMatch(e -> !e.isAfter(asOf));
    if (!anyAgents) {
      reasons.add("no_agents");
    } else if (data.isEmpty()) {
      reasons.add("no_data");
    }
    // The scope as a whole started during the period: its first days had nothing to measure. A
    // place joining a scope that already reported is no gap: its own figures start at enrollment.
    Optional<LocalDate> started = firstEnrollments.stream().min(LocalDate::compareTo);
    if (started.isPresent() && started.get().isAfter(first) && !started.get().isAfter(asOf)) {
      reasons.add("enrolled_mid_period");
    }
    if (gaps) {
      reasons.add("gaps");
    }
    boolean complete = !notOver && uncovered.isEmpty() && !data.isEmpty();
    return new Coverage(
        complete,
        asOf,
        ChronoUnit.DAYS.between(first, last) + 1,
        elapsed,
        covered,
        data.size(),
        firstData,
        lastData,
        uncovered,
        List.copyOf(reasons));
  }

  /** Consecutive days as ranges: 1, 2, 3, 7 → 1–3, 7–7. */
  static List<DayRange> ranges(List<LocalDate> sortedDays) {
    List<DayRange> out = new ArrayList<>();
    int i = 0;
    while (i < sortedDays.size()) {
      int j = i;
      while (j + 1 < sortedDays.size()
          && sortedDays.get(j + 1).equals(sortedDays.get(j).plusDays(1))) {
        j++;
      }
      out.add(new DayRange(sortedDays.get(i), sortedDays.get(j)));
      i = j + 1;
    }
    return List.copyOf(out);
  }
}
