package org.enlace.server.evidence;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import org.enlace.server.domain.LatencyHistogram;
import org.enlace.server.domain.LocalMinutes;
import org.enlace.server.domain.OpeningMask;
import org.enlace.server.evidence.EvidenceReport.Availability;
import org.enlace.server.evidence.EvidenceReport.EstablishmentEvidence;
import org.enlace.server.evidence.EvidenceReport.LatencyStats;
import org.enlace.server.evidence.EvidenceReport.LinkEvidence;
import org.enlace.server.evidence.EvidenceReport.Outage;
import org.enlace.server.evidence.EvidenceReport.SpeedStats;
import org.enlace.server.evidence.EvidenceReport.Utilization;
import org.enlace.server.indicators.Granularity;
import org.enlace.server.indicators.IndicatorReport;
import org.enlace.server.indicators.IndicatorService;
import org.enlace.server.rollup.RollupConfig;
import org.enlace.server.web.ApiException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Builds evidence reports from the rollups and the inventory. Every figure is computed here, so the
 * HTML, PDF, CSV and JSON renderings of one report state the same numbers.
 */
public final class EvidenceService {
  /** A speed test under this share of the contracted rate counts as under contract. */
  static final double UNDER_CONTRACT = 0.8;

  private final Jdbi jdbi;
  private final IndicatorService indicators;
  private final RollupConfig rollups;
  private final LocalMinutes minutes;
  private final ObjectMapper json;
  private final String municipality;
  private final Clock clock;

  public EvidenceService(
      Jdbi jdbi,
      IndicatorService indicators,
      RollupConfig rollups,
      LocalMinutes minutes,
      ObjectMapper json,
      String municipality,
      Clock clock) {
    this.jdbi = jdbi;
    this.indicators = indicators;
    this.rollups = rollups;
    this.minutes = minutes;
    this.json = json;
    this.municipality = municipality;
    this.clock = clock;
  }

  /** Throws NotFound (ApiException 404) for an unknown establishment or link. */
  public EvidenceReport report(EvidenceQuery query) {
    ReportPeriod period = query.period();
    Instant now = clock.instant();
    EvidenceReport report =
        jdbi.inTransaction(
            h -> {
              // One snapshot for every figure of the report.
              h.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
              EvidenceDao dao = h.attach(EvidenceDao.class);
              Optional<EvidenceDao.Link> link =
                  query
                      .link()
                      .map(
                          id ->
                              dao.link(id)
                                  .orElseThrow(() -> ApiException.notFound("ISP link " + id)));
              Optional<List<EvidenceDao.Link>> ispLinks =
                  query.isp().map(name -> ispLinks(h.attach(ReaderDao.class), name));
              List<EvidenceDao.Place> places;
              if (ispLinks.isPresent()) {
                Set<Long> served =
                    ispLinks.get().stream()
                        .map(EvidenceDao.Link::establishmentId)
                        .collect(Collectors.toSet());
                places = dao.places(null).stream().filter(p -> served.contains(p.id())).toList();
              } else if (link.isPresent()) {
                places =
                    dao.places(null).stream()
                        .filter(p -> p.id() == link.get().establishmentId())
                        .toList();
              } else {
                places = dao.places(query.establishment().orElse(null));
                if (query.establishment().isPresent() && places.isEmpty()) {
                  throw ApiException.notFound("establishment " + query.establishment().get());
                }
              }
              long[] ids = places.stream().mapToLong(EvidenceDao.Place::id).toArray();
              Instant from = minutes.start(period.firstDay());
              Instant to = minutes.start(period.lastDay().plusDays(1));
              List<EvidenceDao.Link> allLinks =
                  ispLinks.or(() -> link.map(List::of)).orElseGet(() -> dao.links(ids));
              long[] linkIds = allLinks.stream().mapToLong(EvidenceDao.Link::id).toArray();
              Map<Long, List<EvidenceDao.Test>> testsByLink =
                  dao.speedTests(linkIds, from, to).stream()
                      .collect(Collectors.groupingBy(EvidenceDao.Test::linkId));
              Map<Long, Utilization> utilization = utilization(dao, linkIds, from, to);
              Map<Long, EvidenceDao.Since> firstEnrollments =
                  byId(dao.firstEnrollments(ids), EvidenceDao.Since::establishmentId);
              Instant secondDay = minutes.start(period.firstDay().plusDays(1));
              List<EvidenceDao.CounterComputer> counted =
                  query.forIsp() ? List.of() : dao.countedComputers(ids, secondDay, to);
              Figures f =
                  new Figures(
                      byId(
                          dao.totals(ids, period.firstDay(), period.lastDay()),
                          EvidenceDao.DayTotals::establishmentId),
                      latency(dao, ids, period),
                      firstEnrollments,
                      dao.outages(ids, from, to).stream()
                          .collect(
                              Collectors.groupingBy(EvidenceDao.OutageSegment::establishmentId)),
                      counts(dao.computersEnrolled(ids, secondDay, to)),
                      // An ISP's reader sees neither the computers connected nor each computer's
                      // minutes (IspReports): not computed for a link's or an ISP's report.
                      query.forIsp()
                          ? Map.of()
                          : counts(
                              dao.computersConnected(
                                  ids,
                                  period.firstDay(),
                                  period.lastDay().withDayOfMonth(1),
                                  indicators.config().getMinOnlineDays())),
                      edgeDays(dao, places, firstEnrollments, period, now),
                      byId(
                          dao.dataKnownUntil(ids, now.minus(LIVE)),
                          EvidenceDao.Since::establishmentId),
                      query.forIsp() ? Map.of() : computerMinutes(dao, counted, period, now));
              long observations =
                  dao.observations(ids, period.firstDay(), period.lastDay()).stream()
                      .mapToLong(EvidenceDao.Count::value)
                      .sum();
              long tests = 0;
              List<EstablishmentEvidence> out = new ArrayList<>();
              // Whole days' open minutes depend only on the opening hours and the day: most
              // establishments share a few schedules, so each (schedule, day) is counted once.
              Map<String, Map<LocalDate, Integer>> openDays = new HashMap<>();
              for (EvidenceDao.Place p : places) {
                List<LinkEvidence> linkEvidence = new ArrayList<>();
                for (EvidenceDao.Link l : allLinks) {
                  if (l.establishmentId() == p.id()) {
                    List<EvidenceDao.Test> t = testsByLink.getOrDefault(l.id(), List.of());
                    LinkEvidence le =
                        linkEvidence(l, t, Optional.ofNullable(utilization.get(l.id())));
                    // What the link tables show: tests that gave a download figure.
                    tests += le.download().tests();
                    linkEvidence.add(le);
                  }
                }
                out.add(establishment(f, p, period, now, linkEvidence, openDays));
              }
              // The whole period first; for a quarter or a year, then each month: the trend.
              // None for a link's or an ISP's report, which carries no plan figures (IspReport).
              List<IndicatorReport.Period> figures = new ArrayList<>();
              if (!query.forIsp()) {
                figures.add(
                    indicators.period(h, period.label(), period.firstDay(), period.lastDay()));
              }
              if (!query.forIsp() && !period.firstMonth().equals(period.lastMonth())) {
                for (var m = period.firstMonth();
                    !m.isAfter(period.lastMonth());
                    m = m.plusMonths(1)) {
                  figures.add(indicators.period(h, m.toString(), m.atDay(1), m.atEndOfMonth()));
                }
              }
              IndicatorReport ind =
                  new IndicatorReport(
                      period.firstMonth().toString(),
                      period.lastMonth().toString(),
                      granularity(period),
                      new IndicatorReport.Definition(
                          indicators.config().getMinOnlineDays(), minutes.zone().getId()),
                      query.forIsp() ? Optional.empty() : indicators.currentBaseline(h),
                      figures);
              String scope =
                  ispLinks.isPresent()
                      ? "isp"
                      : link.isPresent()
                          ? "link"
                          : query.establishment().isPresent() ? "establishment" : "municipality";
              String scopeId =
                  ispLinks.isPresent()
                      ? ispLinks.get().get(0).ispName().strip()
                      : link.map(l -> Long.toString(l.id()))
                          .orElse(query.establishment().orElse(""));
              EvidenceReport.Meta meta =
                  new EvidenceReport.Meta(
                      municipality,
                      period.label(),
                      period.firstDay(),
                      period.lastDay(),
                      scope,
                      scopeId,
                      minutes.zone().getId(),
                      now,
                      "",
                      sources(
                          !utilization.isEmpty()
                              || out.stream()
                                  .anyMatch(
                                      e ->
                                          e.availability().pcsOffMinutes()
                                                  + e.availability().linkDownMinutes()
                                              > 0)));
              EvidenceReport.Method method =
                  new EvidenceReport.Method(
                      indicators.config().getMinOnlineDays(),
                      rollups.getHoldMinutes(),
                      rollups.getShortOutageMinutes(),
                      UNDER_CONTRACT,
                      indicators.config().getTestServer(),
                      observations,
                      tests);
              EvidenceReport.Coverage coverage =
                  coverage(h.attach(CoverageDao.class), places, ids, period, now, f, openDays);
              List<IndicatorReport.Period> trend =
                  scope.equals("municipality") ? trend(h, period, figures) : List.of();
              return new EvidenceReport(meta, method, ind, out, coverage, trend);
            });
    return EvidenceHash.withHash(report, json);
  }

  /** One computer's minutes by status in a period, as the reports count them; 404 if unknown. */
  public EvidenceReport.ComputerMinutes computerMinutes(long computerId, ReportPeriod period) {
    Instant now = clock.instant();
    return jdbi.inTransaction(
        h -> {
          h.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
          EvidenceDao dao = h.attach(EvidenceDao.class);
          EvidenceDao.CounterComputer c =
              dao.counterComputer(computerId)
                  .orElseThrow(() -> ApiException.notFound("computer " + computerId));
          return new ComputerMinutesCounter(minutes, rollups.getHoldMinutes())
              .count(dao, List.of(c), period, now)
              .get(0);
        });
  }

  /** The links of one ISP, or NotFound: an ISP the inventory does not name has no report. */
  private static List<EvidenceDao.Link> ispLinks(ReaderDao dao, String name) {
    List<EvidenceDao.Link> links = dao.linksOfIsp(name);
    if (links.isEmpty()) {
      throw ApiException.notFound("ISP " + name);
    }
    return links;
  }

  /** Months of plan figures the charts draw: up to 12, ending with the period's last month. */
  static final int TREND_MONTHS = 12;

  /**
   * The plan's figures per month for the charts: the months up to the period's last one, reusing
   * those the report has already computed, and leaving out the months before any computer was
   * enrolled or counted (a municipality's first months with Enlace are not a fall to zero).
   */
  private List<IndicatorReport.Period> trend(
      Handle h, ReportPeriod period, List<IndicatorReport.Period> computed) {
    Map<String, IndicatorReport.Period> known = new HashMap<>();
    computed.forEach(p -> known.put(p.period(), p));
    List<YearMonth> missing = new ArrayList<>();
    for (YearMonth m = period.lastMonth().minusMonths(TREND_MONTHS - 1L);
        !m.isAfter(period.lastMonth());
        m = m.plusMonths(1)) {
      if (!known.containsKey(m.toString())) {
        missing.add(m);
      }
    }
    // One query per figure for all the missing months: three per month cost about half a second.
    indicators.months(h, missing).forEach(p -> known.put(p.period(), p));
    List<IndicatorReport.Period> out = new ArrayList<>();
    for (YearMonth m = period.lastMonth().minusMonths(TREND_MONTHS - 1L);
        !m.isAfter(period.lastMonth());
        m = m.plusMonths(1)) {
      // Every month is known now: computed by the report or just above.
      IndicatorReport.Period p = Objects.requireNonNull(known.get(m.toString()));
      if (!out.isEmpty() || hasData(p) || m.equals(period.lastMonth())) {
        out.add(p);
      }
    }
    return out;
  }

  private static boolean hasData(IndicatorReport.Period p) {
    return p.sectors().stream()
        .anyMatch(
            s ->
                s.combined().computers() > 0
                    || s.combined().establishments() > 0
                    || s.completeness().computersEnrolled() > 0);
  }

  private static List<String> sources(boolean snmp) {
    return snmp
        ? List.of("agents", "snmp", "inventory", "declarations", "baseline")
        : List.of("agents", "inventory", "declarations", "baseline");
  }

  private static Granularity granularity(ReportPeriod p) {
    return p.firstMonth().equals(p.lastMonth())
        ? Granularity.MONTH
        : p.firstMonth().plusMonths(2).equals(p.lastMonth())
            ? Granularity.QUARTER
            : Granularity.YEAR;
  }

  /** Each establishment's latency histogram over the period: its days' summed bucket by bucket. */
  private static Map<Long, int[]> latency(EvidenceDao dao, long[] ids, ReportPeriod period) {
    Map<Long, int[]> out = new HashMap<>();
    for (EvidenceDao.Histogram day : dao.latencyDays(ids, period.firstDay(), period.lastDay())) {
      LatencyHistogram.add(
          out.computeIfAbsent(day.establishmentId(), k -> LatencyHistogram.empty()),
          LatencyHistogram.parse(day.latencyHist()));
    }
    return out;
  }

  /** The report's per-establishment figures, each fetched once for all establishments. */
  private record Figures(
      Map<Long, EvidenceDao.DayTotals> totals,
      Map<Long, int[]> latency,
      Map<Long, EvidenceDao.Since> firstEnrollment,
      Map<Long, List<EvidenceDao.OutageSegment>> outages,
      Map<Long, Long> enrolled,
      Map<Long, Long> connected,
      Map<Long, List<EvidenceDao.EdgeDay>> edges,
      Map<Long, EvidenceDao.Since> dataKnownUntil,
      Map<Long, List<EvidenceReport.ComputerMinutes>> computers) {}

  /** A computer still reports when it was seen this recently (the agent lifecycle's "live"). */
  static final Duration LIVE = Duration.ofDays(21);

  private Map<Long, List<EvidenceReport.ComputerMinutes>> computerMinutes(
      EvidenceDao dao,
      List<EvidenceDao.CounterComputer> counted,
      ReportPeriod period,
      Instant now) {
    Map<Long, Long> place = new HashMap<>();
    counted.forEach(c -> place.put(c.id(), c.establishmentId()));
    return new ComputerMinutesCounter(minutes, rollups.getHoldMinutes())
        .count(dao, counted, period, now).stream()
            .collect(Collectors.groupingBy(c -> place.get(c.computerId())));
  }

  /**
   * The stored days that the establishments' expected windows cut or leave out, to recount (see
   * {@link #inWindow}).
   */
  private Map<Long, List<EvidenceDao.EdgeDay>> edgeDays(
      EvidenceDao dao,
      List<EvidenceDao.Place> places,
      Map<Long, EvidenceDao.Since> firstEnrollments,
      ReportPeriod period,
      Instant now) {
    long[] ids = new long[places.size()];
    String[] startDays = new String[places.size()];
    Instant periodStart = minutes.start(period.firstDay());
    for (int i = 0; i < ids.length; i++) {
      long id = places.get(i).id();
      ExpectedWindow w =
          ExpectedWindow.of(
              minutes,
              period,
              Optional.ofNullable(firstEnrollments.get(id)).map(EvidenceDao.Since::at),
              now);
      ids[i] = id;
      // A window that starts with the period cuts no day at its start.
      startDays[i] =
          (w.start().isAfter(periodStart)
                  ? minutes.slot(w.start()).day()
                  : period.firstDay().minusDays(1))
              .toString();
    }
    ExpectedWindow any = ExpectedWindow.of(minutes, period, Optional.empty(), now);
    LocalDate endDay =
        any.end().isBefore(minutes.start(period.lastDay().plusDays(1)))
            ? minutes.slot(any.end()).day()
            : period.lastDay().plusDays(1);
    return dao.edgeDays(ids, startDays, period.firstDay(), period.lastDay(), endDay).stream()
        .collect(Collectors.groupingBy(EvidenceDao.EdgeDay::establishmentId));
  }

  /**
   * The period's summed days with those the window cuts recounted from their bits, so minutes with
   * data are only counted where data is expected. The gaps (no computer reporting, what the router
   * knew) come from SNMP polls, which lie in the past and start with the router's registration: a
   * cut day keeps them, a day left out entirely drops them.
   */
  static EvidenceDao.DayTotals inWindow(
      EvidenceDao.DayTotals t,
      List<EvidenceDao.EdgeDay> edges,
      ExpectedWindow window,
      LocalMinutes minutes,
      OpeningMask mask) {
    long observed = t.observedOpenMinutes();
    long up = t.upOpenMinutes();
    long outage = t.outageOpenMinutes();
    long pcsOff = t.gapPcsOffOpen();
    long linkDown = t.gapLinkDownOpen();
    for (EvidenceDao.EdgeDay d : edges) {
      ExpectedWindow.DayCount c =
          window.count(minutes, mask, d.day(), d.observedBits(), d.outageBits());
      observed += c.observed() - d.observedOpenMinutes();
      up += c.up() - d.upOpenMinutes();
      outage += c.outage() - d.outageOpenMinutes();
      boolean outside =
          !minutes.start(d.day().plusDays(1)).isAfter(window.start())
              || !minutes.start(d.day()).isBefore(window.end());
      if (outside) {
        pcsOff -= d.gapPcsOffOpen();
        linkDown -= d.gapLinkDownOpen();
      }
    }
    return new EvidenceDao.DayTotals(
        t.establishmentId(),
        observed,
        up,
        outage,
        Math.min(pcsOff, observed),
        Math.min(linkDown, observed));
  }

  private static <T> Map<Long, T> byId(List<T> rows, ToLongFunction<T> id) {
    Map<Long, T> out = new HashMap<>();
    for (T r : rows) {
      out.put(id.applyAsLong(r), r);
    }
    return out;
  }

  private static Map<Long, Long> counts(List<EvidenceDao.Count> rows) {
    Map<Long, Long> out = new HashMap<>();
    for (EvidenceDao.Count c : rows) {
      out.put(c.establishmentId(), c.value());
    }
    return out;
  }

  private EstablishmentEvidence establishment(
      Figures f,
      EvidenceDao.Place p,
      ReportPeriod period,
      Instant now,
      List<LinkEvidence> links,
      Map<String, Map<LocalDate, Integer>> openDays) {
    Optional<Instant> first =
        Optional.ofNullable(f.firstEnrollment().get(p.id())).map(EvidenceDao.Since::at);
    ExpectedWindow window = ExpectedWindow.of(minutes, period, first, now);
    OpeningMask mask = OpeningMask.fromStored(json, p.openingHours(), p.id());
    EvidenceDao.DayTotals t =
        inWindow(
            f.totals().getOrDefault(p.id(), new EvidenceDao.DayTotals(p.id(), 0, 0, 0, 0, 0)),
            f.edges().getOrDefault(p.id(), List.of()),
            window,
            minutes,
            mask);
    long open = expectedOpenMinutes(p, period, first, now, openDays);
    Availability availability = availability(open, t);
    Optional<Instant> knownUntil =
        Optional.ofNullable(f.dataKnownUntil().get(p.id())).map(EvidenceDao.Since::at);
    List<Outage> inside = new ArrayList<>();
    List<Outage> outside = new ArrayList<>();
    for (Outage o : outages(clip(f.outages().getOrDefault(p.id(), List.of()), window, mask))) {
      Outage marked =
          new Outage(
              o.start(),
              o.end(),
              o.durationMinutes(),
              o.openMinutes(),
              o.computers(),
              o.shortBlip(),
              o.cause(),
              knownUntil.filter(k -> k.isBefore(o.end())).isPresent());
      (o.openMinutes() > 0 ? inside : outside).add(marked);
    }
    int[] hist = f.latency().getOrDefault(p.id(), LatencyHistogram.empty());
    LatencyStats latency =
        new LatencyStats(
            LatencyHistogram.samples(hist),
            LatencyHistogram.percentile(hist, 0.5),
            LatencyHistogram.percentile(hist, 0.9));
    return new EstablishmentEvidence(
        p.code(),
        p.name(),
        p.kind(),
        p.sector(),
        availability,
        inside,
        latency,
        f.enrolled().getOrDefault(p.id(), 0L).intValue(),
        f.connected().getOrDefault(p.id(), 0L).intValue(),
        links,
        outside,
        f.computers().getOrDefault(p.id(), List.of()));
  }

  /**
   * Outage segments cut to the expected window: nothing before the first enrollment, no held minute
   * after now.
   */
  private List<EvidenceDao.OutageSegment> clip(
      List<EvidenceDao.OutageSegment> segments, ExpectedWindow w, OpeningMask mask) {
    List<EvidenceDao.OutageSegment> out = new ArrayList<>();
    for (EvidenceDao.OutageSegment s : segments) {
      if (!s.endedAt().isAfter(w.start()) || !s.startedAt().isBefore(w.end())) {
        continue;
      }
      if (!s.startedAt().isBefore(w.start()) && !s.endedAt().isAfter(w.end())) {
        out.add(s);
        continue;
      }
      Instant a = s.startedAt().isBefore(w.start()) ? w.start() : s.startedAt();
      Instant b = s.endedAt().isAfter(w.end()) ? w.end() : s.endedAt();
      out.add(
          new EvidenceDao.OutageSegment(
              s.establishmentId(),
              a,
              b,
              (int) Duration.between(a, b).toMinutes(),
              (int) w.openMinutes(minutes, mask, a, b),
              s.computers(),
              s.cause()));
    }
    return out;
  }

  /** Which days of the period the scope's data covers (see EvidenceReport.Coverage). */
  private EvidenceReport.Coverage coverage(
      CoverageDao dao,
      List<EvidenceDao.Place> places,
      long[] ids,
      ReportPeriod period,
      Instant now,
      Figures f,
      Map<String, Map<LocalDate, Integer>> openDays) {
    Map<String, OpeningMask> masks = new HashMap<>();
    for (EvidenceDao.Place p : places) {
      masks.computeIfAbsent(
          String.valueOf(p.openingHours()),
          k -> OpeningMask.fromStored(json, p.openingHours(), p.id()));
    }
    Predicate<LocalDate> anyOpen =
        day ->
            masks.entrySet().stream()
                .anyMatch(
                    m ->
                        openDays
                                .computeIfAbsent(m.getKey(), k -> new HashMap<>())
                                .computeIfAbsent(day, d -> m.getValue().count(d, minutes))
                            > 0);
    List<LocalDate> enrolled =
        f.firstEnrollment().values().stream()
            .map(s -> s.at().atZone(minutes.zone()).toLocalDate())
            .toList();
    return PeriodCoverage.of(
        period,
        now.atZone(minutes.zone()).toLocalDate(),
        dao.daysWithData(ids, period.firstDay(), period.lastDay()),
        anyOpen,
        enrolled);
  }

  /** An establishment's availability from its open minutes and its days' summed figures. */
  static Availability availability(long open, EvidenceDao.DayTotals t) {
    return new Availability(
        open,
        t.observedOpenMinutes(),
        t.upOpenMinutes(),
        t.outageOpenMinutes(),
        ratio(t.upOpenMinutes(), t.observedOpenMinutes()),
        ratio(t.observedOpenMinutes(), open),
        t.gapPcsOffOpen(),
        t.gapLinkDownOpen(),
        Math.max(0, open - t.observedOpenMinutes()));
  }

  private long expectedOpenMinutes(
      EvidenceDao.Place p,
      ReportPeriod period,
      Optional<Instant> firstEnrollment,
      Instant now,
      Map<String, Map<LocalDate, Integer>> openDays) {
    return expectedOpenMinutes(
        OpeningMask.fromStored(json, p.openingHours(), p.id()),
        openDays.computeIfAbsent(String.valueOf(p.openingHours()), k -> new HashMap<>()),
        minutes,
        period,
        firstEnrollment,
        now);
  }

  /**
   * Opening minutes of the establishment's {@link ExpectedWindow}: no observation is expected
   * before an agent existed or in the future, so neither counts against completeness. {@code
   * wholeDays} caches the open minutes of whole days of this mask.
   */
  static long expectedOpenMinutes(
      OpeningMask mask,
      Map<LocalDate, Integer> wholeDays,
      LocalMinutes minutes,
      ReportPeriod period,
      Optional<Instant> firstEnrollment,
      Instant now) {
    ExpectedWindow window = ExpectedWindow.of(minutes, period, firstEnrollment, now);
    Instant start = window.start();
    Instant end = window.end();
    long open = 0;
    for (LocalDate d = period.firstDay(); !d.isAfter(period.lastDay()); d = d.plusDays(1)) {
      Instant dayStart = minutes.start(d);
      Instant dayEnd = minutes.start(d.plusDays(1));
      if (!dayStart.isBefore(end)) {
        break;
      }
      if (!dayEnd.isAfter(start)) {
        continue;
      }
      if (!dayStart.isBefore(start) && !dayEnd.isAfter(end)) {
        open += wholeDays.computeIfAbsent(d, day -> mask.count(day, minutes)); // whole day
        continue;
      }
      boolean[] dayMask = mask.openMinutes(d, minutes);
      for (int m = 0; m < dayMask.length; m++) {
        Instant at = dayStart.plusSeconds(60L * m);
        if (dayMask[m] && !at.isBefore(start) && at.isBefore(end)) {
          open++;
        }
      }
    }
    return open;
  }

  /** Joins segments that continue across midnight into one outage. */
  List<Outage> outages(List<EvidenceDao.OutageSegment> segments) {
    List<Outage> out = new ArrayList<>();
    EvidenceDao.OutageSegment cur = null;
    long duration = 0;
    long open = 0;
    int computers = 0;
    for (EvidenceDao.OutageSegment s : segments) {
      if (cur != null && s.startedAt().equals(cur.endedAt()) && s.cause().equals(cur.cause())) {
        cur =
            new EvidenceDao.OutageSegment(
                cur.establishmentId(), cur.startedAt(), s.endedAt(), 0, 0, 0, cur.cause());
        duration += s.durationMinutes();
        open += s.openMinutes();
        computers = Math.max(computers, s.computers());
        continue;
      }
      if (cur != null) {
        out.add(outage(cur, duration, open, computers));
      }
      cur = s;
      duration = s.durationMinutes();
      open = s.openMinutes();
      computers = s.computers();
    }
    if (cur != null) {
      out.add(outage(cur, duration, open, computers));
    }
    return out;
  }

  private Outage outage(EvidenceDao.OutageSegment s, long duration, long open, int computers) {
    return new Outage(
        s.startedAt(),
        s.endedAt(),
        duration,
        open,
        computers,
        duration < rollups.getShortOutageMinutes(),
        s.cause());
  }

  /** Per link with SNMP samples in the period; links without any are left out (no data). */
  private Map<Long, Utilization> utilization(
      EvidenceDao dao, long[] linkIds, Instant from, Instant to) {
    Map<Long, Utilization> out = new HashMap<>();
    if (linkIds.length == 0) {
      return out;
    }
    Map<Long, EvidenceDao.UtilizationRow> p95 =
        byId(dao.utilization(linkIds, from, to), EvidenceDao.UtilizationRow::linkId);
    Map<Long, List<EvidenceReport.PeakHour>> peaks = new HashMap<>();
    for (EvidenceDao.PeakHourRow r : dao.peakHours(linkIds, from, to, minutes.zone().getId())) {
      peaks
          .computeIfAbsent(r.linkId(), k -> new ArrayList<>())
          .add(new EvidenceReport.PeakHour(r.hour(), round(r.meanInPct()), round(r.meanOutPct())));
    }
    for (EvidenceDao.UtilizationTotals t : dao.utilizationTotals(linkIds, from, to)) {
      Optional<EvidenceDao.UtilizationRow> p = Optional.ofNullable(p95.get(t.linkId()));
      if (p.isEmpty()) {
        continue; // only gaps: no trusted measurement, so no figure (never a 0 %)
      }
      out.put(
          t.linkId(),
          new Utilization(
              p.map(x -> round(x.p95InPct())).orElse(0.0),
              p.map(x -> round(x.p95OutPct())).orElse(0.0),
              p.map(x -> round(x.p95InBps() / 1e6)).orElse(0.0),
              p.map(x -> round(x.p95OutBps() / 1e6)).orElse(0.0),
              t.minutesAbove80(),
              t.samples(),
              t.gapMinutes(),
              List.copyOf(peaks.getOrDefault(t.linkId(), List.of()))));
    }
    return out;
  }

  static LinkEvidence linkEvidence(EvidenceDao.Link l, List<EvidenceDao.Test> tests) {
    return linkEvidence(l, tests, Optional.empty());
  }

  static LinkEvidence linkEvidence(
      EvidenceDao.Link l, List<EvidenceDao.Test> tests, Optional<Utilization> utilization) {
    double[] down = new double[tests.size()];
    double[] up = new double[tests.size()];
    int nd = 0;
    int nu = 0;
    for (EvidenceDao.Test t : tests) {
      if (t.downMbps().isPresent()) {
        down[nd++] = t.downMbps().get();
      }
      if (t.upMbps().isPresent()) {
        up[nu++] = t.upMbps().get();
      }
    }
    down = Arrays.copyOf(down, nd);
    up = Arrays.copyOf(up, nu);
    Arrays.sort(down);
    Arrays.sort(up);
    SpeedStats d = speed(down, l.contractedDownMbps().doubleValue());
    SpeedStats u = speed(up, l.contractedUpMbps().doubleValue());
    Optional<BigDecimal> costPerMbps =
        l.monthlyCost()
            .flatMap(
                cost ->
                    d.medianMbps()
                        .filter(m -> m > 0)
                        .map(m -> cost.divide(BigDecimal.valueOf(m), 2, RoundingMode.HALF_UP)));
    return new LinkEvidence(
        l.id(),
        l.ispName(),
        l.technology(),
        l.contractedDownMbps(),
        l.contractedUpMbps(),
        l.monthlyCost(),
        l.currency(),
        d,
        u,
        costPerMbps,
        utilization);
  }

  static SpeedStats speed(double[] sorted, double contracted) {
    if (sorted.length == 0) {
      return new SpeedStats(
          0, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }
    long under = Arrays.stream(sorted).filter(v -> v < UNDER_CONTRACT * contracted).count();
    return new SpeedStats(
        sorted.length,
        Optional.of(rank(sorted, 0.5)),
        Optional.of(rank(sorted, 0.1)),
        Optional.of(rank(sorted, 0.9)),
        Optional.of(round(under * 100.0 / sorted.length)));
  }

  /** Nearest-rank percentile: a value that was actually measured. */
  static double rank(double[] sorted, double q) {
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  static Optional<Double> ratio(long part, long whole) {
    return whole == 0 ? Optional.empty() : Optional.of(round(part * 100.0 / whole));
  }

  static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
