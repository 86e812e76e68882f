package org.enlace.server.indicators;

import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.enlace.server.domain.Sector;
import org.enlace.server.indicators.IndicatorReport.Baseline;
import org.enlace.server.indicators.IndicatorReport.Completeness;
import org.enlace.server.indicators.IndicatorReport.Counts;
import org.enlace.server.indicators.IndicatorReport.SectorFigures;
import org.enlace.server.web.ApiException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;

/** The plan's indicators: connected computers and establishments per period and sector. */
public final class IndicatorService {
  static final List<String> SECTORS = Sector.WIRE_NAMES;
  private static final int MAX_MONTHS = 12 * 20;

  private final Jdbi jdbi;
  private final IndicatorsConfig config;
  private final ZoneId zone;

  public IndicatorService(Jdbi jdbi, IndicatorsConfig config, ZoneId zone) {
    this.jdbi = jdbi;
    this.config = config;
    this.zone = zone;
  }

  public IndicatorsConfig config() {
    return config;
  }

  public IndicatorReport report(YearMonth from, YearMonth to, Granularity granularity) {
    if (to.isBefore(from)) {
      throw ApiException.badRequest("to", "must not be before from");
    }
    if (from.plusMonths(MAX_MONTHS).isBefore(to)) {
      throw ApiException.badRequest("to", "a request covers at most 20 years");
    }
    return jdbi.withHandle(
        h -> {
          IndicatorDao dao = h.attach(IndicatorDao.class);
          Optional<Baseline> baseline = dao.currentBaseline().map(IndicatorService::baseline);
          List<IndicatorReport.Period> periods = new ArrayList<>();
          for (YearMonth start = granularity.start(from);
              !start.isAfter(to);
              start = granularity.next(start)) {
            periods.add(
                period(
                    dao,
                    granularity.label(start),
                    start.atDay(1),
                    granularity.lastDay(start),
                    baseline));
          }
          return new IndicatorReport(
              from.toString(),
              to.toString(),
              granularity,
              new IndicatorReport.Definition(config.getMinOnlineDays(), zone.getId()),
              baseline,
              periods);
        });
  }

  /** One period's figures, for the indicators API and the evidence reports. */
  public IndicatorReport.Period period(
      Handle h, String label, LocalDate firstDay, LocalDate lastDay) {
    IndicatorDao dao = h.attach(IndicatorDao.class);
    return period(
        dao, label, firstDay, lastDay, dao.currentBaseline().map(IndicatorService::baseline));
  }

  public Optional<Baseline> currentBaseline(Handle h) {
    return h.attach(IndicatorDao.class).currentBaseline().map(IndicatorService::baseline);
  }

  private IndicatorReport.Period period(
      IndicatorDao dao,
      String label,
      LocalDate firstDay,
      LocalDate lastDay,
      Optional<Baseline> baseline) {
    LocalDate end = lastDay.plusDays(1);
    Map<String, IndicatorDao.SectorCounts> measured =
        bySector(dao.measured(firstDay.withDayOfMonth(1), end, config.getMinOnlineDays()));
    Map<String, IndicatorDao.SectorCounts> declared = bySector(dao.declared(firstDay, end));
    Map<String, IndicatorDao.SectorCounts> enrolled =
        bySector(
            dao.enrolled(
                firstDay.plusDays(1).atStartOfDay(zone).toInstant(),
                end.atStartOfDay(zone).toInstant()));
    return period(label, firstDay, lastDay, measured, declared, enrolled, baseline);
  }

  /**
   * Whole months' figures, the same as {@link #period} gives for each month, from three queries in
   * all instead of three per month: the evidence report's trend asks for up to 12 at once.
   */
  public List<IndicatorReport.Period> months(Handle h, List<YearMonth> months) {
    if (months.isEmpty()) {
      return List.of();
    }
    IndicatorDao dao = h.attach(IndicatorDao.class);
    Optional<Baseline> baseline = dao.currentBaseline().map(IndicatorService::baseline);
    String[] starts = months.stream().map(m -> m.atDay(1).toString()).toArray(String[]::new);
    String[] secondDays =
        months.stream()
            .map(m -> m.atDay(2).atStartOfDay(zone).toInstant().toString())
            .toArray(String[]::new);
    String[] ends =
        months.stream()
            .map(m -> m.plusMonths(1).atDay(1).atStartOfDay(zone).toInstant().toString())
            .toArray(String[]::new);
    Map<LocalDate, Map<String, IndicatorDao.SectorCounts>> measured =
        byMonth(dao.measuredByMonth(starts, config.getMinOnlineDays()));
    Map<LocalDate, Map<String, IndicatorDao.SectorCounts>> declared =
        byMonth(dao.declaredByMonth(starts));
    Map<LocalDate, Map<String, IndicatorDao.SectorCounts>> enrolled =
        byMonth(dao.enrolledByMonth(starts, secondDays, ends));
    List<IndicatorReport.Period> out = new ArrayList<>();
    for (YearMonth m : months) {
      LocalDate first = m.atDay(1);
      out.add(
          period(
              m.toString(),
              first,
              m.atEndOfMonth(),
              measured.getOrDefault(first, Map.of()),
              declared.getOrDefault(first, Map.of()),
              enrolled.getOrDefault(first, Map.of()),
              baseline));
    }
    return out;
  }

  private static Map<LocalDate, Map<String, IndicatorDao.SectorCounts>> byMonth(
      List<IndicatorDao.MonthSectorCounts> rows) {
    Map<LocalDate, Map<String, IndicatorDao.SectorCounts>> out = new HashMap<>();
    for (IndicatorDao.MonthSectorCounts r : rows) {
      out.computeIfAbsent(r.month(), k -> new HashMap<>()).put(r.sector(), r.counts());
    }
    return out;
  }

  private IndicatorReport.Period period(
      String label,
      LocalDate firstDay,
      LocalDate lastDay,
      Map<String, IndicatorDao.SectorCounts> measured,
      Map<String, IndicatorDao.SectorCounts> declared,
      Map<String, IndicatorDao.SectorCounts> enrolled,
      Optional<Baseline> baseline) {
    List<SectorFigures> sectors = new ArrayList<>();
    for (String sector : SECTORS) {
      SectorFigures f =
          figures(
              sector,
              counts(measured.get(sector)),
              counts(declared.get(sector)),
              completeness(measured.get(sector), enrolled.get(sector)),
              baseline);
      sectors.add(f);
    }
    // The total folds the sectors in order (SECTORS is never empty).
    SectorFigures total = sectors.get(0);
    for (int k = 1; k < sectors.size(); k++) {
      total = sum(total, sectors.get(k), baseline);
    }
    sectors.add(total);
    return new IndicatorReport.Period(label, firstDay, lastDay, sectors);
  }

  private static SectorFigures sum(SectorFigures a, SectorFigures b, Optional<Baseline> baseline) {
    Completeness c =
        new Completeness(
            a.completeness().computersEnrolled() + b.completeness().computersEnrolled(),
            a.completeness().computersReporting() + b.completeness().computersReporting(),
            a.completeness().establishmentsWithAgents()
                + b.completeness().establishmentsWithAgents());
    return figures(
        "total", a.measured().plus(b.measured()), a.declared().plus(b.declared()), c, baseline);
  }

  private static SectorFigures figures(
      String sector,
      Counts measured,
      Counts declared,
      Completeness completeness,
      Optional<Baseline> baseline) {
    Counts combined = measured.plus(declared);
    Optional<Counts> base = baseline.map(b -> b.of(sector));
    Optional<Double> computersChange =
        base.flatMap(b -> change(combined.computers(), b.computers()));
    Optional<Double> establishmentsChange =
        base.flatMap(b -> change(combined.establishments(), b.establishments()));
    double target = baseline.map(Baseline::targetIncreasePct).orElse(100.0);
    return new SectorFigures(
        sector,
        measured,
        declared,
        combined,
        base,
        computersChange,
        establishmentsChange,
        computersChange.map(c -> round(c / target * 100)),
        establishmentsChange.map(c -> round(c / target * 100)),
        completeness);
  }

  /** Change in % against the baseline; none when the baseline is zero (no ratio to show). */
  static Optional<Double> change(long value, long base) {
    return base == 0 ? Optional.empty() : Optional.of(round((value - base) * 100.0 / base));
  }

  static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  /** A sector without rows counts zero. */
  private static Counts counts(IndicatorDao.@Nullable SectorCounts c) {
    return c == null ? new Counts(0, 0) : new Counts(c.computers(), c.establishments());
  }

  private static Completeness completeness(
      IndicatorDao.@Nullable SectorCounts measured, IndicatorDao.@Nullable SectorCounts enrolled) {
    return new Completeness(
        enrolled == null ? 0 : enrolled.computers(),
        measured == null ? 0 : measured.computersReporting(),
        enrolled == null ? 0 : enrolled.establishments());
  }

  private static Map<String, IndicatorDao.SectorCounts> bySector(
      List<IndicatorDao.SectorCounts> rows) {
    return rows.stream()
        .collect(Collectors.toMap(IndicatorDao.SectorCounts::sector, Function.identity()));
  }

  static Baseline baseline(IndicatorDao.BaselineRow r) {
    return new Baseline(
        r.id(),
        r.reference(),
        new Counts(r.administrationComputers(), r.administrationEstablishments()),
        new Counts(r.citizensComputers(), r.citizensEstablishments()),
        r.targetIncreasePct(),
        r.note(),
        r.setBy(),
        r.setAt());
  }

  /**
   * Records a declaration (months checked as the API and the pages check them); returns it. Who
   * made it is logged by the caller.
   */
  public Declaration declare(DeclarationRequest req, String user) {
    YearMonth validFrom = IndicatorsResource.month("validFrom", req.validFrom());
    YearMonth validTo =
        req.validTo() == null ? null : IndicatorsResource.month("validTo", req.validTo());
    if (validTo != null && validTo.isBefore(validFrom)) {
      throw ApiException.badRequest("validTo", "must not be before validFrom");
    }
    return jdbi.withHandle(
        h -> {
          IndicatorDao dao = h.attach(IndicatorDao.class);
          long id =
              dao.insertDeclaration(
                  req, validFrom.atDay(1), validTo == null ? null : validTo.atDay(1), user);
          return dao.declaration(id).orElseThrow();
        });
  }

  /** Records a new baseline, from counts or from a measured month; returns it. */
  public Baseline setBaseline(BaselineRequest req, String user) {
    return jdbi.inTransaction(
        h -> {
          IndicatorDao dao = h.attach(IndicatorDao.class);
          Counts admin;
          Counts citizens;
          if (req.fromPeriod() != null) {
            if (req.administration() != null || req.citizens() != null) {
              throw ApiException.badRequest(
                  "fromPeriod", "give either fromPeriod or the counts per sector, not both");
            }
            YearMonth m = YearMonth.parse(req.fromPeriod());
            IndicatorReport.Period p =
                period(dao, m.toString(), m.atDay(1), m.atEndOfMonth(), Optional.empty());
            admin = p.sectors().get(0).combined();
            citizens = p.sectors().get(1).combined();
          } else {
            if (req.administration() == null || req.citizens() == null) {
              throw ApiException.badRequest(
                  "administration", "give administration and citizens counts, or fromPeriod");
            }
            admin =
                new Counts(req.administration().computers(), req.administration().establishments());
            citizens = new Counts(req.citizens().computers(), req.citizens().establishments());
          }
          double target =
              req.targetIncreasePct() != null
                  ? req.targetIncreasePct()
                  : config.getDefaultTargetIncreasePct();
          String note = req.note() == null ? "" : req.note();
          if (req.fromPeriod() != null) {
            note =
                (note.isEmpty() ? "" : note + " ")
                    + "(counts measured in "
                    + req.fromPeriod()
                    + ")";
          }
          long id =
              dao.insertBaseline(
                  req.reference(),
                  (int) admin.computers(),
                  (int) admin.establishments(),
                  (int) citizens.computers(),
                  (int) citizens.establishments(),
                  target,
                  note,
                  user);
          return dao.baselines().stream()
              .filter(b -> b.id() == id)
              .findFirst()
              .map(IndicatorService::baseline)
              .orElseThrow();
        });
  }
}
