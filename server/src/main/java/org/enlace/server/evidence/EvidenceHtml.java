package org.enlace.server.evidence;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.enlace.server.evidence.EvidenceReport.EstablishmentEvidence;
import org.enlace.server.evidence.EvidenceReport.LinkEvidence;
import org.enlace.server.evidence.EvidenceReport.Meta;
import org.enlace.server.evidence.EvidenceReport.Method;
import org.enlace.server.evidence.EvidenceReport.Outage;
import org.enlace.server.evidence.EvidenceReport.SpeedStats;
import org.enlace.server.indicators.IndicatorReport;
import org.enlace.server.indicators.IndicatorReport.Counts;
import org.enlace.server.indicators.IndicatorReport.SectorFigures;

/**
 * An evidence report as one self-contained, printable document: well-formed XHTML (so that
 * openhtmltopdf can read it as XML) that browsers also show as HTML, with its CSS inline and
 * {@code @page} rules for A4 or Letter. Every value from the report is escaped; every empty
 * Optional reads "sin datos" / "no data".
 */
public final class EvidenceHtml {
  static final ZoneId DEFAULT_ZONE = ZoneId.of("America/Bogota");

  private final EvidenceReport report;
  private final EvidenceText tx;
  private final Paper paper;
  private final ZoneId zone;
  private final StringBuilder out = new StringBuilder(64 * 1024);

  private EvidenceHtml(EvidenceReport report, EvidenceText.Lang lang, Paper paper) {
    this.report = report;
    this.tx = EvidenceText.of(lang);
    this.paper = paper;
    this.zone = zone(report.meta());
  }

  public static String render(EvidenceReport report, EvidenceText.Lang lang, Paper paper) {
    return new EvidenceHtml(report, lang, paper).document();
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
    Meta meta = report.meta();
    String municipality = nz(meta.municipality());
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
    header(meta, municipality, period);
    summary();
    indicators();
    establishmentsSection();
    links();
    methodology();
    sources();
    definitions();
    integrity();
    out.append("</body>\n</html>\n");
    return out.toString();
  }

  private void header(Meta meta, String municipality, String period) {
    out.append("<header>\n<p class=\"kicker\">")
        .append(esc(tx.t("report.kind")))
        .append("</p>\n<h1>")
        .append(esc(municipality))
        .append("</h1>\n<p class=\"period\">")
        .append(esc(period))
        .append("</p>\n");
    out.append("<table class=\"meta\">\n");
    metaRow(
        tx.t("meta.period"),
        period + " (" + nz(meta.period()) + "), " + tx.range(meta.firstDay(), meta.lastDay()));
    metaRow(tx.t("meta.scope"), scope());
    metaRow(
        tx.t("meta.generated"),
        meta.generatedAt() == null ? tx.noData() : tx.dateTime(meta.generatedAt(), zone));
    metaRow(tx.t("meta.timezone"), zone.getId());
    out.append("<tr><th>")
        .append(esc(tx.t("meta.sha")))
        .append("</th><td class=\"hash\">")
        .append(esc(blank(meta.dataSha256()) ? tx.noData() : meta.dataSha256()))
        .append("</td></tr>\n</table>\n</header>\n");
  }

  private void metaRow(String label, String value) {
    out.append("<tr><th>")
        .append(esc(label))
        .append("</th><td>")
        .append(esc(value))
        .append("</td></tr>\n");
  }

  /** Todo el municipio, Establecimiento: Alcaldía (alcaldia), Enlace n.º 7: ISP – place. */
  String scope() {
    Meta meta = report.meta();
    String scope = nz(meta.scope());
    String id = nz(meta.scopeId());
    switch (scope) {
      case "establishment" -> {
        return tx.t(
            "scope.establishment",
            establishments().stream()
                .filter(e -> id.equals(e.code()))
                .findFirst()
                .map(e -> nz(e.name()) + " (" + id + ")")
                .orElse(id));
      }
      case "link" -> {
        for (EstablishmentEvidence e : establishments()) {
          for (LinkEvidence l : list(e.links())) {
            if (Long.toString(l.id()).equals(id)) {
              return tx.t("scope.link", id) + ": " + nz(l.isp()) + " – " + nz(e.name());
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
    Method m = report.method();
    long links = establishments().stream().mapToLong(e -> list(e.links()).size()).sum();
    out.append("<section class=\"summary\">\n<h2>")
        .append(esc(tx.t("summary.heading")))
        .append("</h2>\n<table class=\"kv\">\n");
    metaRow(tx.t("summary.establishments"), tx.integer(establishments().size()));
    metaRow(tx.t("summary.links"), tx.integer(links));
    metaRow(
        tx.t("summary.observations"), m == null ? tx.noData() : tx.integer(m.observationsUsed()));
    metaRow(tx.t("summary.speedtests"), m == null ? tx.noData() : tx.integer(m.speedTestsUsed()));
    out.append("</table>\n</section>\n");
  }

  // ---- indicators ----

  private void indicators() {
    IndicatorReport ind = report.indicators();
    out.append("<section class=\"indicators\">\n<h2>")
        .append(esc(tx.t("ind.heading")))
        .append("</h2>\n");
    int minDays =
        report.method() != null
            ? report.method().minOnlineDays()
            : ind != null && ind.definition() != null ? ind.definition().minOnlineDays() : 1;
    p(tx.t("ind.intro", tx.integer(minDays)));
    Optional<IndicatorReport.Baseline> baseline =
        ind == null || ind.baseline() == null ? Optional.empty() : ind.baseline();
    if (baseline.isPresent()) {
      IndicatorReport.Baseline b = baseline.get();
      p(
          tx.t(
              "ind.baselineinfo",
              nz(b.reference()),
              compactPct(b.targetIncreasePct()),
              nz(b.setBy()),
              b.setAt() == null ? tx.noData() : tx.date(b.setAt().atZone(zone).toLocalDate())));
      if (!blank(b.note())) {
        p(tx.t("ind.baselinenote", b.note()));
      }
    } else {
      p(tx.t("ind.nobaseline"));
    }
    List<IndicatorReport.Period> periods = ind == null ? List.of() : list(ind.periods());
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
      countsTable(tx.t("ind.computers"), list(period.sectors()), true);
      countsTable(tx.t("ind.establishments"), list(period.sectors()), false);
      out.append("<table class=\"figures\">\n<caption>")
          .append(esc(tx.t("ind.completeness")))
          .append("</caption>\n<thead><tr>");
      th(tx.t("ind.sector"));
      th(tx.t("ind.enrolled"));
      th(tx.t("ind.reporting"));
      th(tx.t("ind.withagents"));
      out.append("</tr></thead>\n<tbody>\n");
      for (SectorFigures s : list(period.sectors())) {
        out.append("<tr>");
        tdText(tx.sector(s.sector()));
        if (s.completeness() == null) {
          tdNum(tx.noData());
          tdNum(tx.noData());
          tdNum(tx.noData());
        } else {
          tdNum(tx.integer(s.completeness().computersEnrolled()));
          tdNum(tx.integer(s.completeness().computersReporting()));
          tdNum(tx.integer(s.completeness().establishmentsWithAgents()));
        }
        out.append("</tr>\n");
      }
      out.append("</tbody>\n</table>\n</div>\n");
    }
    out.append("</section>\n");
  }

  private void countsTable(String caption, List<SectorFigures> sectors, boolean computers) {
    out.append("<table class=\"figures\">\n<caption>")
        .append(esc(caption))
        .append("</caption>\n<thead><tr>");
    th(tx.t("ind.sector"));
    th(tx.t("ind.measured"));
    th(tx.t("ind.declared"));
    th(tx.t("ind.combined"));
    th(tx.t("ind.baseline"));
    th(tx.t("ind.change"));
    th(tx.t("ind.progress"));
    out.append("</tr></thead>\n<tbody>\n");
    for (SectorFigures s : sectors) {
      out.append("<tr").append("total".equals(s.sector()) ? " class=\"total\"" : "").append(">");
      tdText(tx.sector(s.sector()));
      tdNum(count(s.measured(), computers));
      tdNum(count(s.declared(), computers));
      tdNum(count(s.combined(), computers));
      tdNum(
          tx.opt(
              opt(s.baseline()), c -> tx.integer(computers ? c.computers() : c.establishments())));
      tdNum(
          tx.opt(
              opt(computers ? s.computersChangePct() : s.establishmentsChangePct()),
              tx::signedPct));
      tdNum(
          tx.opt(
              opt(computers ? s.computersProgressPct() : s.establishmentsProgressPct()), tx::pct));
      out.append("</tr>\n");
    }
    out.append("</tbody>\n</table>\n");
  }

  private String count(Counts c, boolean computers) {
    return c == null ? tx.noData() : tx.integer(computers ? c.computers() : c.establishments());
  }

  // ---- establishments ----

  private void establishmentsSection() {
    out.append("<section class=\"establishments\">\n<h2>")
        .append(esc(tx.t("est.heading")))
        .append("</h2>\n");
    List<EstablishmentEvidence> all = establishments();
    if (all.isEmpty()) {
      p(tx.t("est.none"));
      out.append("</section>\n");
      return;
    }
    out.append("<table class=\"figures overview\">\n<thead><tr>");
    th(tx.t("est.name"));
    th(tx.t("est.sector"));
    th(tx.t("est.availability"));
    th(tx.t("est.completeness"));
    th(tx.t("est.outages"));
    th(tx.t("est.outagetime"));
    th(tx.t("est.latency"));
    th(tx.t("est.computers"));
    out.append("</tr></thead>\n<tbody>\n");
    for (EstablishmentEvidence e : all) {
      out.append("<tr>");
      tdText(nz(e.name()) + " (" + nz(e.code()) + ")");
      tdText(tx.sector(e.sector()));
      tdNum(
          e.availability() == null
              ? tx.noData()
              : tx.opt(opt(e.availability().availabilityPct()), tx::pct));
      tdNum(
          e.availability() == null
              ? tx.noData()
              : tx.opt(opt(e.availability().completenessPct()), tx::pct));
      tdNum(tx.integer(outages(e, false)));
      tdNum(e.availability() == null ? tx.noData() : tx.duration(e.availability().outageMinutes()));
      tdNum(latency(e));
      tdNum(tx.integer(e.computersConnected()) + " / " + tx.integer(e.computersEnrolled()));
      out.append("</tr>\n");
    }
    out.append("</tbody>\n</table>\n");
    for (EstablishmentEvidence e : all) {
      establishment(e);
    }
    out.append("</section>\n");
  }

  private String latency(EstablishmentEvidence e) {
    if (e.latency() == null) {
      return tx.noData();
    }
    if (opt(e.latency().p50Ms()).isEmpty() && opt(e.latency().p90Ms()).isEmpty()) {
      return tx.noData();
    }
    return tx.opt(opt(e.latency().p50Ms()), tx::ms)
        + " / "
        + tx.opt(opt(e.latency().p90Ms()), tx::ms);
  }

  private static long outages(EstablishmentEvidence e, boolean blips) {
    return list(e.outages()).stream().filter(o -> o.shortBlip() == blips).count();
  }

  private void establishment(EstablishmentEvidence e) {
    out.append("<div class=\"establishment\">\n<h3>")
        .append(esc(nz(e.name())))
        .append(" <span")
        .append(" class=\"code\">(")
        .append(esc(nz(e.code())))
        .append(")</span></h3>\n");
    // One paragraph of facts rather than a table: a year's report of 300 places stays short.
    List<String[]> facts = new ArrayList<>();
    facts.add(new String[] {tx.t("est.kind"), tx.kind(e.kind())});
    facts.add(new String[] {tx.t("est.sector"), tx.sector(e.sector())});
    var a = e.availability();
    facts.add(
        new String[] {
          tx.t("est.availability"),
          a == null
              ? tx.noData()
              : opt(a.availabilityPct())
                  .map(
                      v ->
                          tx.t(
                              "est.availabilitydetail",
                              tx.pct(v),
                              tx.duration(a.upMinutes()),
                              tx.duration(a.outageMinutes())))
                  .orElse(tx.noData())
        });
    facts.add(
        new String[] {
          tx.t("est.completeness"),
          a == null
              ? tx.noData()
              : opt(a.completenessPct())
                  .map(
                      v ->
                          tx.t(
                              "est.completenessdetail",
                              tx.pct(v),
                              tx.duration(a.observedMinutes()),
                              tx.duration(a.openMinutes())))
                  .orElse(tx.noData())
        });
    if (a != null) {
      facts.add(
          new String[] {
            tx.t("est.gaps"),
            tx.t(
                "est.gapsdetail",
                tx.duration(a.pcsOffMinutes()),
                tx.duration(a.linkDownMinutes()),
                tx.duration(a.noDataMinutes()))
          });
    }
    facts.add(
        new String[] {
          tx.t("est.outages"),
          tx.t("est.outagecount", tx.integer(outages(e, false)), tx.integer(outages(e, true)))
        });
    facts.add(
        new String[] {
          tx.t("est.outagetime"), a == null ? tx.noData() : tx.duration(a.outageMinutes())
        });
    facts.add(
        new String[] {
          tx.t("est.latency"),
          e.latency() == null
              ? tx.noData()
              : tx.t(
                  "est.latencydetail",
                  tx.opt(opt(e.latency().p50Ms()), tx::ms),
                  tx.opt(opt(e.latency().p90Ms()), tx::ms),
                  tx.integer(e.latency().samples()))
        });
    facts.add(
        new String[] {
          tx.t("est.computers"),
          tx.integer(e.computersConnected()) + " / " + tx.integer(e.computersEnrolled())
        });
    facts(facts);
    List<Outage> outages = list(e.outages());
    if (outages.isEmpty()) {
      out.append("<p class=\"note\">").append(esc(tx.t("outage.none"))).append("</p>\n");
    } else {
      out.append("<table class=\"figures outages\">\n<caption>")
          .append(esc(tx.t("outage.heading")))
          .append("</caption>\n<thead><tr>");
      th(tx.t("outage.start"));
      th(tx.t("outage.end"));
      th(tx.t("outage.duration"));
      th(tx.t("outage.open"));
      th(tx.t("outage.computers"));
      th(tx.t("outage.type"));
      th(tx.t("outage.cause"));
      out.append("</tr></thead>\n<tbody>\n");
      String blip = tx.t("outage.blip", tx.duration(shortOutageMinutes()));
      for (Outage o : outages) {
        out.append("<tr").append(o.shortBlip() ? " class=\"blip\"" : "").append(">");
        tdText(o.start() == null ? tx.noData() : tx.shortDateTime(o.start(), zone));
        tdText(o.end() == null ? tx.noData() : tx.shortDateTime(o.end(), zone));
        tdNum(tx.duration(o.durationMinutes()));
        tdNum(tx.duration(o.openMinutes()));
        tdNum(tx.integer(o.computers()));
        tdText(o.shortBlip() ? blip : tx.t("outage.outage"));
        tdText(tx.cause(o.cause()));
        out.append("</tr>\n");
      }
      out.append("</tbody>\n</table>\n");
    }
    out.append("</div>\n");
  }

  private long shortOutageMinutes() {
    return report.method() == null ? 0 : report.method().shortOutageMinutes();
  }

  // ---- links ----

  private void links() {
    out.append("<section class=\"links\">\n<h2>")
        .append(esc(tx.t("link.heading")))
        .append("</h2>\n");
    boolean any = false;
    String under = tx.t("link.under", tx.share(underShare()));
    for (EstablishmentEvidence e : establishments()) {
      for (LinkEvidence l : list(e.links())) {
        any = true;
        out.append("<div class=\"link\">\n<h3>")
            .append(esc(tx.t("link.title", Long.toString(l.id()), nz(l.isp()))))
            .append("</h3>\n");
        List<String[]> facts = new ArrayList<>();
        facts.add(
            new String[] {tx.t("link.establishment"), nz(e.name()) + " (" + nz(e.code()) + ")"});
        facts.add(
            new String[] {
              tx.t("link.technology"), blank(l.technology()) ? tx.noData() : l.technology()
            });
        facts.add(
            new String[] {
              tx.t("link.cost"), tx.opt(opt(l.monthlyCost()), c -> tx.money(c, l.currency()))
            });
        facts.add(
            new String[] {
              tx.t("link.costpermbps"),
              tx.opt(
                  opt(l.costPerMeasuredMbps()),
                  c -> tx.t("unit.permbps", tx.moneyNumber(c, l.currency()), nz(l.currency())))
            });
        facts.add(
            new String[] {
              tx.t("link.utilization"),
              tx.opt(
                  opt(l.utilization()),
                  u ->
                      tx.t(
                          "link.utilizationdetail",
                          tx.pct(u.p95InPct()),
                          tx.pct(u.p95OutPct()),
                          tx.duration(u.minutesAbove80Pct()),
                          tx.integer(u.samples()),
                          tx.plain(u.p95InMbps(), 2),
                          tx.plain(u.p95OutMbps(), 2),
                          tx.duration(u.gapMinutes())))
            });
        opt(l.utilization())
            .filter(u -> !list(u.peakHours()).isEmpty())
            .ifPresent(
                u ->
                    facts.add(
                        new String[] {
                          tx.t("link.peakhours"),
                          String.join(
                              "; ",
                              list(u.peakHours()).stream()
                                  .map(
                                      h ->
                                          tx.t(
                                              "link.peakhour",
                                              String.format(
                                                  java.util.Locale.ROOT, "%02d:00", h.hour()),
                                              tx.pct(h.meanInPct()),
                                              tx.pct(h.meanOutPct())))
                                  .toList())
                        }));
        facts(facts);
        out.append("<table class=\"figures speeds\">\n<thead><tr>");
        th(tx.t("link.direction"));
        th(tx.t("link.contracted"));
        th(tx.t("link.median"));
        th(tx.t("link.p10"));
        th(tx.t("link.p90"));
        th(tx.t("link.tests"));
        th(under);
        out.append("</tr></thead>\n<tbody>\n");
        speedRow(
            tx.t("link.download"),
            l.contractedDownMbps() == null ? tx.noData() : tx.mbps(l.contractedDownMbps()),
            l.download());
        speedRow(
            tx.t("link.upload"),
            l.contractedUpMbps() == null ? tx.noData() : tx.mbps(l.contractedUpMbps()),
            l.upload());
        out.append("</tbody>\n</table>\n</div>\n");
      }
    }
    if (!any) {
      p(tx.t("link.none"));
    }
    out.append("</section>\n");
  }

  private void speedRow(String direction, String contracted, SpeedStats s) {
    out.append("<tr>");
    tdText(direction);
    tdNum(contracted);
    if (s == null) {
      for (int i = 0; i < 5; i++) {
        tdNum(tx.noData());
      }
    } else {
      tdNum(tx.opt(opt(s.medianMbps()), tx::mbps));
      tdNum(tx.opt(opt(s.p10Mbps()), tx::mbps));
      tdNum(tx.opt(opt(s.p90Mbps()), tx::mbps));
      tdNum(tx.integer(s.tests()));
      tdNum(tx.opt(opt(s.underContractSharePct()), tx::pct));
    }
    out.append("</tr>\n");
  }

  /** The "under contract" threshold as a fraction (0.8), whether given as 0.8 or as 80. */
  private double underShare() {
    double v = report.method() == null ? 0.8 : report.method().underContractShare();
    return v > 1 ? v / 100 : v;
  }

  // ---- methodology, sources, definitions, hash ----

  private void methodology() {
    Method m = report.method();
    out.append("<section class=\"method\">\n<h2>")
        .append(esc(tx.t("method.heading")))
        .append("</h2>\n");
    p(tx.t("method.intro", zone.getId()));
    if (m == null) {
      p(tx.noData());
      out.append("</section>\n");
      return;
    }
    out.append("<ul>\n");
    li(tx.t("method.connected", tx.integer(m.minOnlineDays())));
    li(tx.t("method.declared"));
    li(tx.t("method.change"));
    li(tx.t("method.availability"));
    li(tx.t("method.nodata"));
    li(tx.t("method.completeness"));
    li(tx.t("method.hold", tx.integer(m.holdMinutes())));
    li(tx.t("method.outage", tx.duration(m.shortOutageMinutes())));
    li(
        tx.t(
            "method.speed",
            blank(m.testServer()) ? tx.noData() : m.testServer(),
            tx.share(underShare())));
    li(tx.t("method.cost"));
    li(tx.t("method.latency"));
    li(tx.t("method.utilization"));
    li(tx.t("method.samples", tx.integer(m.observationsUsed()), tx.integer(m.speedTestsUsed())));
    out.append("</ul>\n</section>\n");
  }

  private void sources() {
    out.append("<section class=\"sources\">\n<h2>")
        .append(esc(tx.t("sources.heading")))
        .append("</h2>\n");
    List<String> sources = list(report.meta().sources());
    if (sources.isEmpty()) {
      p(tx.t("sources.none"));
    } else {
      out.append("<ul>\n");
      sources.forEach(src -> li(tx.tOr("source." + src, src)));
      out.append("</ul>\n");
    }
    out.append("</section>\n");
  }

  private void definitions() {
    out.append("<section class=\"definitions\">\n<h2>")
        .append(esc(tx.t("def.heading")))
        .append("</h2>\n<dl>\n");
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
    String sha = report.meta().dataSha256();
    out.append("<section class=\"integrity\">\n<h2>")
        .append(esc(tx.t("hash.heading")))
        .append("</h2>\n");
    p(tx.t("hash.text"));
    out.append("<p class=\"hash big\">")
        .append(esc(blank(sha) ? tx.noData() : sha))
        .append("</p>\n");
    p(tx.t("hash.how"));
    if (report.meta().generatedAt() != null) {
      out.append("<p class=\"note\">")
          .append(esc(tx.t("footer.generated", tx.dateTime(report.meta().generatedAt(), zone))))
          .append("</p>\n");
    }
    out.append("</section>\n");
  }

  // ---- small pieces ----

  /** Label: value pairs in one paragraph, each pair kept on one line where it fits. */
  private void facts(List<String[]> facts) {
    out.append("<p class=\"facts\">");
    for (int i = 0; i < facts.size(); i++) {
      String value = facts.get(i)[1];
      out.append(i == 0 ? "" : " <span class=\"sep\">·</span> ")
          .append("<span class=\"k\">")
          .append(esc(facts.get(i)[0]))
          .append(":</span> ")
          .append(
              value.equals(tx.noData())
                  ? "<span class=\"nodata\">" + esc(value) + "</span>"
                  : esc(value));
    }
    out.append("</p>\n");
  }

  private void p(String text) {
    out.append("<p>").append(esc(text)).append("</p>\n");
  }

  private void li(String text) {
    out.append("<li>").append(esc(text)).append("</li>\n");
  }

  private void th(String text) {
    out.append("<th scope=\"col\">").append(esc(text)).append("</th>");
  }

  private void tdText(String text) {
    out.append("<td>").append(esc(text)).append("</td>");
  }

  private void tdNum(String text) {
    boolean none = text.equals(tx.noData());
    out.append("<td class=\"")
        .append(none ? "num nodata" : "num")
        .append("\">")
        .append(esc(text))
        .append("</td>");
  }

  private String compactPct(double v) {
    return (Math.abs(v - Math.rint(v)) < 1e-9 ? tx.number(v, 0) : tx.number(v, 1))
        + EvidenceText.NBSP
        + "%";
  }

  private List<EstablishmentEvidence> establishments() {
    return list(report.establishments());
  }

  static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }

  static <T> Optional<T> opt(Optional<T> o) {
    return o == null ? Optional.empty() : o;
  }

  static String nz(String s) {
    return s == null ? "" : s;
  }

  static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  /**
   * Escapes text for both XHTML and HTML: &amp; &lt; &gt; &quot; &#39;, and drops characters XML
   * 1.0 does not allow (control characters), which would make the PDF renderer fail.
   */
  public static String esc(String s) {
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
          if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0xFFFE || c == 0xFFFF) {
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

  /** The PDF renderer maps sans-serif to the base-14 Helvetica (see EvidencePdf). */
  static final String FONTS = "Helvetica, Arial, sans-serif";

  private static final String FOOTER =
      "font-family: " + FONTS + "; font-size: 7.5pt;" + " color: #555;";

  private String css(String running) {
    List<String> rules = new ArrayList<>();
    rules.add(
        "@page { size: "
            + paper.css()
            + "; margin: 16mm 14mm 18mm 14mm;"
            + " @bottom-left { content: "
            + cssString(running)
            + "; "
            + FOOTER
            + " }"
            + " @bottom-right { content: "
            + cssString(tx.t("page") + " ")
            + " counter(page) \" / \""
            + " counter(pages); "
            + FOOTER
            + " } }");
    rules.add(
        "html { font-family: "
            + FONTS
            + "; font-size: 9.5pt; color: #111;"
            + " line-height: 1.35; }");
    rules.add("body { margin: 0; }");
    rules.add("@media screen { body { max-width: 190mm; margin: 2em auto; padding: 0 1em; } }");
    rules.add("h1 { font-size: 19pt; margin: 0 0 2pt 0; }");
    rules.add(
        "h2 { font-size: 13pt; margin: 16pt 0 6pt 0; padding-bottom: 2pt;"
            + " border-bottom: 1.5pt solid #1d4f91; color: #1d4f91; page-break-after: avoid; }");
    rules.add("h3 { font-size: 10.5pt; margin: 10pt 0 4pt 0; page-break-after: avoid; }");
    rules.add(
        ".kicker { text-transform: uppercase; letter-spacing: 0.5pt; color: #1d4f91;"
            + " font-size: 8.5pt; margin: 0; }");
    rules.add(".period { font-size: 12pt; margin: 0 0 8pt 0; }");
    // Separate borders with no spacing, each cell drawing only its right and bottom edge (and
    // the first row and column the outer ones): the same grid as border-collapse, which
    // openhtmltopdf lays out and paints about 15 % slower on the municipality's 160 pages.
    rules.add(
        "table { border-collapse: separate; border-spacing: 0; width: 100%;"
            + " margin: 4pt 0 8pt 0; -fs-table-paginate: paginate; }");
    rules.add("caption { text-align: left; font-weight: bold; padding: 2pt 0; }");
    rules.add("thead { display: table-header-group; }");
    rules.add("tr { page-break-inside: avoid; }");
    rules.add(
        "th, td { border-style: solid; border-color: #999; border-width: 0 0.5pt 0.5pt 0;"
            + " padding: 2pt 4pt; vertical-align: top; text-align: left; }");
    rules.add("th:first-child, td:first-child { border-left-width: 0.5pt; }");
    rules.add("tr:first-child > th, tr:first-child > td { border-top-width: 0.5pt; }");
    rules.add("thead th { background: #e8eef7; font-size: 8.5pt; }");
    rules.add("table.kv th { width: 35%; background: #f4f6f9; font-weight: normal; }");
    rules.add("table.meta th { width: 28%; background: #f4f6f9; font-weight: normal; }");
    rules.add("td.num { text-align: right; white-space: nowrap; }");
    rules.add(
        "table.overview { font-size: 8.5pt; } table.overview td.num { white-space: normal; }");
    rules.add("td.nodata, .nodata { color: #666; font-style: italic; }");
    rules.add("tr.total td { font-weight: bold; }");
    rules.add("tr.blip td { color: #555; }");
    rules.add(".hash { font-family: Courier, 'Courier New', monospace; font-size: 8pt; }");
    rules.add(".hash.big { font-size: 9pt; }");
    rules.add(".code { font-weight: normal; color: #555; }");
    rules.add(".note { color: #444; font-style: italic; }");
    rules.add(".link { page-break-inside: avoid; }");
    rules.add(
        ".facts { margin: 2pt 0 4pt 0; } .facts .k { font-weight: bold; }"
            + " .facts .sep { color: #888; }");
    rules.add("dt { font-weight: bold; margin-top: 3pt; }");
    rules.add("dd { margin: 0 0 0 12pt; }");
    rules.add("ul { padding-left: 14pt; } li { margin-bottom: 2pt; }");
    return String.join("\n", rules) + "\n";
  }
}
