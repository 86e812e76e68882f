package org.enlace.server.evidence;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.enlace.server.domain.LocalMinutes;
import org.enlace.server.domain.OpeningMask;
import org.enlace.server.indicators.PartialMonths;
import org.jdbi.v3.core.Jdbi;

/**
 * The municipality report's coverage rule ({@link PeriodCoverage}) applied month by month, for the
 * indicators page: a month is partial exactly when the municipality's report of that month would
 * show its coverage box and mark its changes "datos incompletos".
 */
public final class MonthlyCoverage implements PartialMonths {
  private final Jdbi jdbi;
  private final LocalMinutes minutes;
  private final ObjectMapper json;
  private final Clock clock;

  public MonthlyCoverage(Jdbi jdbi, LocalMinutes minutes, ObjectMapper json, Clock clock) {
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
    this.minutes = requireNonNull(minutes, "minutes is null");
    this.json = requireNonNull(json, "json is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  @Override
  public Set<YearMonth> partial(YearMonth first, YearMonth last) {
    LocalDate today = clock.instant().atZone(minutes.zone()).toLocalDate();
    return jdbi.inTransaction(
        h -> {
          h.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
          EvidenceDao dao = h.attach(EvidenceDao.class);
          List<EvidenceDao.Place> places = dao.places(null);
          long[] ids = places.stream().mapToLong(EvidenceDao.Place::id).toArray();
          List<LocalDate> enrolled =
              dao.firstEnrollments(ids).stream()
                  .map(s -> s.at().atZone(minutes.zone()).toLocalDate())
                  .toList();
          List<LocalDate> days =
              h.attach(CoverageDao.class).daysWithData(ids, first.atDay(1), last.atEndOfMonth());
          Predicate<LocalDate> anyOpen = anyOpen(places);
          Set<YearMonth> out = new TreeSet<>();
          for (YearMonth m = first; !m.isAfter(last); m = m.plusMonths(1)) {
            ReportPeriod period = new ReportPeriod(m.toString(), m.atDay(1), m.atEndOfMonth());
            if (m.atDay(1).isAfter(today)
                || !PeriodCoverage.of(period, today, days, anyOpen, enrolled).complete()) {
              out.add(m);
            }
          }
          return out;
        });
  }

  /** Whether any establishment was open on a day; each distinct schedule is read once. */
  private Predicate<LocalDate> anyOpen(List<EvidenceDao.Place> places) {
    Map<String, OpeningMask> masks = new HashMap<>();
    for (EvidenceDao.Place p : places) {
      masks.computeIfAbsent(
          String.valueOf(p.openingHours()),
          k -> OpeningMask.fromStored(json, p.openingHours(), p.id()));
    }
    Map<LocalDate, Boolean> known = new HashMap<>();
    return day ->
        known.computeIfAbsent(
            day, d -> masks.values().stream().anyMatch(mask -> mask.count(d, minutes) > 0));
  }
}
