package org.enlace.server.evidence;

import static org.enlace.server.evidence.EvidenceHtml.esc;

import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.enlace.server.evidence.EvidenceReport.LinkEvidence;
import org.enlace.server.evidence.EvidenceReport.Outage;
import org.enlace.server.evidence.EvidenceReport.SpeedStats;
import org.enlace.server.evidence.IspReport.ServedEstablishment;

/**
 * The ISP report as one printable XHTML document, with the municipality's report's style sheet and
 * page rule: what the provider delivered (speeds against contract, outages inside opening hours,
 * availability, cost, use) and nothing of the plan. {@link EvidencePdf#fromXhtml} lays it out as
 * PDF.
 */
public final class IspReportHtml {
  // The page rule and footers of the municipality's report: both kinds print alike.
  private static final String FOOTER = EvidenceHtml.FOOTER;
  private static final String PAGE_RULE = EvidenceHtml.PAGE_RULE;
  private static final String STYLE = style();

  private final IspReport report;
  private final ReaderText rt;
  private final EvidenceText tx;
  private final String noData;
  private final Paper paper;
  private final ZoneId zone;
  private final StringBuilder out = new StringBuilder(32 * 1024);

  private IspReportHtml(IspReport report, EvidenceText.Lang lang, Paper paper) {
    this.report = report;
    this.rt = ReaderText.of(lang);
    this.tx = rt.tx();
    this.noData = tx.noData();
    this.paper = paper;
    this.zone = zone(report.meta().timeZone());
  }

  public static String render(IspReport report, EvidenceText.Lang lang, Paper paper) {
    return new IspReportHtml(report, lang, paper).document();
  }

  public static byte[] pdf(IspReport report, EvidenceText.Lang lang, Paper paper) {
    return EvidencePdf.fromXhtml(render(report, lang, paper), paper);
  }

  private static ZoneId zone(String id) {
    try {
      return ZoneId.of(id);
    } catch (RuntimeException e) {
      return EvidenceHtml.DEFAULT_ZONE;
    }
  }

  private String document() {
    IspReport.Meta m = report.meta();
    String period = tx.periodName(m.period());
    String title = rt.t("isp.title", m.isp(), m.municipality(), period);
    out.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"")
        .append(tx.t("lang"))
        .append("\" xml:lang=\"")
        .append(tx.t("lang"))
        .append("\">\n<head>\n<meta charset=\"UTF-8\"/>\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
        .append("<title>")
        .append(esc(title))
        .append("</title>\n<meta name=\"author\" content=\"")
        .append(esc(m.municipality()))
        .append("\"/>\n<meta name=\"subject\" content=\"")
        .append(esc(rt.t("isp.kind")))
        .append(" – SHA-256 ")
        .append(esc(String.valueOf(m.dataSha256())))
        .append("\"/>\n<meta name=\"generator\" content=\"Enlace\"/>\n<style>\n")
        .append(
            PAGE_RULE.formatted(
                paper.css(),
                EvidenceHtml.cssString(m.isp() + " – " + m.municipality() + " – " + period),
                FOOTER,
                EvidenceHtml.cssString(tx.t("page") + " "),
                FOOTER))
        .append('\n')
        .append(STYLE)
        .append("</style>\n</head>\n<body>\n");
    header(period);
    summary(period);
    charts();
    speeds();
    availability();
    costAndUse();
    methodology();
    integrity();
    out.append("</body>\n</html>\n");
    return out.toString();
  }

  private void header(String period) {
    IspReport.Meta m = report.meta();
    out.append("<header>\n<p class=\"kicker\">")
        .append(esc(rt.t("isp.kind")))
        .append("</p>\n<h1>")
        .append(esc(m.isp()))
        .append("</h1>\n<p class=\"period\">")
        .append(esc(m.municipality() + " – " + period))
        .append("</p>\n");
    HtmlTable.keyValue("meta", noData)
        .labelled(rt.t("isp.meta.municipality"), m.municipality())
        .labelled(
            tx.t("meta.period"),
            period + " (" + m.period() + "), " + tx.range(m.firstDay(), m.lastDay()))
        .labelled(tx.t("meta.scope"), scope())
        .labelled(
            tx.t("meta.generated"),
            Optional.ofNullable(m.generatedAt()).map(at -> tx.dateTime(at, zone)).orElse(noData))
        .labelled(tx.t("meta.timezone"), tx.zone(zone))
        .labelled(tx.t("meta.sha"), HtmlTable.hash(String.valueOf(m.dataSha256())))
        .appendTo(out);
    out.append("</header>\n");
  }

  private String scope() {
    IspReport.Meta m = report.meta();
    if ("link".equals(m.scope())) {
      for (ServedEstablishment e : report.establishments()) {
        for (LinkEvidence l : e.links()) {
          return tx.t("scope.link", m.scopeId()) + ": " + l.isp() + " – " + e.name();
        }
      }
      return tx.t("scope.link", m.scopeId());
    }
    return rt.t("isp.scope.isp", m.isp());
  }

  private void summary(String period) {
    IspReport.Summary s = report.summary();
    section("summary", rt.t("isp.summary.heading"));
    out.append("<p class=\"conclusion\">").append(esc(conclusion(period))).append("</p>\n");
    HtmlTable.keyValue("kv", noData)
        .labelled(rt.t("isp.summary.links"), tx.integer(s.links()))
        .labelled(rt.t("isp.summary.establishments"), tx.integer(s.establishments()))
        .labelled(rt.t("isp.summary.tests"), tx.integer(s.speedTests()))
        .labelled(
            rt.t("isp.summary.under", tx.share(report.method().underContractShare())),
            rt.t(
                "isp.summary.ofwithtests",
                tx.integer(s.linksUnderContract()),
                tx.integer(s.linksWithTests())))
        .labelled(rt.t("isp.summary.outages"), tx.integer(s.outages()))
        .labelled(rt.t("isp.summary.blips"), tx.integer(s.shortInterruptions()))
        .labelled(rt.t("isp.summary.outagetime"), tx.duration(s.outageOpenMinutes()))
        .labelled(rt.t("isp.summary.availability"), tx.opt(s.availabilityPct(), tx::pct))
        .appendTo(out);
    out.append("</section>\n");
  }

  /** One paragraph that a contract officer can quote. */
  String conclusion(String period) {
    IspReport.Summary s = report.summary();
    IspReport.Meta m = report.meta();
    List<String> parts = new ArrayList<>();
    parts.add(
        rt.t(
            "isp.conclusion.links",
            period,
            m.isp(),
            count(s.links(), "link"),
            count(s.establishments(), "establishment"),
            m.municipality()));
    parts.add(
        s.linksWithTests() == 0
            ? rt.t("isp.conclusion.notests")
            : rt.t(
                "isp.conclusion.speed",
                tx.integer(s.linksUnderContract()),
                count(s.linksWithTests(), "link"),
                tx.share(report.method().underContractShare())));
    parts.add(
        s.availabilityPct()
            .map(
                a ->
                    rt.t(
                        "isp.conclusion.outages",
                        count(s.outages(), "outage"),
                        tx.duration(s.outageOpenMinutes()),
                        tx.pct(a)))
            .orElse(rt.t("isp.conclusion.noavailability")));
    return String.join(" ", parts);
  }

  /** 1 enlace, 2 enlaces: the number and its noun in the singular or the plural. */
  private String count(long n, String noun) {
    return tx.integer(n) + " " + rt.t("isp.word." + noun + (n == 1 ? ".one" : ".many"));
  }

  private void speeds() {
    section("links", rt.t("isp.speed.heading"));
    out.append("<p>")
        .append(esc(rt.t("isp.speed.intro", tx.share(report.method().underContractShare()))))
        .append("</p>\n");
    HtmlTable t =
        HtmlTable.figures(
            "figures overview",
            Optional.empty(),
            List.of(
                rt.t("isp.col.link"),
                tx.t("link.direction"),
                tx.t("link.contracted"),
                tx.t("link.median"),
                rt.t("isp.col.spread"),
                tx.t("link.tests"),
                tx.t("link.under", tx.share(report.method().underContractShare()))),
            noData);
    for (ServedEstablishment e : report.establishments()) {
      for (LinkEvidence l : e.links()) {
        String name = linkName(e, l);
        speedRow(t, name, tx.t("link.download"), l.contractedDownMbps(), l.download());
        speedRow(t, "", tx.t("link.upload"), l.contractedUpMbps(), l.upload());
      }
    }
    t.appendTo(out, tx.t("link.none"));
    out.append("</section>\n");
  }

  private String linkName(ServedEstablishment e, LinkEvidence l) {
    return rt.t(
        "isp.linkname",
        Long.toString(l.id()),
        e.name(),
        l.technology().isBlank() ? noData : l.technology());
  }

  private void speedRow(
      HtmlTable t, String link, String direction, BigDecimal contracted, SpeedStats s) {
    t.row(
        HtmlTable.text(link),
        HtmlTable.text(direction),
        HtmlTable.num(tx.mbps(contracted)),
        HtmlTable.num(tx.opt(s.medianMbps(), tx::mbps)),
        HtmlTable.num(
            s.p10Mbps().isPresent() && s.p90Mbps().isPresent()
                ? tx.number(s.p10Mbps().get(), 1) + " – " + tx.number(s.p90Mbps().get(), 1)
                : noData),
        HtmlTable.num(tx.integer(s.tests())),
        HtmlTable.num(tx.opt(s.underContractSharePct(), tx::pct)));
  }

  private void availability() {
    section("establishments", rt.t("isp.avail.heading"));
    out.append("<p>").append(esc(rt.t("isp.avail.intro"))).append("</p>\n");
    HtmlTable t =
        HtmlTable.figures(
            "figures overview",
            Optional.empty(),
            List.of(
                tx.t("est.name"),
                rt.t("isp.col.linksthere"),
                tx.t("est.availability"),
                tx.t("est.completeness"),
                tx.t("est.outages"),
                tx.t("est.outagetime"),
                tx.t("est.latency")),
            noData);
    for (ServedEstablishment e : report.establishments()) {
      t.row(
          HtmlTable.text(e.name() + " (" + e.code() + ")"),
          HtmlTable.num(tx.integer(e.linksAtEstablishment())),
          HtmlTable.num(tx.opt(e.availability().availabilityPct(), tx::pct)),
          HtmlTable.num(tx.opt(e.availability().completenessPct(), tx::pct)),
          HtmlTable.num(tx.integer(e.outages().stream().filter(o -> !o.shortBlip()).count())),
          HtmlTable.num(
              tx.duration(
                  e.outages().stream()
                      .filter(o -> !o.shortBlip())
                      .mapToLong(Outage::openMinutes)
                      .sum())),
          HtmlTable.num(latency(e)));
    }
    t.appendTo(out, tx.t("est.none"));
    for (ServedEstablishment e : report.establishments()) {
      out.append("<div class=\"establishment\">\n<h3>")
          .append(esc(e.name()))
          .append(" <span class=\"code\">(")
          .append(esc(e.code()))
          .append(")</span></h3>\n");
      if (e.linksAtEstablishment() > 1) {
        out.append("<p class=\"note\">")
            .append(esc(rt.t("isp.avail.shared", tx.integer(e.linksAtEstablishment()))))
            .append("</p>\n");
      }
      HtmlTable o =
          HtmlTable.figures(
              "figures outages",
              Optional.of(rt.t("isp.outages.caption")),
              List.of(
                  tx.t("outage.start"),
                  tx.t("outage.end"),
                  tx.t("outage.duration"),
                  tx.t("outage.open"),
                  tx.t("outage.computers"),
                  tx.t("outage.type"),
                  tx.t("outage.cause")),
              noData);
      String blip = tx.t("outage.blip", tx.duration(report.method().shortOutageMinutes()));
      for (Outage x : e.outages()) {
        o.row(
            x.shortBlip() ? Optional.of("blip") : Optional.empty(),
            HtmlTable.text(tx.shortDateTime(x.start(), zone)),
            HtmlTable.text(tx.shortDateTime(x.end(), zone)),
            HtmlTable.num(tx.duration(x.durationMinutes())),
            HtmlTable.num(tx.duration(x.openMinutes())),
            HtmlTable.num(tx.integer(x.computers())),
            HtmlTable.text(x.shortBlip() ? blip : tx.t("outage.outage")),
            HtmlTable.text(tx.cause(x.cause())));
      }
      o.appendTo(out, rt.t("isp.outages.none"));
      out.append("</div>\n");
    }
    out.append("</section>\n");
  }

  private String latency(ServedEstablishment e) {
    var l = e.latency();
    return l.p50Ms().isEmpty() && l.p90Ms().isEmpty()
        ? noData
        : tx.opt(l.p50Ms(), tx::ms) + " / " + tx.opt(l.p90Ms(), tx::ms);
  }

  private void costAndUse() {
    section("links", rt.t("isp.cost.heading"));
    HtmlTable t =
        HtmlTable.figures(
            "figures overview",
            Optional.empty(),
            List.of(
                rt.t("isp.col.link"),
                tx.t("link.cost"),
                tx.t("link.costpermbps"),
                rt.t("isp.col.p95in"),
                rt.t("isp.col.p95out"),
                rt.t("isp.col.above80"),
                tx.t("link.peakhours")),
            noData);
    for (ServedEstablishment e : report.establishments()) {
      for (LinkEvidence l : e.links()) {
        var u = l.utilization();
        t.row(
            HtmlTable.text(linkName(e, l)),
            HtmlTable.num(tx.opt(l.monthlyCost(), c -> tx.money(c, l.currency()))),
            HtmlTable.num(
                tx.opt(
                    l.costPerMeasuredMbps(),
                    c -> tx.t("unit.permbps", tx.moneyNumber(c, l.currency()), l.currency()))),
            HtmlTable.num(
                tx.opt(u, x -> tx.pct(x.p95InPct()) + " (" + tx.mbps(x.p95InMbps()) + ")")),
            HtmlTable.num(
                tx.opt(u, x -> tx.pct(x.p95OutPct()) + " (" + tx.mbps(x.p95OutMbps()) + ")")),
            HtmlTable.num(tx.opt(u, x -> tx.duration(x.minutesAbove80Pct()))),
            HtmlTable.text(
                tx.opt(
                    u.filter(x -> !x.peakHours().isEmpty()),
                    x ->
                        String.join(
                            ", ",
                            x.peakHours().stream()
                                .map(h -> String.format(Locale.ROOT, "%02d:00", h.hour()))
                                .toList()))));
      }
    }
    t.appendTo(out, tx.t("link.none"));
    out.append("<p class=\"note\">").append(esc(rt.t("isp.cost.note"))).append("</p>\n");
    out.append("</section>\n");
  }

  private void methodology() {
    IspReport.Method m = report.method();
    section("method", rt.t("isp.method.heading"));
    out.append("<p>").append(esc(tx.t("method.intro", tx.zone(zone)))).append("</p>\n<ul>\n");
    li(tx.t("method.availability"));
    li(tx.t("method.nodata"));
    li(tx.t("method.completeness"));
    li(tx.t("method.hold", tx.minutes(m.holdMinutes())));
    li(tx.t("method.outage", tx.duration(m.shortOutageMinutes())));
    li(rt.t("isp.method.openhours"));
    li(rt.t("isp.method.shared"));
    li(
        tx.t(
            "method.speed",
            m.testServer().isBlank() ? noData : m.testServer(),
            tx.share(m.underContractShare())));
    li(tx.t("method.cost"));
    li(tx.t("method.latency"));
    li(tx.t("method.utilization"));
    li(rt.t("isp.method.noplan"));
    out.append("</ul>\n</section>\n");
  }

  private void integrity() {
    section("integrity", rt.t("isp.hash.heading"));
    out.append("<p>").append(esc(tx.t("hash.text"))).append("</p>\n");
    out.append("<p class=\"hash big\">")
        .append(esc(String.valueOf(report.meta().dataSha256())))
        .append("</p>\n<p>")
        .append(esc(rt.t("isp.hash.how")))
        .append("</p>\n</section>\n");
  }

  /**
   * The municipality report's charts for the ISP's links and the places they serve: availability,
   * measured against contracted speed and the outage calendar (never the plan's indicators, which
   * only a municipality report draws).
   */
  private void charts() {
    IspReport.Meta m = report.meta();
    List<EvidenceReport.EstablishmentEvidence> places =
        report.establishments().stream()
            .map(
                s ->
                    new EvidenceReport.EstablishmentEvidence(
                        s.code(),
                        s.name(),
                        s.kind(),
                        s.sector(),
                        s.availability(),
                        s.outages(),
                        s.latency(),
                        0,
                        0,
                        s.links(),
                        List.of(),
                        List.of()))
            .toList();
    EvidenceReport.Meta meta =
        new EvidenceReport.Meta(
            m.municipality(),
            m.period(),
            m.firstDay(),
            m.lastDay(),
            m.scope(),
            m.scopeId(),
            m.timeZone(),
            m.generatedAt(),
            m.dataSha256(),
            m.sources());
    out.append(EvidenceCharts.section(meta, places, tx, zone));
  }

  private void section(String cssClass, String heading) {
    out.append("<section class=\"")
        .append(cssClass)
        .append("\">\n<h2>")
        .append(esc(heading))
        .append("</h2>\n");
  }

  private void li(String text) {
    out.append("<li>").append(esc(text)).append("</li>\n");
  }

  /** The municipality report's style sheet with the ISP report's few additions. */
  private static String style() {
    return EvidenceHtml.STYLE + ".conclusion { font-size: 11pt; margin: 4pt 0 8pt 0; }\n";
  }
}
