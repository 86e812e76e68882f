package org.enlace.server.evidence;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.enlace.server.domain.LocalMinutes;
import org.enlace.server.domain.OpeningMask;
import org.enlace.server.evidence.EvidenceReport.EstablishmentEvidence;
import org.enlace.server.evidence.EvidenceReport.LinkEvidence;
import org.enlace.server.evidence.EvidenceReport.Outage;
import org.enlace.server.evidence.EvidenceReport.Utilization;
import org.enlace.server.rollup.DayTimeline;
import org.jdbi.v3.core.Jdbi;

/**
 * The data behind an evidence report as tidy tables: one row per establishment-day, outage, speed
 * test, link-month and computer-day, for the report's establishments and links. Cells are values
 * (numbers, dates, instants, booleans, Optionals for "no data"), not text: {@link TablesZip} writes
 * them in a language. Outages are the report's own, and the link-month figures come from the same
 * arithmetic as the report's links ({@link EvidenceService#linkEvidence}), so a month's rows state
 * the JSON report's numbers.
 */
public final class EvidenceTables {
  /** A table: its key (file and dictionary names come from the texts), columns and rows. */
  public record Table(String key, List<String> columns, RowSource rows) {}

  /** Rows produced on demand: the computer-days of a year do not fit in memory at once. */
  @FunctionalInterface
  public interface RowSource {
    void each(Consumer<List<Object>> row);
  }

  static final List<String> ESTABLISHMENT_DAYS =
      List.of(
          "day",
          "establishment_code",
          "establishment_name",
          "sector",
          "kind",
          "open_minutes",
          "observed_open_minutes",
          "up_open_minutes",
          "outage_open_minutes",
          "gap_pcs_off_minutes",
          "gap_link_down_minutes",
          "availability_pct",
          "computers_reporting",
          "computers_online");
  static final List<String> OUTAGES =
      List.of(
          "establishment_code",
          "establishment_name",
          "outage_start",
          "outage_end",
          "duration_minutes",
          "minutes_in_opening_hours",
          "inside_opening_hours",
          "outage_computers",
          "short_blip",
          "cause",
          "provisional");
  static final List<String> SPEED_TESTS =
      List.of(
          "measured_at",
          "establishment_code",
          "link_id",
          "isp",
          "test_method",
          "down_mbps",
          "up_mbps",
          "latency_ms",
          "used_in_report");
  static final List<String> LINK_MONTHS =
      LinkColumns.join(
          List.of("month", "link_id", "isp", "establishment_code"),
          LinkColumns.SPEED,
          LinkColumns.COST,
          LinkColumns.UTILIZATION);
  static final List<String> COMPUTER_DAYS =
      List.of(
          "day",
          "establishment_code",
          "computer_id",
          "hostname",
          "computer_role",
          "expected_minutes",
          "minutes_online",
          "minutes_limited",
          "minutes_offline",
          "minutes_no_data");

  /** The tables in the order the ZIP holds them. */
  static final List<String> KEYS =
      List.of("establishment_days", "outages", "speed_tests", "link_months", "computer_days");

  private final Jdbi jdbi;
  private final LocalMinutes minutes;
  private final Clock clock;
  private final ObjectMapper json;

  /** json: to read the establishments' stored opening hours. */
  public EvidenceTables(Jdbi jdbi, LocalMinutes minutes, Clock clock, ObjectMapper json) {
    this.jdbi = jdbi;
    this.minutes = minutes;
    this.clock = clock;
    this.json = json;
  }

  /** The ISPs of the inventory, for the /reports page's list. */
  public List<ReaderDao.Isp> isps() {
    return jdbi.withExtension(ReaderDao.class, ReaderDao::isps);
  }

  /** Every link at each of the report's establishments, of any ISP, by establishment code. */
  public Map<String, Integer> linksAt(EvidenceReport report) {
    Map<Long, String> codes = new HashMap<>();
    jdbi.withExtension(EvidenceDao.class, dao -> dao.places(null)).stream()
        .filter(p -> report.establishments().stream().anyMatch(e -> e.code().equals(p.code())))
        .forEach(p -> codes.put(p.id(), p.code()));
    long[] ids = codes.keySet().stream().mapToLong(Long::longValue).toArray();
    Map<String, Integer> out = new HashMap<>();
    for (EvidenceDao.Link l : jdbi.withExtension(ReaderDao.class, dao -> dao.linksAt(ids))) {
      out.merge(codes.get(l.establishmentId()), 1, Integer::sum);
    }
    return out;
  }

  /**
   * The tables of a report's scope. The speed tests, link-months and computer-days are read as they
   * are written, a month or a day at a time: a year of them need not fit in memory.
   */
  public List<Table> tables(EvidenceReport report, ReportPeriod period) {
    Map<String, EvidenceDao.Place> byCode =
        jdbi.withExtension(EvidenceDao.class, dao -> dao.places(null)).stream()
            .collect(Collectors.toMap(EvidenceDao.Place::code, p -> p));
    List<EvidenceDao.Place> places = new ArrayList<>();
    for (EstablishmentEvidence e : report.establishments()) {
      Optional.ofNullable(byCode.get(e.code())).ifPresent(places::add);
    }
    Map<Long, String> codeOf = new HashMap<>();
    places.forEach(p -> codeOf.put(p.id(), p.code()));
    long[] ids = places.stream().mapToLong(EvidenceDao.Place::id).toArray();
    Map<Long, LinkEvidence> links = new HashMap<>();
    Map<Long, String> linkPlace = new HashMap<>();
    for (EstablishmentEvidence e : report.establishments()) {
      for (LinkEvidence l : e.links()) {
        links.put(l.id(), l);
        linkPlace.put(l.id(), e.code());
      }
    }
    // a report of a link or an ISP: its links' tests only
    boolean allTests =
        report.meta().scope().equals("municipality")
            || report.meta().scope().equals("establishment");
    MonthTests tests =
        (from, to) ->
            jdbi.withExtension(ReaderDao.class, dao -> dao.speedTests(ids, from, to)).stream()
                .filter(t -> allTests || t.linkId().map(links::containsKey).orElse(false))
                .toList();
    // the report's own "now": the days end where its figures end
    Instant now = Optional.ofNullable(report.meta().generatedAt()).orElseGet(clock::instant);
    return List.of(
        new Table(
            "establishment_days", ESTABLISHMENT_DAYS, establishmentDays(places, ids, period, now)),
        new Table("outages", OUTAGES, outages(report)),
        new Table("speed_tests", SPEED_TESTS, speedTests(tests, codeOf, links, period)),
        new Table("link_months", LINK_MONTHS, linkMonths(links, linkPlace, tests, period)),
        new Table(
            "computer_days",
            COMPUTER_DAYS,
            computerDays(codeOf, ids, period, now, report.method().holdMinutes())));
  }

  /**
   * One row per stored establishment-day inside the report's window for that establishment ({@link
   * ExpectedWindow}: from its first enrollment's minute to the report's last whole minute): a day
   * the window cuts is recounted from its minute bits as the report recounts it, and a day it
   * leaves out (before the first enrollment, after now) is not listed. The rows so add up to the
   * report's open minutes (of the days with a row), minutes with data, up and in outage.
   */
  private RowSource establishmentDays(
      List<EvidenceDao.Place> places, long[] ids, ReportPeriod period, Instant now) {
    Map<Long, EvidenceDao.Place> byId = new HashMap<>();
    places.forEach(p -> byId.put(p.id(), p));
    List<ReaderDao.EstablishmentDay> days =
        jdbi.withExtension(
            ReaderDao.class,
            dao -> dao.establishmentDays(ids, period.firstDay(), period.lastDay()));
    Map<Long, Instant> first = new HashMap<>();
    jdbi.withExtension(EvidenceDao.class, dao -> dao.firstEnrollments(ids))
        .forEach(f -> first.put(f.establishmentId(), f.at()));
    Map<Long, ExpectedWindow> windows = new HashMap<>();
    Map<Long, OpeningMask> masks = new HashMap<>();
    for (EvidenceDao.Place p : places) {
      windows.put(
          p.id(), ExpectedWindow.of(minutes, period, Optional.ofNullable(first.get(p.id())), now));
      masks.put(p.id(), OpeningMask.fromStored(json, p.openingHours(), p.id()));
    }
    Map<Long, Map<LocalDate, EvidenceDao.EdgeDay>> edges = edgeDays(ids, windows, period, now);
    return row -> {
      for (ReaderDao.EstablishmentDay d : days) {
        EvidenceDao.Place p = byId.get(d.establishmentId());
        if (p == null) {
          continue;
        }
        ExpectedWindow w = java.util.Objects.requireNonNull(windows.get(p.id()));
        long open = d.openMinutes();
        long observed = d.observedOpenMinutes();
        long up = d.upOpenMinutes();
        long outage = d.outageOpenMinutes();
        if (w.minutesIn(minutes, d.day()) == 0) {
          continue; // no data expected that day: the report leaves it out too
        }
        if (!w.coversDay(minutes, d.day())) {
          OpeningMask mask = java.util.Objects.requireNonNull(masks.get(p.id()));
          open =
              w.openMinutes(
                  minutes, mask, minutes.start(d.day()), minutes.start(d.day().plusDays(1)));
          EvidenceDao.EdgeDay e = edges.getOrDefault(p.id(), Map.of()).get(d.day());
          if (e != null) {
            ExpectedWindow.DayCount c =
                w.count(minutes, mask, d.day(), e.observedBits(), e.outageBits());
            observed = c.observed();
            up = c.up();
            outage = c.outage();
          }
        }
        row.accept(
            List.of(
                d.day(),
                p.code(),
                p.name(),
                new Label("sector", p.sector()),
                new Label("kind", p.kind()),
                open,
                observed,
                up,
                outage,
                (long) d.gapPcsOffOpen(),
                (long) d.gapLinkDownOpen(),
                new Pct(EvidenceService.ratio(up, observed)),
                (long) d.computersReporting(),
                (long) d.computersOnline()));
      }
    };
  }

  /** The stored bits of the days each window cuts or leaves out, as the report reads them. */
  private Map<Long, Map<LocalDate, EvidenceDao.EdgeDay>> edgeDays(
      long[] ids, Map<Long, ExpectedWindow> windows, ReportPeriod period, Instant now) {
    Instant periodStart = minutes.start(period.firstDay());
    String[] startDays = new String[ids.length];
    for (int i = 0; i < ids.length; i++) {
      ExpectedWindow w = java.util.Objects.requireNonNull(windows.get(ids[i]));
      // A window that starts with the period cuts no day at its start.
      startDays[i] =
          (w.start().isAfter(periodStart)
                  ? minutes.slot(w.start()).day()
                  : period.firstDay().minusDays(1))
              .toString();
    }
    Map<Long, Map<LocalDate, EvidenceDao.EdgeDay>> out = new HashMap<>();
    if (ids.length == 0) {
      return out;
    }
    ExpectedWindow any = ExpectedWindow.of(minutes, period, Optional.empty(), now);
    LocalDate endDay =
        any.end().isBefore(minutes.start(period.lastDay().plusDays(1)))
            ? minutes.slot(any.end()).day()
            : period.lastDay().plusDays(1);
    jdbi.withExtension(
            EvidenceDao.class,
            dao -> dao.edgeDays(ids, startDays, period.firstDay(), period.lastDay(), endDay))
        .forEach(
            e -> out.computeIfAbsent(e.establishmentId(), k -> new HashMap<>()).put(e.day(), e));
    return out;
  }

  /** A word the texts translate ({@code sector.citizens}, {@code cause.agents}...). */
  record Label(String kind, String value) {}

  /** A percentage, two decimals; empty when there was nothing to divide by. */
  record Pct(Optional<Double> value) {}

  /**
   * The report's outages: those that count, then those outside opening hours, which the report
   * lists apart ({@code inside_opening_hours} tells them apart here).
   */
  private static RowSource outages(EvidenceReport report) {
    return row -> {
      for (EstablishmentEvidence e : report.establishments()) {
        for (Outage o : e.outages()) {
          row.accept(outage(e, o));
        }
        for (Outage o : EvidenceHtml.list(e.outagesOutsideOpeningHours())) {
          row.accept(outage(e, o));
        }
      }
    };
  }

  private static List<Object> outage(EstablishmentEvidence e, Outage o) {
    return List.of(
        e.code(),
        e.name(),
        o.start(),
        o.end(),
        o.durationMinutes(),
        o.openMinutes(),
        o.openMinutes() > 0,
        (long) o.computers(),
        o.shortBlip(),
        new Label("cause", o.cause()),
        o.provisional());
  }

  /** Tests the report uses: on a known link, against Enlace's server (not M-Lab's). */
  static boolean used(ReaderDao.SpeedTestRow t) {
    return t.linkId().isPresent() && !"ndt7-mlab".equals(t.method());
  }

  /** The speed tests between two instants: read a month at a time, a year's do not fit at once. */
  @FunctionalInterface
  private interface MonthTests {
    List<ReaderDao.SpeedTestRow> between(Instant from, Instant to);
  }

  private RowSource speedTests(
      MonthTests tests,
      Map<Long, String> codeOf,
      Map<Long, LinkEvidence> links,
      ReportPeriod period) {
    return row -> {
      for (YearMonth m = period.firstMonth(); !m.isAfter(period.lastMonth()); m = m.plusMonths(1)) {
        for (ReaderDao.SpeedTestRow t :
            tests.between(minutes.start(m.atDay(1)), minutes.start(m.plusMonths(1).atDay(1)))) {
          speedTest(row, t, codeOf, links);
        }
      }
    };
  }

  private static void speedTest(
      Consumer<List<Object>> row,
      ReaderDao.SpeedTestRow t,
      Map<Long, String> codeOf,
      Map<Long, LinkEvidence> links) {
    List<Object> r = new ArrayList<>();
    r.add(t.measuredAt());
    r.add(codeOf.getOrDefault(t.establishmentId(), ""));
    r.add(t.linkId());
    r.add(t.linkId().map(links::get).map(LinkEvidence::isp).orElse(""));
    r.add(t.method());
    r.add(t.downMbps());
    r.add(t.upMbps());
    r.add(t.latencyMs());
    r.add(used(t) && t.linkId().map(links::containsKey).orElse(false));
    row.accept(r);
  }

  private RowSource linkMonths(
      Map<Long, LinkEvidence> links,
      Map<Long, String> linkPlace,
      MonthTests tests,
      ReportPeriod period) {
    return row -> linkMonths(links, linkPlace, tests, period, row);
  }

  private void linkMonths(
      Map<Long, LinkEvidence> links,
      Map<Long, String> linkPlace,
      MonthTests tests,
      ReportPeriod period,
      Consumer<List<Object>> rows) {
    List<LinkEvidence> sorted =
        links.values().stream()
            .sorted(java.util.Comparator.comparingLong(LinkEvidence::id))
            .toList();
    long[] linkIds = sorted.stream().mapToLong(LinkEvidence::id).toArray();
    for (YearMonth m = period.firstMonth(); !m.isAfter(period.lastMonth()); m = m.plusMonths(1)) {
      Instant from = minutes.start(m.atDay(1));
      Instant to = minutes.start(m.plusMonths(1).atDay(1));
      Map<Long, Utilization> use = utilization(linkIds, from, to);
      Map<Long, List<EvidenceDao.Test>> byLink = new HashMap<>();
      for (ReaderDao.SpeedTestRow t : tests.between(from, to)) {
        if (used(t)) {
          long id = t.linkId().orElseThrow();
          byLink
              .computeIfAbsent(id, k -> new ArrayList<>())
              .add(new EvidenceDao.Test(id, t.downMbps(), t.upMbps()));
        }
      }
      for (LinkEvidence l : sorted) {
        long id = l.id();
        List<EvidenceDao.Test> monthTests = byLink.getOrDefault(id, List.of());
        LinkEvidence f =
            EvidenceService.linkEvidence(
                new EvidenceDao.Link(
                    id,
                    0,
                    l.isp(),
                    l.technology(),
                    l.contractedDownMbps(),
                    l.contractedUpMbps(),
                    l.monthlyCost(),
                    l.currency()),
                monthTests,
                Optional.ofNullable(use.get(id)));
        List<Object> r = new ArrayList<>();
        r.add(m);
        r.add(id);
        r.add(l.isp());
        r.add(linkPlace.get(id));
        LinkColumns.speed(r, f);
        LinkColumns.cost(r, f);
        LinkColumns.utilization(r, f.utilization());
        rows.accept(r);
      }
    }
  }

  /** p95 and totals as the report computes them (peak hours are the report's, not a column). */
  private Map<Long, Utilization> utilization(long[] linkIds, Instant from, Instant to) {
    Map<Long, Utilization> out = new HashMap<>();
    if (linkIds.length == 0) {
      return out;
    }
    jdbi.useExtension(
        EvidenceDao.class,
        dao -> {
          Map<Long, EvidenceDao.UtilizationRow> p95 = new HashMap<>();
          dao.utilization(linkIds, from, to).forEach(r -> p95.put(r.linkId(), r));
          for (EvidenceDao.UtilizationTotals t : dao.utilizationTotals(linkIds, from, to)) {
            EvidenceDao.UtilizationRow p = p95.get(t.linkId());
            if (p == null) {
              continue; // only gaps: no figure, never a 0 %
            }
            out.put(
                t.linkId(),
                new Utilization(
                    EvidenceService.round(p.p95InPct()),
                    EvidenceService.round(p.p95OutPct()),
                    EvidenceService.round(p.p95InBps() / 1e6),
                    EvidenceService.round(p.p95OutBps() / 1e6),
                    t.minutesAbove80(),
                    t.samples(),
                    t.gapMinutes(),
                    List.of()));
          }
        });
    return out;
  }

  /**
   * One row per computer and day on which it was counted, inside the same window as the report's
   * per-computer minutes ({@link ComputerMinutesCounter}: from its enrollment's minute, to the
   * start of its decommission date, the last whole minute before the report, or the period's end):
   * the minutes online, limited and offline as the rollups hold them for a whole day, recounted
   * from the minute bits with the hold for a day the window cuts, and the rest of the expected
   * minutes as no data. A computer's days so add up to its minutes in the report. Read a day at a
   * time.
   */
  private RowSource computerDays(
      Map<Long, String> codeOf, long[] ids, ReportPeriod period, Instant now, int holdMinutes) {
    Instant from = minutes.start(period.firstDay());
    Instant to = minutes.start(period.lastDay().plusDays(1));
    ComputerMinutesCounter counter = new ComputerMinutesCounter(minutes, holdMinutes);
    return row -> {
      List<ReaderDao.ComputerRow> computers =
          jdbi.withExtension(ReaderDao.class, dao -> dao.computers(ids, from, to));
      Map<Long, ExpectedWindow> windows = new HashMap<>();
      for (ReaderDao.ComputerRow c : computers) {
        windows.put(
            c.id(),
            counter.window(
                new EvidenceDao.CounterComputer(
                    c.id(),
                    c.establishmentId(),
                    c.hostname(),
                    c.enrolledAt(),
                    c.decommissionedAt()),
                period,
                now));
      }
      long[] computerIds = computers.stream().mapToLong(ReaderDao.ComputerRow::id).toArray();
      for (LocalDate d = period.firstDay(); !d.isAfter(period.lastDay()); d = d.plusDays(1)) {
        LocalDate day = d;
        if (!minutes.start(day).isBefore(now)) {
          break;
        }
        Map<Long, ReaderDao.ComputerDay> seen = new HashMap<>();
        jdbi.withExtension(ReaderDao.class, dao -> dao.computerDays(computerIds, day))
            .forEach(c -> seen.put(c.computerId(), c));
        Map<Long, Map<LocalDate, DayTimeline.ComputerDay>> bits = cutDays(windows, day);
        for (ReaderDao.ComputerRow c : computers) {
          ExpectedWindow w = java.util.Objects.requireNonNull(windows.get(c.id()));
          long expected = w.minutesIn(minutes, day);
          if (expected == 0) {
            continue; // not counted that day: neither is it in the report
          }
          long[] byStatus = new long[4];
          if (w.coversDay(minutes, day)) {
            Optional.ofNullable(seen.get(c.id()))
                .ifPresent(
                    m -> {
                      byStatus[DayTimeline.ONLINE] = m.minutesOnline();
                      byStatus[DayTimeline.LIMITED] = m.minutesLimited();
                      byStatus[DayTimeline.OFFLINE] = m.minutesOffline();
                    });
          } else {
            Map<LocalDate, DayTimeline.ComputerDay> own = bits.getOrDefault(c.id(), Map.of());
            DayTimeline.ComputerDay today = own.get(day);
            if (today != null) {
              long[] cut = counter.recount(w, day, today, own.get(day.minusDays(1)));
              System.arraycopy(cut, 0, byStatus, 0, byStatus.length);
            }
          }
          long online = byStatus[DayTimeline.ONLINE];
          long limited = byStatus[DayTimeline.LIMITED];
          long offline = byStatus[DayTimeline.OFFLINE];
          row.accept(
              List.of(
                  day,
                  codeOf.getOrDefault(c.establishmentId(), ""),
                  c.id(),
                  c.hostname(),
                  new Label("role", c.role()),
                  expected,
                  online,
                  limited,
                  offline,
                  Math.max(0, expected - online - limited - offline)));
        }
      }
    };
  }

  /**
   * The stored bits of this day and the day before, for the computers whose window cuts this day
   * (their enrollment minute, or the last whole minute before the report).
   */
  private Map<Long, Map<LocalDate, DayTimeline.ComputerDay>> cutDays(
      Map<Long, ExpectedWindow> windows, LocalDate day) {
    List<Long> ids = new ArrayList<>();
    List<String> days = new ArrayList<>();
    windows.forEach(
        (id, w) -> {
          if (w.minutesIn(minutes, day) > 0 && !w.coversDay(minutes, day)) {
            for (LocalDate x : List.of(day.minusDays(1), day)) {
              ids.add(id);
              days.add(x.toString());
            }
          }
        });
    Map<Long, Map<LocalDate, DayTimeline.ComputerDay>> out = new HashMap<>();
    if (ids.isEmpty()) {
      return out;
    }
    for (EvidenceDao.ComputerDayBits b :
        jdbi.withExtension(
            EvidenceDao.class,
            dao ->
                dao.computerDayBits(
                    ids.stream().mapToLong(Long::longValue).toArray(),
                    days.toArray(String[]::new)))) {
      out.computeIfAbsent(b.computerId(), k -> new HashMap<>())
          .put(b.day(), ComputerMinutesCounter.day(b));
    }
    return out;
  }
}
