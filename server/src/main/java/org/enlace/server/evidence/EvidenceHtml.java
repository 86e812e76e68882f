package org.enlace.server.evidence;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.enlace.server.evidence.EvidenceReport.Availability;
import org.enlace.server.evidence.EvidenceReport.EstablishmentEvidence;
import org.enlace.server.evidence.EvidenceReport.LinkEvidence;
import org.enlace.server.evidence.EvidenceReport.Meta;
import org.enlace.server.evidence.EvidenceReport.Method;
import org.enlace.server.evidence.EvidenceReport.Outage;
import org.enlace.server.evidence.EvidenceReport.SpeedStats;
import org.enlace.server.evidence.EvidenceReport.Utilization;
import org.enlace.server.indicators.IndicatorReport;
import org.enlace.server.indicators.IndicatorReport.Completeness;
import org.enlace.server.indicators.IndicatorReport.Counts;
import org.enlace.server.indicators.IndicatorReport.Definition;
import org.enlace.server.indicators.IndicatorReport.SectorFigures;
import org.jspecify.annotations.Nullable;

/**
 * An evidence report as one self-contained, printable document: well-formed XHTML (so that
 * openhtmltopdf can read it as XML) that browsers also show as HTML, with its CSS inline and
 * {@code @page} rules for A4 or Letter. Every value from the report is escaped; every empty
 * Optional reads "sin datos" / "no data".
 */
public final class EvidenceHtml {
  static final ZoneId DEFAULT_ZONE = ZoneId.of("America/Bogota");

  /** The PDF renderer maps sans-serif to the base-14 Helvetica (see EvidencePdf). */
  static final String FONTS = "Helvetica, Arial, sans-serif";

  static final String FOOTER = "font-family: " + FONTS + "; font-size: 7.5pt; color: #555;";

  /** Paper size and the running footers: the one rule that depends on the request. */
  static final String PAGE_RULE =
      "@page { size: %s; margin: 16mm 14mm 18mm 14mm; @bottom-left { content: %s; %s }"
          + " @bottom-right { content: %s counter(page) \" / \" counter(pages); %s } }";

  static final String STYLE = style("evidence.css");

  private final EvidenceReport report;
  private final Meta meta;
  private final Optional<Method> method;
  private final Optional<IndicatorReport> indicators;
  private final EvidenceText tx;
  private final String noData;
  private final Paper paper;
  private final ZoneId zone;
  private final FrontMatter front;
  private final Signatures signatures;
  private final StringBuilder out = new StringBuilder(64 * 1024);

  private EvidenceHtml(
      EvidenceReport report, EvidenceText.Lang lang, Paper paper, Signatures signatures) {
    this.report = ReportDefaults.fill(report);
    this.meta = this.report.meta();
    this.method = Optional.ofNullable(this.report.method());
    this.indicators = Optional.ofNullable(this.report.indicators());
    this.tx = EvidenceText.of(lang);
    this.noData = tx.noData();
    this.paper = paper;
    this.zone = zone(report.meta());
    this.front = new FrontMatter(this.report, tx, zone);
    this.signatures = signatures;
  }

  public static String render(EvidenceReport report, EvidenceText.Lang lang, Paper paper) {
    return render(report, lang, paper, Signatures.NONE);
  }

  /** With the names and roles to print in the signature block. */
  public static String render(
      EvidenceReport report, EvidenceText.Lang lang, Paper paper, Signatures signatures) {
    return new EvidenceHtml(report, lang, paper, signatures).document();
  }

  static ZoneId zone(Meta meta) {
    if (meta == null || meta.timeZone() == null) {
      return DEFAULT_ZONE;
    }
    try {
      return ZoneId.of(meta.timeZone());
    } catch (DateTimeException e) {
      return DEFAULT_ZONE;
    }
  }

  // ---- the document ----

  private String document() {
    String municipality = meta.municipality();
    String period = tx.periodName(meta.period());
    String title = tx.t("report.title", municipality, period);
    out.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"")
        .append(tx.t("lang"))
        .append("\" xml:lang=\"")
        .append(tx.t("lang"))
        .append("\">\n<head>\n")
        .append("<meta charset=\"UTF-8\"/>\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
        .append("<title>")
        .append(esc(title))
        .append("</title>\n")
        .append("<meta name=\"author\" content=\"")
        .append(esc(municipality))
        .append("\"/>\n")
        .append("<meta name=\"subject\" content=\"")
        .append(esc(tx.t("report.kind")))
        .append(" – SHA-256 ")
        .append(esc(nz(meta.dataSha256())))
        .append("\"/>\n")
        .append("<meta name=\"generator\" content=\"Enlace\"/>\n")
        .append("<style>\n")
        .append(css(municipality + " – " + period))
        .append("</style>\n")
        .append("</head>\n<body>\n");
    header(municipality, period);
    front.coverageBox(out);
    front.executiveSummary(out);
    charts();
    summary();
    indicators();
    establishmentsSection();
    links();
    methodology();
    sources();
    definitions();
    integrity();
    front.signatures(out, signatures);
    out.append("</body>\n</html>\n");
    return out.toString();
  }

  private void header(String municipality, String period) {
    out.append("<header>\n<p class=\"kicker\">")
        .append(esc(tx.t("report.kind")))
        .append("</p>\n<h1>")
        .append(esc(municipality))
        .append("</h1>\n<p class=\"period\">")
        .append(esc(period))
        .append("</p>\n");
    HtmlTable.keyValue("meta", noData)
        .labelled(
            tx.t("meta.period"),
            period + " (" + nz(meta.period()) + "), " + tx.range(meta.firstDay(), meta.lastDay()))
        .labelled(tx.t("meta.scope"), scope())
        .labelled(
            tx.t("meta.generated"),
            Optional.ofNullable(meta.generatedAt()).map(at -> tx.dateTime(at, zone)).orElse(noData))
        .labelled(tx.t("meta.timezone"), tx.zone(zone))
        .labelled(tx.t("meta.sha"), HtmlTable.hash(orNoData(meta.dataSha256())))
        .appendTo(out);
    out.append("</header>\n");
  }

  /** Todo el municipio, Establecimiento: Alcaldía (alcaldia), Enlace n.º 7: ISP – place. */
  String scope() {
    String id = meta.scopeId();
    switch (meta.scope()) {
      case "establishment" -> {
        return tx.t(
            "scope.establishment",
            report.establishments().stream()
                .filter(e -> id.equals(e.code()))
                .findFirst()
                .map(e -> e.name() + " (" + id + ")")
                .orElse(id));
      }
      case "link" -> {
        for (EstablishmentEvidence e : report.establishments()) {
          for (LinkEvidence l : e.links()) {
            if (Long.toString(l.id()).equals(id)) {
              return tx.t("scope.link", id) + ": " + l.isp() + " – " + e.name();
            }
          }
        }
        return tx.t("scope.link", id);
      }
      default -> {
        return tx.t("scope.municipality");
      }
    }
  }

  private void summary() {
    long links = report.establishments().stream().mapToLong(e -> e.links().size()).sum();
    section("summary", tx.t("summary.heading"));
    HtmlTable.keyValue("kv", noData)
        .labelled(tx.t("summary.establishments"), tx.integer(report.establishments().size()))
        .labelled(tx.t("summary.links"), tx.integer(links))
        .labelled(
            tx.t("summary.observations"),
            method.map(m -> tx.integer(m.observationsUsed())).orElse(noData))
        .labelled(
            tx.t("summary.speedtests"),
            method.map(m -> tx.integer(m.speedTestsUsed())).orElse(noData))
        .appendTo(out);
    out.append("</section>\n");
  }

  // ---- charts ----

  /** The charts (see EvidenceCharts), right after the summary on page 1. */
  private void charts() {
    out.append(EvidenceCharts.section(report, tx, zone));
  }

  // ---- indicators ----

  private void indicators() {
    section("indicators", tx.t("ind.heading"));
    int minDays =
        method
            .map(Method::minOnlineDays)
            .or(() -> indicators.map(IndicatorReport::definition).map(Definition::minOnlineDays))
            .orElse(1);
    p(tx.t("ind.intro", tx.days(minDays)));
    indicators
        .flatMap(IndicatorReport::baseline)
        .ifPresentOrElse(this::baseline, () -> p(tx.t("ind.nobaseline")));
    List<IndicatorReport.Period> periods =
        indicators.map(IndicatorReport::periods).orElse(List.of());
    if (periods.isEmpty()) {
      p(tx.t("ind.noperiods"));
    }
    for (IndicatorReport.Period period : periods) {
      out.append("<div class=\"period-block\">\n<h3>")
          .append(
              esc(
                  tx.t(
                      "ind.period",
                      tx.periodName(period.period()),
                      tx.range(period.firstDay(), period.lastDay()))))
          .append("</h3>\n");
      countsTable(tx.t("ind.computers"), period, true);
      countsTable(tx.t("ind.establishments"), period, false);
      completenessTable(period.sectors());
      out.append("</div>\n");
    }
    out.append("</section>\n");
  }

  private void baseline(IndicatorReport.Baseline b) {
    p(
        tx.t(
            "ind.baselineinfo",
            b.reference(),
            compactPct(b.targetIncreasePct()),
            b.setBy(),
            Optional.ofNullable(b.setAt())
                .map(at -> tx.date(at.atZone(zone).toLocalDate()))
                .orElse(noData)));
    if (!b.note().isBlank()) {
      p(tx.t("ind.baselinenote", b.note()));
    }
  }

  private void countsTable(String caption, IndicatorReport.Period period, boolean computers) {
    HtmlTable table =
        figures(
            "figures counts",
            Optional.of(caption),
            "ind.sector",
            "ind.measured",
            "ind.declared",
            "ind.combined",
            "ind.baseline",
            "ind.change",
            "ind.progress");
    for (SectorFigures s : period.sectors()) {
      table.row(
          "total".equals(s.sector()) ? Optional.of("total") : Optional.empty(),
          HtmlTable.text(tx.sector(s.sector())),
          HtmlTable.num(count(s.measured(), computers)),
          HtmlTable.num(count(s.declared(), computers)),
          HtmlTable.num(count(s.combined(), computers)),
          HtmlTable.num(tx.opt(s.baseline(), c -> count(c, computers))),
          HtmlTable.num(
              front.changeCell(
                  computers ? s.computersChangePct() : s.establishmentsChangePct(),
                  true,
                  s,
                  computers,
                  period)),
          HtmlTable.num(
              front.changeCell(
                  computers ? s.computersProgressPct() : s.establishmentsProgressPct(),
                  false,
                  s,
                  computers,
                  period)));
    }
    table.appendTo(out);
  }

  private void completenessTable(List<SectorFigures> sectors) {
    HtmlTable table =
        figures(
            "figures",
            Optional.of(tx.t("ind.completeness")),
            "ind.sector",
            "ind.enrolled",
            "ind.reporting",
            "ind.withagents");
    for (SectorFigures s : sectors) {
      Optional<Completeness> c = Optional.ofNullable(s.completeness());
      table.row(
          HtmlTable.text(tx.sector(s.sector())),
          HtmlTable.num(c.map(x -> tx.integer(x.computersEnrolled())).orElse(noData)),
          HtmlTable.num(c.map(x -> tx.integer(x.computersReporting())).orElse(noData)),
          HtmlTable.num(c.map(x -> tx.integer(x.establishmentsWithAgents())).orElse(noData)));
    }
    table.appendTo(out);
  }

  private String count(Counts c, boolean computers) {
    return c == null ? noData : tx.integer(computers ? c.computers() : c.establishments());
  }

  // ---- establishments ----

  private void establishmentsSection() {
    section("establishments", tx.t("est.heading"));
    List<EstablishmentEvidence> all = report.establishments();
    if (all.isEmpty()) {
      p(tx.t("est.none"));
      out.append("</section>\n");
      return;
    }
    HtmlTable overview =
        figures(
            "figures overview",
            Optional.empty(),
            "est.name",
            "est.sector",
            "est.availability",
            "est.completeness",
            "est.outages",
            "est.outagetime",
            "est.latency",
            "est.computers");
    for (EstablishmentEvidence e : all) {
      Optional<Availability> a = Optional.ofNullable(e.availability());
      overview.row(
          HtmlTable.text(e.name() + " (" + nz(e.code()) + ")"),
          HtmlTable.text(tx.sector(e.sector())),
          HtmlTable.num(a.map(x -> tx.opt(x.availabilityPct(), tx::pct)).orElse(noData)),
          HtmlTable.num(a.map(x -> tx.opt(x.completenessPct(), tx::pct)).orElse(noData)),
          HtmlTable.num(tx.integer(outages(e, false))),
          HtmlTable.num(a.map(x -> tx.duration(x.outageMinutes())).orElse(noData)),
          HtmlTable.num(latency(e)),
          HtmlTable.num(computers(e)));
    }
    overview.appendTo(out);
    all.forEach(this::establishment);
    out.append("</section>\n");
  }

  private String latency(EstablishmentEvidence e) {
    return Optional.ofNullable(e.latency())
        .filter(l -> l.p50Ms().isPresent() || l.p90Ms().isPresent())
        .map(l -> tx.opt(l.p50Ms(), tx::ms) + " / " + tx.opt(l.p90Ms(), tx::ms))
        .orElse(noData);
  }

  private String computers(EstablishmentEvidence e) {
    return tx.integer(e.computersConnected()) + " / " + tx.integer(e.computersEnrolled());
  }

  private static long outages(EstablishmentEvidence e, boolean blips) {
    return e.outages().stream().filter(o -> o.shortBlip() == blips).count();
  }

  private void establishment(EstablishmentEvidence e) {
    out.append("<div class=\"establishment\">\n<h3>")
        .append(esc(e.name()))
        .append(" <span class=\"code\">(")
        .append(esc(nz(e.code())))
        .append(")</span></h3>\n");
    // One paragraph of facts rather than a table: a year's report of 300 places stays short.
    Optional<Availability> a = Optional.ofNullable(e.availability());
    List<Fact> facts = new ArrayList<>();
    facts.add(new Fact(tx.t("est.kind"), tx.kind(e.kind())));
    facts.add(new Fact(tx.t("est.sector"), tx.sector(e.sector())));
    facts.add(
        new Fact(
            tx.t("est.availability"),
            a.flatMap(
                    x ->
                        x.availabilityPct()
                            .map(
                                v ->
                                    tx.t(
                                        "est.availabilitydetail",
                                        tx.pct(v),
                                        tx.duration(x.upMinutes()),
                                        tx.duration(x.outageMinutes()))))
                .orElse(noData)));
    facts.add(
        new Fact(
            tx.t("est.completeness"),
            a.flatMap(
                    x ->
                        x.completenessPct()
                            .map(
                                v ->
                                    tx.t(
                                        "est.completenessdetail",
                                        tx.pct(v),
                                        tx.duration(x.observedMinutes()),
                                        tx.duration(x.openMinutes()))))
                .orElse(noData)));
    a.ifPresent(
        x ->
            facts.add(
                new Fact(
                    tx.t("est.gaps"),
                    tx.t(
                        "est.gapsdetail",
                        tx.duration(x.pcsOffMinutes()),
                        tx.duration(x.linkDownMinutes()),
                        tx.duration(x.noDataMinutes())))));
    facts.add(
        new Fact(
            tx.t("est.outages"),
            tx.t("est.outagecount", tx.integer(outages(e, false)), tx.integer(outages(e, true)))));
    facts.add(
        new Fact(
            tx.t("est.outagetime"), a.map(x -> tx.duration(x.outageMinutes())).orElse(noData)));
    facts.add(
        new Fact(
            tx.t("est.latency"),
            Optional.ofNullable(e.latency())
                .map(
                    l ->
                        tx.t(
                            "est.latencydetail",
                            tx.opt(l.p50Ms(), tx::ms),
                            tx.opt(l.p90Ms(), tx::ms),
                            tx.integer(l.samples())))
                .orElse(noData)));
    facts.add(new Fact(tx.t("est.computers"), computers(e)));
    facts(facts);
    outagesTable(e.outages());
    outsideHoursTable(e);
    out.append("</div>\n");
  }

  private void outagesTable(List<Outage> outages) {
    HtmlTable table =
        figures(
            "figures outages",
            Optional.of(tx.t("outage.heading")),
            "outage.start",
            "outage.end",
            "outage.duration",
            "outage.open",
            "outage.computers",
            "outage.type",
            "outage.cause");
    String blip =
        tx.t("outage.blip", tx.duration(method.map(Method::shortOutageMinutes).orElse(0)));
    for (Outage o : outages) {
      table.row(
          o.shortBlip() ? Optional.of("blip") : Optional.empty(),
          HtmlTable.text(shortDateTime(o.start())),
          HtmlTable.text(shortDateTime(o.end())),
          HtmlTable.num(tx.duration(o.durationMinutes())),
          HtmlTable.num(tx.duration(o.openMinutes())),
          HtmlTable.num(tx.integer(o.computers())),
          HtmlTable.text(outageType(o, blip)),
          HtmlTable.text(tx.cause(o.cause())));
    }
    table.appendTo(out, tx.t("outage.none"));
    if (outages.stream().anyMatch(Outage::provisional)) {
      p(tx.t("outage.provisional.note"));
    }
  }

  private String outageType(Outage o, String blip) {
    String type = o.shortBlip() ? blip : tx.t("outage.outage");
    return o.provisional() ? type + " (" + tx.t("outage.provisional") + ")" : type;
  }

  /** Outages while the place was closed: listed apart, never among those that count. */
  private void outsideHoursTable(EstablishmentEvidence e) {
    List<Outage> outside = Optional.ofNullable(e.outagesOutsideOpeningHours()).orElse(List.of());
    if (outside.isEmpty()) {
      return;
    }
    HtmlTable table =
        figures(
            "figures outages outside-hours",
            Optional.of(tx.t("outage.outside.heading")),
            "outage.start",
            "outage.end",
            "outage.duration",
            "outage.computers",
            "outage.cause");
    for (Outage o : outside) {
      table.row(
          HtmlTable.text(shortDateTime(o.start())),
          HtmlTable.text(shortDateTime(o.end())),
          HtmlTable.num(tx.duration(o.durationMinutes())),
          HtmlTable.num(tx.integer(o.computers())),
          HtmlTable.text(tx.cause(o.cause())));
    }
    table.appendTo(out);
    p(tx.t("outage.outside.note"));
  }

  private String shortDateTime(Instant at) {
    return at == null ? noData : tx.shortDateTime(at, zone);
  }

  // ---- links ----

  private void links() {
    section("links", tx.t("link.heading"));
    List<Map.Entry<EstablishmentEvidence, LinkEvidence>> all = new ArrayList<>();
    for (EstablishmentEvidence e : report.establishments()) {
      e.links().forEach(l -> all.add(Map.entry(e, l)));
    }
    if (all.isEmpty()) {
      p(tx.t("link.none"));
    } else {
      speeds(all);
      all.forEach(x -> link(x.getKey(), x.getValue()));
    }
    out.append("</section>\n");
  }

  /**
   * Every link's measured speeds against its contract in one table, download / upload in each cell:
   * the comparison an ISP negotiation starts from, read down one column. One table rather than one
   * under each link: openhtmltopdf lays out a 2-row table with its header row at about the cost of
   * 9 rows, and 300 of them were a seventh of a large municipality's PDF time.
   */
  private void speeds(List<Map.Entry<EstablishmentEvidence, LinkEvidence>> all) {
    HtmlTable table =
        HtmlTable.figures(
            "figures speeds",
            Optional.of(tx.t("link.speeds.heading")),
            List.of(
                tx.t("link.speeds.link"),
                tx.t("link.speeds.contracted"),
                tx.t("link.speeds.median"),
                tx.t("link.p10"),
                tx.t("link.p90"),
                tx.t("link.tests"),
                tx.t("link.under", tx.share(underShare()))),
            noData);
    for (Map.Entry<EstablishmentEvidence, LinkEvidence> x : all) {
      EstablishmentEvidence e = x.getKey();
      LinkEvidence l = x.getValue();
      Optional<SpeedStats> down = Optional.ofNullable(l.download());
      Optional<SpeedStats> up = Optional.ofNullable(l.upload());
      table.row(
          HtmlTable.text(
              tx.t("link.speeds.row", Long.toString(l.id()), l.isp(), e.name(), nz(e.code()))),
          HtmlTable.num(pair(contract(l.contractedDownMbps()), contract(l.contractedUpMbps()))),
          HtmlTable.num(measured(down, SpeedStats::medianMbps, up)),
          HtmlTable.num(measured(down, SpeedStats::p10Mbps, up)),
          HtmlTable.num(measured(down, SpeedStats::p90Mbps, up)),
          HtmlTable.num(
              pair(
                  down.map(s -> tx.integer(s.tests())).orElse(noData),
                  up.map(s -> tx.integer(s.tests())).orElse(noData))),
          HtmlTable.num(
              pair(
                  down.flatMap(SpeedStats::underContractSharePct).map(tx::pct).orElse(noData),
                  up.flatMap(SpeedStats::underContractSharePct).map(tx::pct).orElse(noData))));
    }
    table.appendTo(out);
    p(tx.t("link.speeds.note"));
  }

  private String contract(BigDecimal mbps) {
    return mbps == null ? noData : tx.contractNumber(mbps);
  }

  private String measured(
      Optional<SpeedStats> down,
      Function<SpeedStats, Optional<Double>> figure,
      Optional<SpeedStats> up) {
    return pair(
        down.flatMap(figure).map(v -> tx.number(v, 1)).orElse(noData),
        up.flatMap(figure).map(v -> tx.number(v, 1)).orElse(noData));
  }

  /** "download / upload"; one "sin datos" when neither is known, so the cell reads as missing. */
  private String pair(String down, String up) {
    return down.equals(noData) && up.equals(noData) ? noData : down + " / " + up;
  }

  private void link(EstablishmentEvidence e, LinkEvidence l) {
    out.append("<div class=\"link\">\n<h3>")
        .append(esc(tx.t("link.title", Long.toString(l.id()), l.isp())))
        .append("</h3>\n");
    List<Fact> facts = new ArrayList<>();
    facts.add(new Fact(tx.t("link.establishment"), e.name() + " (" + nz(e.code()) + ")"));
    facts.add(new Fact(tx.t("link.technology"), orNoData(l.technology())));
    facts.add(new Fact(tx.t("link.cost"), tx.opt(l.monthlyCost(), c -> tx.money(c, l.currency()))));
    facts.add(
        new Fact(
            tx.t("link.costpermbps"),
            tx.opt(
                l.costPerMeasuredMbps(),
                c -> tx.t("unit.permbps", tx.moneyNumber(c, l.currency()), nz(l.currency())))));
    facts.add(
        new Fact(
            tx.t("link.utilization"),
            tx.opt(
                l.utilization(),
                u ->
                    tx.t(
                        "link.utilizationdetail",
                        tx.pct(u.p95InPct()),
                        tx.pct(u.p95OutPct()),
                        tx.duration(u.minutesAbove80Pct()),
                        tx.integer(u.samples()),
                        tx.plain(u.p95InMbps(), 2),
                        tx.plain(u.p95OutMbps(), 2),
                        tx.duration(u.gapMinutes())))));
    l.utilization()
        .map(Utilization::peakHours)
        .filter(hours -> !hours.isEmpty())
        .ifPresent(hours -> facts.add(new Fact(tx.t("link.peakhours"), peakHours(hours))));
    facts(facts);
    out.append("</div>\n");
  }

  private String peakHours(List<EvidenceReport.PeakHour> hours) {
    return String.join(
        "; ",
        hours.stream()
            .map(
                h ->
                    tx.t(
                        "link.peakhour",
                        String.format(Locale.ROOT, "%02d:00", h.hour()),
                        tx.pct(h.meanInPct()),
                        tx.pct(h.meanOutPct())))
            .toList());
  }

  /** The "under contract" threshold as a fraction (0.8), whether given as 0.8 or as 80. */
  private double underShare() {
    double v = method.map(Method::underContractShare).orElse(0.8);
    return v > 1 ? v / 100 : v;
  }

  // ---- methodology, sources, definitions, hash ----

  private void methodology() {
    section("method", tx.t("method.heading"));
    p(tx.t("method.intro", tx.zone(zone)));
    if (method.isEmpty()) {
      p(noData);
      out.append("</section>\n");
      return;
    }
    Method m = method.get();
    out.append("<ul>\n");
    li(tx.t("method.connected", tx.days(m.minOnlineDays())));
    li(tx.t("method.declared"));
    li(tx.t("method.change"));
    li(tx.t("method.availability"));
    li(tx.t("method.nodata"));
    li(tx.t("method.completeness"));
    li(tx.t("method.hold", tx.minutes(m.holdMinutes())));
    li(tx.t("method.outage", tx.duration(m.shortOutageMinutes())));
    li(tx.t("method.speed", orNoData(m.testServer()), tx.share(underShare())));
    li(tx.t("method.cost"));
    li(tx.t("method.latency"));
    li(tx.t("method.utilization"));
    li(tx.t("method.samples", tx.integer(m.observationsUsed()), tx.integer(m.speedTestsUsed())));
    out.append("</ul>\n</section>\n");
  }

  private void sources() {
    section("sources", tx.t("sources.heading"));
    if (meta.sources().isEmpty()) {
      p(tx.t("sources.none"));
    } else {
      out.append("<ul>\n");
      meta.sources().forEach(src -> li(tx.tOr("source." + src, src)));
      out.append("</ul>\n");
    }
    out.append("</section>\n");
  }

  private void definitions() {
    section("definitions", tx.t("def.heading"));
    out.append("<dl>\n");
    for (String k :
        List.of(
            "measured",
            "declared",
            "combined",
            "baseline",
            "availability",
            "completeness",
            "outage",
            "blip",
            "percentiles",
            "nodata")) {
      out.append("<dt>")
          .append(esc(tx.t("def." + k)))
          .append("</dt><dd>")
          .append(esc(tx.t("def." + k + ".text")))
          .append("</dd>\n");
    }
    out.append("</dl>\n</section>\n");
  }

  private void integrity() {
    section("integrity", tx.t("hash.heading"));
    p(tx.t("hash.text"));
    out.append("<p class=\"hash big\">").append(esc(orNoData(meta.dataSha256()))).append("</p>\n");
    p(tx.t("hash.how"));
    if (meta.generatedAt() != null) {
      out.append("<p class=\"note\">")
          .append(esc(tx.t("footer.generated", tx.dateTime(meta.generatedAt(), zone))))
          .append("</p>\n");
    }
    out.append("</section>\n");
  }

  // ---- small pieces ----

  /** A label and its value, in a paragraph of facts. */
  private record Fact(String label, String value) {}

  /** Label: value pairs in one paragraph, each pair kept on one line where it fits. */
  private void facts(List<Fact> facts) {
    out.append("<p class=\"facts\">");
    for (int i = 0; i < facts.size(); i++) {
      String value = facts.get(i).value();
      out.append(i == 0 ? "" : " <span class=\"sep\">·</span> ")
          .append("<span class=\"k\">")
          .append(esc(facts.get(i).label()))
          .append(":</span> ")
          .append(
              value.equals(noData)
                  ? "<span class=\"nodata\">" + esc(value) + "</span>"
                  : esc(value));
    }
    out.append("</p>\n");
  }

  private HtmlTable figures(String cssClass, Optional<String> caption, String... headingKeys) {
    return HtmlTable.figures(
        cssClass, caption, Stream.of(headingKeys).map(k -> tx.t(k)).toList(), noData);
  }

  private void section(String cssClass, String heading) {
    out.append("<section class=\"")
        .append(cssClass)
        .append("\">\n<h2>")
        .append(esc(heading))
        .append("</h2>\n");
  }

  private void p(String text) {
    out.append("<p>").append(esc(text)).append("</p>\n");
  }

  private void li(String text) {
    out.append("<li>").append(esc(text)).append("</li>\n");
  }

  private String orNoData(@Nullable String text) {
    return text == null || text.isBlank() ? noData : text;
  }

  private String compactPct(double v) {
    return (Math.abs(v - Math.rint(v)) < 1e-9 ? tx.number(v, 0) : tx.number(v, 1))
        + EvidenceText.NBSP
        + "%";
  }

  static <T> List<T> list(@Nullable List<T> l) {
    return l == null ? List.of() : l;
  }

  static <T> Optional<T> opt(Optional<T> o) {
    return o == null ? Optional.empty() : o;
  }

  static String nz(@Nullable String s) {
    return s == null ? "" : s;
  }

  static boolean blank(@Nullable String s) {
    return s == null || s.isBlank();
  }

  /**
   * Escapes text for both XHTML and HTML: &amp; &lt; &gt; &quot; &#39;, and drops characters XML
   * 1.0 does not allow (control characters), which would make the PDF renderer fail.
   */
  public static String esc(@Nullable String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> {
          if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xFFFE || c == 0xFFFF) {
            b.append(' ');
          } else if (Character.isSurrogate(c) && !validSurrogate(s, i)) {
            b.append(' ');
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  private static boolean validSurrogate(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }

  /**
   * A CSS string literal that reads the same in an XHTML and an HTML {@code <style>}: quotes,
   * backslashes and markup characters become CSS hex escapes.
   */
  static String cssString(String s) {
    StringBuilder b = new StringBuilder("\"");
    String clean = s == null ? "" : s;
    for (int i = 0; i < clean.length(); i++) {
      char c = clean.charAt(i);
      if (c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c == '\'' || c < 0x20
          || c == 0x7f) {
        b.append('\\').append(Integer.toHexString(c < 0x20 ? ' ' : c)).append(' ');
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  private String css(String running) {
    String page =
        PAGE_RULE.formatted(
            paper.css(), cssString(running), FOOTER, cssString(tx.t("page") + " "), FOOTER);
    return page + "\n" + STYLE;
  }

  /** The style sheet, its comments left out: they are for whoever edits it, not for readers. */
  private static String style(String name) {
    try (InputStream in = EvidenceHtml.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replaceAll("(?s)/\\*.*?\\*/\n", "");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
