package org.enlace.server.evidence;

import static org.enlace.server.evidence.EvidenceHtml.esc;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.enlace.server.evidence.EvidenceReport.EstablishmentEvidence;
import org.enlace.server.evidence.EvidenceReport.LinkEvidence;
import org.enlace.server.evidence.EvidenceReport.Outage;
import org.enlace.server.evidence.chart.BarChart;
import org.enlace.server.evidence.chart.CalendarChart;
import org.enlace.server.evidence.chart.ChartSvg;
import org.enlace.server.evidence.chart.LineChart;
import org.enlace.server.evidence.chart.NumberStyle;
import org.enlace.server.evidence.chart.RangeChart;
import org.enlace.server.indicators.IndicatorReport;
import org.enlace.server.indicators.IndicatorReport.Baseline;
import org.enlace.server.indicators.IndicatorReport.Counts;
import org.enlace.server.indicators.IndicatorReport.SectorFigures;

/**
 * The report's charts as one XHTML section: the chart models built from the report's data (and
 * nothing else, so the charts say what the tables say) and drawn as inline SVG by {@link ChartSvg}.
 * Each chart is a figure with a title and a short text alternative, visible under it.
 */
final class EvidenceCharts {
  /** The content width of an A4 or Letter page at 96 px per inch, less a little air. */
  static final double WIDTH = 680;

  /** Charts with one row per establishment or link show at most this many rows. */
  static final int MAX_ROWS = 25;

  private static final List<String> SECTORS = List.of("administration", "citizens", "total");

  private final EvidenceReport.Meta meta;
  private final List<EstablishmentEvidence> places;
  private final List<IndicatorReport.Period> trend;
  private final Optional<Baseline> baseline;
  private final EvidenceText tx;
  private final NumberStyle numbers;
  private final ZoneId zone;
  private final StringBuilder out = new StringBuilder(32 * 1024);

  private EvidenceCharts(
      EvidenceReport.Meta meta,
      List<EstablishmentEvidence> places,
      List<IndicatorReport.Period> trend,
      Optional<Baseline> baseline,
      EvidenceText tx,
      ZoneId zone) {
    this.meta = meta;
    this.places = places;
    this.trend = trend;
    this.baseline = baseline;
    this.tx = tx;
    this.numbers = tx.lang() == EvidenceText.Lang.ES ? NumberStyle.ES : NumberStyle.EN;
    this.zone = zone;
  }

  /** The charts section of a report that ReportDefaults has filled. */
  static String section(EvidenceReport report, EvidenceText tx, ZoneId zone) {
    return new EvidenceCharts(
            report.meta(),
            report.establishments(),
            report.trend(),
            Optional.ofNullable(report.indicators()).flatMap(IndicatorReport::baseline),
            tx,
            zone)
        .render();
  }

  /**
   * The charts of the establishments and links of a report without the plan's figures (an ISP's
   * report): availability, speeds and outages, never the indicators.
   */
  static String section(
      EvidenceReport.Meta meta, List<EstablishmentEvidence> places, EvidenceText tx, ZoneId zone) {
    return new EvidenceCharts(meta, places, List.of(), Optional.empty(), tx, zone).render();
  }

  private String render() {
    out.append("<section class=\"charts\">\n<h2>")
        .append(esc(tx.t("chart.heading")))
        .append("</h2>\n");
    if ("municipality".equals(meta.scope())) {
      indicator(true);
      indicator(false);
    }
    int count = places.size();
    figure(
        tx.t("chart.avail.title"),
        ChartSvg.bars(availability(), WIDTH),
        availabilityAlt(),
        count > MAX_ROWS ? tx.t("chart.avail.some", tx.integer(MAX_ROWS), tx.integer(count)) : "");
    int links = linkRows().size();
    figure(
        tx.t("chart.speed.title"),
        ChartSvg.ranges(speeds(), WIDTH),
        speedAlt(),
        (links > MAX_ROWS
                ? tx.t("chart.speed.some", tx.integer(MAX_ROWS), tx.integer(links)) + " "
                : "")
            + tx.t("chart.speed.axis"));
    int withOutages = outageDays().size();
    figure(
        tx.t("chart.cal.title"),
        ChartSvg.calendar(calendar(), WIDTH),
        calendarAlt(),
        (withOutages > MAX_ROWS
                ? tx.t("chart.cal.some", tx.integer(MAX_ROWS), tx.integer(withOutages)) + " "
                : "")
            + tx.t("chart.cal.note"));
    out.append("</section>\n");
    return out.toString();
  }

  private void figure(String title, String svg, String alt, String note) {
    out.append("<figure class=\"chart\">\n<figcaption>")
        .append(esc(title))
        .append("</figcaption>\n<div class=\"svg\">")
        .append(svg)
        .append("</div>\n<p class=\"alt\">")
        .append(esc(alt));
    if (!note.isEmpty()) {
      out.append(' ').append(esc(note));
    }
    out.append("</p>\n</figure>\n");
  }

  // ---- the two indicators per month, one panel per sector ----

  private void indicator(boolean computers) {
    List<IndicatorReport.Period> months = trend;
    String title = tx.t(computers ? "chart.ind.computers" : "chart.ind.establishments");
    out.append("<figure class=\"chart\">\n<figcaption>")
        .append(esc(title))
        .append("</figcaption>\n<table class=\"panels\"><tr>");
    List<String> alts = new ArrayList<>();
    for (String sector : SECTORS) {
      List<Optional<Double>> values = new ArrayList<>();
      List<String> labels = new ArrayList<>();
      List<String> years = new ArrayList<>();
      for (int i = 0; i < months.size(); i++) {
        IndicatorReport.Period p = months.get(i);
        YearMonth m = YearMonth.from(p.firstDay());
        labels.add(shortMonth(m));
        years.add(Integer.toString(m.getYear()));
        values.add(
            p.sectors().stream()
                .filter(s -> sector.equals(s.sector()))
                .findFirst()
                .map(SectorFigures::combined)
                .map(c -> (double) (computers ? c.computers() : c.establishments())));
      }
      List<LineChart.Reference> refs = new ArrayList<>();
      String refText = tx.t("chart.ind.noref");
      if (baseline.isPresent()) {
        Counts base = baseline.get().of(sector);
        double b = computers ? base.computers() : base.establishments();
        double target = b * (1 + baseline.get().targetIncreasePct() / 100);
        refs.add(new LineChart.Reference(tx.t("chart.baseline"), b, LineChart.Kind.BASELINE));
        refs.add(new LineChart.Reference(tx.t("chart.target"), target, LineChart.Kind.TARGET));
        refText =
            tx.t(
                "chart.ind.ref",
                numbers.format(b, 0),
                numbers.format(target, whole(target) ? 0 : 1));
      }
      String alt = indicatorAlt(tx.sector(sector), months, values, refText);
      alts.add(alt);
      LineChart chart =
          new LineChart(
              title + " – " + tx.sector(sector),
              alt,
              numbers,
              tx.t("chart.ind.empty"),
              labels,
              years,
              values,
              refs);
      out.append("<td><p class=\"panel\">")
          .append(esc(tx.sector(sector)))
          .append("</p>")
          .append(ChartSvg.line(chart, 222, 150))
          .append("</td>");
    }
    out.append("</tr></table>\n<p class=\"alt\">")
        .append(esc(tx.t("chart.ind.panels") + " " + String.join(" ", alts)))
        .append("</p>\n</figure>\n");
  }

  private String indicatorAlt(
      String sector,
      List<IndicatorReport.Period> months,
      List<Optional<Double>> values,
      String refText) {
    int last = -1;
    int first = -1;
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i).isPresent()) {
        last = i;
        first = first < 0 ? i : first;
      }
    }
    if (last < 0) {
      return sector + ": " + tx.noData() + ".";
    }
    String from =
        first < last
            ? tx.t(
                "chart.ind.from",
                numbers.format(values.get(first).orElse(0.0), 0),
                monthYear(months.get(first)))
            : "";
    return tx.t(
        "chart.ind.alt",
        sector,
        numbers.format(values.get(last).orElse(0.0), 0),
        monthYear(months.get(last)),
        from,
        refText);
  }

  private static boolean whole(double v) {
    return Math.abs(v - Math.rint(v)) < 1e-9;
  }

  private String monthYear(IndicatorReport.Period p) {
    return tx.periodName(YearMonth.from(p.firstDay()).toString());
  }

  /** ene, feb, … (es) or Jan, Feb, … (en): the month's name cut to three letters. */
  private String shortMonth(YearMonth m) {
    String name = tx.monthName(m.getMonthValue());
    return name.length() <= 3 ? name : name.substring(0, 3);
  }

  // ---- availability per establishment ----

  private BarChart availability() {
    List<EstablishmentEvidence> all = places;
    List<EstablishmentEvidence> sorted = byAvailability(all);
    List<BarChart.Bar> bars =
        sorted.stream()
            .limit(MAX_ROWS)
            .map(e -> new BarChart.Bar(e.name(), availabilityPct(e)))
            .toList();
    return new BarChart(
        tx.t("chart.avail.title"),
        availabilityAlt(),
        numbers,
        tx.t("chart.avail.empty"),
        tx.noData(),
        bars);
  }

  /** Lowest first; establishments without a figure last, in the report's order. */
  private static List<EstablishmentEvidence> byAvailability(List<EstablishmentEvidence> all) {
    return all.stream()
        .sorted(
            Comparator.comparing(
                (EstablishmentEvidence e) -> availabilityPct(e).orElse(Double.MAX_VALUE)))
        .toList();
  }

  private static Optional<Double> availabilityPct(EstablishmentEvidence e) {
    return e.availability() == null ? Optional.empty() : e.availability().availabilityPct();
  }

  private String availabilityAlt() {
    List<EstablishmentEvidence> with =
        byAvailability(places).stream().filter(e -> availabilityPct(e).isPresent()).toList();
    if (with.isEmpty()) {
      return tx.t("chart.avail.altnone");
    }
    EstablishmentEvidence low = with.get(0);
    EstablishmentEvidence high = with.get(with.size() - 1);
    return tx.t(
        "chart.avail.alt",
        tx.integer(with.size()),
        low.name(),
        tx.pct(availabilityPct(low).orElse(0.0)),
        high.name(),
        tx.pct(availabilityPct(high).orElse(0.0)));
  }

  // ---- measured against contracted download ----

  private record LinkRow(EstablishmentEvidence place, LinkEvidence link) {
    Optional<Double> ratio() {
      double contracted =
          link.contractedDownMbps() == null ? 0 : link.contractedDownMbps().doubleValue();
      return link.download() == null || contracted <= 0
          ? Optional.empty()
          : link.download().medianMbps().map(m -> m * 100 / contracted);
    }

    String label() {
      return link.isp() + " – " + place.name();
    }
  }

  private List<LinkRow> linkRows() {
    List<LinkRow> rows = new ArrayList<>();
    for (EstablishmentEvidence e : places) {
      for (LinkEvidence l : e.links()) {
        rows.add(new LinkRow(e, l));
      }
    }
    return rows.stream()
        .sorted(Comparator.comparing((LinkRow r) -> r.ratio().orElse(Double.MAX_VALUE)))
        .toList();
  }

  private RangeChart speeds() {
    List<LinkRow> all = linkRows();
    List<RangeChart.Row> rows =
        all.stream()
            .limit(MAX_ROWS)
            .map(
                r -> {
                  Optional<EvidenceReport.SpeedStats> d = Optional.ofNullable(r.link().download());
                  return new RangeChart.Row(
                      r.label(),
                      r.link().contractedDownMbps() == null
                          ? 0
                          : r.link().contractedDownMbps().doubleValue(),
                      d.flatMap(EvidenceReport.SpeedStats::p10Mbps),
                      d.flatMap(EvidenceReport.SpeedStats::medianMbps),
                      d.flatMap(EvidenceReport.SpeedStats::p90Mbps));
                })
            .toList();
    return new RangeChart(
        tx.t("chart.speed.title"),
        speedAlt(),
        numbers,
        tx.t("chart.speed.empty"),
        tx.noData(),
        tx.t("chart.speed.median"),
        tx.t("chart.speed.spread"),
        tx.t("chart.speed.contract"),
        tx.t("unit.mbps", "").strip(),
        rows);
  }

  private String speedAlt() {
    List<LinkRow> with = linkRows().stream().filter(r -> r.ratio().isPresent()).toList();
    if (with.isEmpty()) {
      return tx.t("chart.speed.altnone");
    }
    LinkRow low = with.get(0);
    LinkRow high = with.get(with.size() - 1);
    return tx.t(
        "chart.speed.alt",
        tx.integer(with.size()),
        low.label(),
        speedText(low),
        high.label(),
        speedText(high));
  }

  private String speedText(LinkRow r) {
    return tx.opt(r.link().download().medianMbps(), tx::mbps)
        + " / "
        + tx.mbps(r.link().contractedDownMbps())
        + ", "
        + tx.pct(r.ratio().orElse(0.0));
  }

  // ---- outage calendar ----

  /** Minutes of counted outage per day of the period, by establishment, busiest first. */
  private Map<EstablishmentEvidence, long[]> outageDays() {
    LocalDate first = meta.firstDay();
    LocalDate last = meta.lastDay();
    Map<EstablishmentEvidence, long[]> out = new LinkedHashMap<>();
    if (first == null || last == null || last.isBefore(first)) {
      return out;
    }
    int days = (int) ChronoUnit.DAYS.between(first, last) + 1;
    for (EstablishmentEvidence e : places) {
      long[] minutes = new long[days];
      boolean any = false;
      for (Outage o : e.outages()) {
        if (o.shortBlip() || o.openMinutes() <= 0 || o.start() == null || o.end() == null) {
          continue;
        }
        any |= spread(o.start(), o.end(), first, minutes);
      }
      if (any) {
        out.put(e, minutes);
      }
    }
    return out;
  }

  /** Adds the outage's minutes to the local days it covers; true when any fell in the period. */
  private boolean spread(Instant start, Instant end, LocalDate first, long[] minutes) {
    boolean any = false;
    ZonedDateTime at = start.atZone(zone);
    ZonedDateTime stop = end.atZone(zone);
    while (at.isBefore(stop)) {
      ZonedDateTime nextDay = at.toLocalDate().plusDays(1).atStartOfDay(zone);
      ZonedDateTime until = nextDay.isBefore(stop) ? nextDay : stop;
      int d = (int) ChronoUnit.DAYS.between(first, at.toLocalDate());
      long m = ChronoUnit.MINUTES.between(at, until);
      if (d >= 0 && d < minutes.length && m > 0) {
        minutes[d] += m;
        any = true;
      }
      at = until;
    }
    return any;
  }

  private static long total(long[] minutes) {
    long t = 0;
    for (long m : minutes) {
      t += m;
    }
    return t;
  }

  private CalendarChart calendar() {
    Map<EstablishmentEvidence, long[]> days = outageDays();
    List<Map.Entry<EstablishmentEvidence, long[]>> rows =
        days.entrySet().stream()
            .sorted(Comparator.comparingLong(en -> -total(en.getValue())))
            .limit(MAX_ROWS)
            .toList();
    List<String> labels = new ArrayList<>();
    LocalDate first = meta.firstDay();
    LocalDate last = meta.lastDay();
    if (first != null && last != null) {
      long n = ChronoUnit.DAYS.between(first, last) + 1;
      for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
        if (n <= 31) {
          labels.add(
              d.getDayOfMonth() % 2 == 1 || n <= 16 ? Integer.toString(d.getDayOfMonth()) : "");
        } else {
          labels.add(d.getDayOfMonth() == 1 ? shortMonth(YearMonth.from(d)) : "");
        }
      }
    }
    return new CalendarChart(
        tx.t("chart.cal.title"),
        calendarAlt(),
        tx.t("chart.cal.empty"),
        labels,
        rows.stream()
            .map(
                en ->
                    new CalendarChart.Row(
                        en.getKey().name(),
                        java.util.Arrays.stream(en.getValue()).boxed().toList()))
            .toList(),
        List.of(
            tx.t("chart.cal.level0"),
            tx.t("chart.cal.level1"),
            tx.t("chart.cal.level2"),
            tx.t("chart.cal.level3")));
  }

  private String calendarAlt() {
    Map<EstablishmentEvidence, long[]> days = outageDays();
    if (days.isEmpty()) {
      return tx.t("chart.cal.altnone");
    }
    EstablishmentEvidence worst = null;
    int worstDay = 0;
    long worstMinutes = -1;
    for (Map.Entry<EstablishmentEvidence, long[]> en : days.entrySet()) {
      long[] m = en.getValue();
      for (int d = 0; d < m.length; d++) {
        if (m[d] > worstMinutes) {
          worstMinutes = m[d];
          worstDay = d;
          worst = en.getKey();
        }
      }
    }
    return tx.t(
        "chart.cal.alt",
        tx.integer(days.size()),
        tx.date(meta.firstDay().plusDays(worstDay)),
        worst == null ? "" : worst.name(),
        tx.duration(worstMinutes));
  }
}
