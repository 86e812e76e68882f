package org.enlace.server.evidence;

import static org.enlace.server.evidence.EvidenceHtml.esc;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.enlace.server.evidence.EvidenceReport.Availability;
import org.enlace.server.evidence.EvidenceReport.Coverage;
import org.enlace.server.evidence.EvidenceReport.DayRange;
import org.enlace.server.evidence.EvidenceReport.EstablishmentEvidence;
import org.enlace.server.evidence.EvidenceReport.Outage;
import org.enlace.server.indicators.IndicatorReport;
import org.enlace.server.indicators.IndicatorReport.Baseline;
import org.enlace.server.indicators.IndicatorReport.Counts;
import org.enlace.server.indicators.IndicatorReport.SectorFigures;

/**
 * What a reader sees first and last: the box that says how much of the period the data covers, the
 * executive summary (a paragraph that states the conclusion, then the two indicators by sector
 * against the baseline and the target), and the signature block with the data hash. Every sentence
 * is built from the report, so the summary and the tables cannot disagree.
 */
final class FrontMatter {
  /** Uncovered day ranges listed in the box; the rest are counted. */
  static final int RANGES_SHOWN = 6;

  private final EvidenceReport report;
  private final EvidenceText tx;
  private final ZoneId zone;
  private final Optional<Coverage> coverage;

  /** report: filled by ReportDefaults. */
  FrontMatter(EvidenceReport report, EvidenceText tx, ZoneId zone) {
    this.report = report;
    this.tx = tx;
    this.zone = zone;
    this.coverage = Optional.ofNullable(report.coverage());
  }

  // ---- the coverage box ----

  /** The box on page 1 when the data covers less than the whole period; nothing otherwise. */
  void coverageBox(StringBuilder out) {
    if (coverage.isEmpty() || coverage.get().complete()) {
      return;
    }
    Coverage c = coverage.get();
    out.append("<div class=\"coverage\" role=\"note\">\n<p class=\"coverage-title\">")
        .append(esc(tx.t("cov.title")))
        .append("</p>\n<p>")
        .append(esc(coveredSentence(c)))
        .append("</p>\n<ul>\n");
    for (String reason : c.reasons()) {
      String text =
          switch (reason) {
            case "not_over" -> tx.t("cov.not_over", tx.date(c.asOf()));
            case "gaps" -> tx.t("cov.gaps", ranges(c.daysWithoutData()));
            default -> tx.tOr("cov." + reason, reason);
          };
      out.append("<li>").append(esc(text)).append("</li>\n");
    }
    out.append("</ul>\n<p>").append(esc(tx.t("cov.marked"))).append("</p>\n</div>\n");
  }

  String coveredSentence(Coverage c) {
    if (c.firstDayWithData().isEmpty() || c.lastDayWithData().isEmpty()) {
      return tx.t("cov.none", tx.integer(c.daysInPeriod()));
    }
    return tx.t(
        "cov.covered",
        tx.range(c.firstDayWithData().get(), c.lastDayWithData().get()),
        tx.integer(c.daysCovered()),
        tx.integer(c.daysInPeriod()));
  }

  private String ranges(List<DayRange> ranges) {
    List<String> shown = new ArrayList<>();
    for (DayRange r : ranges) {
      if (r.first().isAfter(firstData().orElse(LocalDate.MAX))) {
        shown.add(r.first().equals(r.last()) ? tx.date(r.first()) : tx.range(r.first(), r.last()));
      }
    }
    if (shown.size() > RANGES_SHOWN) {
      int more = shown.size() - RANGES_SHOWN;
      shown = new ArrayList<>(shown.subList(0, RANGES_SHOWN));
      shown.add(tx.t("cov.more", tx.integer(more)));
    }
    return String.join("; ", shown);
  }

  private Optional<LocalDate> firstData() {
    return coverage.flatMap(Coverage::firstDayWithData);
  }

  // ---- change and progress, marked when the data is partial ----

  /** Whether the figures of days first..last rest on partial data. */
  boolean partial(LocalDate first, LocalDate last) {
    return coverage
        .map(c -> first != null && last != null && c.partialBetween(first, last))
        .orElse(false);
  }

  /**
   * A change or progress figure as the tables and the summary write it: "sin datos" when absent;
   * not computable, with the reason, when the sector had neither agents reporting nor declared
   * counts (a bare -100 % would read as a collapse); marked when the period's data is partial.
   */
  String changeCell(
      Optional<Double> value,
      boolean signed,
      SectorFigures s,
      boolean computers,
      IndicatorReport.Period period) {
    return changeCell(value, signed, s, computers, period, "ind.partial");
  }

  /** partialKey: how a figure on partial data is marked (a short mark in a narrow table). */
  private String changeCell(
      Optional<Double> value,
      boolean signed,
      SectorFigures s,
      boolean computers,
      IndicatorReport.Period period,
      String partialKey) {
    if (value.isEmpty()) {
      return tx.noData();
    }
    if (nothingMeasured(s, computers)) {
      return tx.t("ind.notcomputable", reasonNothingMeasured(s));
    }
    String v = signed ? tx.signedPct(value.get()) : tx.pct(value.get());
    return partial(period.firstDay(), period.lastDay()) ? tx.t(partialKey, v) : v;
  }

  /** Nothing counted and nobody to count it: the sector's figure is absent, not zero. */
  static boolean nothingMeasured(SectorFigures s, boolean computers) {
    Counts c = s.combined();
    long combined = c == null ? 0 : computers ? c.computers() : c.establishments();
    long reporting = s.completeness() == null ? 0 : s.completeness().computersReporting();
    return combined == 0 && reporting == 0;
  }

  private String reasonNothingMeasured(SectorFigures s) {
    return s.completeness() == null || s.completeness().computersEnrolled() == 0
        ? tx.t("ind.reason.noagents")
        : tx.t("ind.reason.noreports");
  }

  // ---- the executive summary ----

  void executiveSummary(StringBuilder out) {
    out.append("<section class=\"executive\">\n<h2>")
        .append(esc(tx.t("exec.heading")))
        .append("</h2>\n<p class=\"conclusion\">")
        .append(esc(paragraph()))
        .append("</p>\n");
    wholePeriod().ifPresent(p -> indicatorTable(out, p));
    out.append("</section>\n");
  }

  private Optional<IndicatorReport.Period> wholePeriod() {
    return Optional.ofNullable(report.indicators())
        .map(IndicatorReport::periods)
        .filter(ps -> !ps.isEmpty())
        .map(ps -> ps.get(0));
  }

  private Optional<Baseline> baseline() {
    return Optional.ofNullable(report.indicators()).flatMap(IndicatorReport::baseline);
  }

  private static Optional<SectorFigures> sector(IndicatorReport.Period p, String name) {
    return p.sectors().stream().filter(s -> name.equals(s.sector())).findFirst();
  }

  /** The summary paragraph: the conclusion first, then availability and outages. */
  String paragraph() {
    String period = tx.periodName(report.meta().period());
    List<String> sentences = new ArrayList<>();
    Optional<IndicatorReport.Period> whole = wholePeriod();
    Optional<SectorFigures> total = whole.flatMap(p -> sector(p, "total"));
    if (whole.isEmpty() || total.isEmpty()) {
      sentences.add(tx.t("exec.noindicators", period));
    } else {
      IndicatorReport.Period p = whole.get();
      SectorFigures t = total.get();
      long enrolled = t.completeness() == null ? 0 : t.completeness().computersEnrolled();
      if (enrolled == 0) {
        sentences.add(tx.t("exec.noagents", period));
      } else {
        sentences.add(
            tx.t(
                "exec.measured",
                period,
                tx.integer(t.measured().computers()),
                count(enrolled, "computer"),
                count(t.measured().establishments(), "establishment")));
      }
      if (t.declared().computers() > 0 || t.declared().establishments() > 0) {
        sentences.add(
            tx.t(
                "exec.declared",
                count(t.declared().computers(), "computer"),
                count(t.declared().establishments(), "establishment"),
                count(t.combined().computers(), "computer"),
                count(t.combined().establishments(), "establishment")));
      }
      sentences.add(baselineSentence(p, t));
      if (baseline().isPresent() && !nothingMeasured(t, true)) {
        sectorsSentence(p).ifPresent(sentences::add);
      }
    }
    sentences.add(availabilitySentence());
    if (coverage.isPresent() && !coverage.get().complete()) {
      sentences.add(tx.t("exec.partial"));
    }
    return String.join(" ", sentences);
  }

  private String baselineSentence(IndicatorReport.Period p, SectorFigures t) {
    Optional<Baseline> b = baseline();
    if (b.isEmpty()) {
      return tx.t("exec.nobaseline");
    }
    String target = targetPct(b.get().targetIncreasePct());
    String base = count(b.get().total().computers(), "computer");
    if (nothingMeasured(t, true)) {
      return tx.t("exec.notcomputable", base, reasonNothingMeasured(t));
    }
    if (t.computersChangePct().isEmpty() || t.computersProgressPct().isEmpty()) {
      return tx.t("exec.nochange", base);
    }
    double change = t.computersChangePct().get();
    double progress = t.computersProgressPct().get();
    // The change carries the "incomplete data" mark; the progress beside it shares it.
    String changeText = changeCell(t.computersChangePct(), true, t, true, p);
    String key = progress >= 100 ? "exec.reached" : change < 0 ? "exec.decline" : "exec.progress";
    String computers = tx.t(key, base, changeText, tx.pct(progress), target);
    return computers
        + " "
        + tx.t(
            "exec.establishments",
            count(t.combined().establishments(), "establishment"),
            count(b.get().total().establishments(), "establishment"),
            progressPhrase(t, false));
  }

  /** "avance del 76,0 %", or why there is none. */
  private String progressPhrase(SectorFigures s, boolean computers) {
    Optional<Double> v = computers ? s.computersProgressPct() : s.establishmentsProgressPct();
    if (v.isEmpty()) {
      return tx.t("exec.progressnone");
    }
    if (nothingMeasured(s, computers)) {
      return tx.t("exec.progressnotcomputable", reasonNothingMeasured(s));
    }
    return tx.t("exec.progressof", tx.pct(v.get()));
  }

  /** "1 computador", "40 computadores". */
  private String count(long n, String word) {
    return tx.t("word." + word + (n == 1 ? ".one" : ".many"), tx.integer(n));
  }

  private Optional<String> sectorsSentence(IndicatorReport.Period p) {
    Optional<SectorFigures> adm = sector(p, "administration");
    Optional<SectorFigures> cit = sector(p, "citizens");
    if (adm.isEmpty() || cit.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        tx.t(
            "exec.sectors",
            count(adm.get().combined().computers(), "computer"),
            progressPhrase(adm.get(), true),
            count(cit.get().combined().computers(), "computer"),
            progressPhrase(cit.get(), true)));
  }

  /** Availability over every establishment's minutes in opening hours, and the outages. */
  String availabilitySentence() {
    long up = 0;
    long down = 0;
    List<Counted> outages = new ArrayList<>();
    for (EstablishmentEvidence e : report.establishments()) {
      Availability a = e.availability();
      if (a != null) {
        up += a.upMinutes();
        down += a.outageMinutes();
      }
      for (Outage o : e.outages()) {
        // Only outages that count: not a short blip, and inside opening hours.
        if (!o.shortBlip() && o.openMinutes() > 0) {
          outages.add(new Counted(e, o));
        }
      }
    }
    if (up + down == 0) {
      return tx.t("exec.noavailability");
    }
    String pct = tx.pct(EvidenceService.round(up * 100.0 / (up + down)));
    if (outages.isEmpty()) {
      return tx.t("exec.availability.nooutages", pct);
    }
    long minutes = outages.stream().mapToLong(c -> c.outage().openMinutes()).sum();
    Counted longest =
        outages.stream()
            .max(
                Comparator.comparingLong((Counted c) -> c.outage().openMinutes())
                    .thenComparing(c -> c.outage().start(), Comparator.reverseOrder()))
            .orElseThrow();
    return tx.t(
        outages.size() == 1 ? "exec.availability.one" : "exec.availability.many",
        pct,
        tx.integer(outages.size()),
        tx.duration(minutes),
        tx.duration(longest.outage().openMinutes()),
        longest.place().name(),
        longest.outage().start() == null
            ? tx.noData()
            : tx.date(longest.outage().start().atZone(zone).toLocalDate()));
  }

  private record Counted(EstablishmentEvidence place, Outage outage) {}

  /** Sector | computers: connected, baseline, target, progress | the same for establishments. */
  private void indicatorTable(StringBuilder out, IndicatorReport.Period p) {
    Optional<Baseline> b = baseline();
    out.append("<table class=\"figures exec\">\n<thead>\n<tr><th rowspan=\"2\">")
        .append(esc(tx.t("ind.sector")))
        .append("</th><th colspan=\"4\" class=\"group\">")
        .append(esc(tx.t("exec.table.computers")))
        .append("</th><th colspan=\"4\" class=\"group\">")
        .append(esc(tx.t("exec.table.establishments")))
        .append("</th></tr>\n<tr>");
    for (int i = 0; i < 2; i++) {
      for (String k :
          List.of("exec.table.connected", "ind.baseline", "exec.table.target", "ind.progress")) {
        out.append("<th>").append(esc(tx.t(k))).append("</th>");
      }
    }
    out.append("</tr>\n</thead>\n<tbody>\n");
    Set<String> notComputable = new LinkedHashSet<>();
    boolean marked = false;
    for (SectorFigures s : p.sectors()) {
      // Not plain "total": the detailed tables' total rows are found by that class.
      out.append("<tr")
          .append("total".equals(s.sector()) ? " class=\"total exec-total\"" : "")
          .append('>');
      cell(out, tx.sector(s.sector()), false);
      for (boolean computers : new boolean[] {true, false}) {
        Optional<Long> base = s.baseline().map(c -> computers ? c.computers() : c.establishments());
        cell(
            out,
            tx.integer(computers ? s.combined().computers() : s.combined().establishments()),
            true);
        cell(out, base.map(tx::integer).orElse(tx.noData()), true);
        cell(
            out,
            b.flatMap(x -> base.map(v -> target(v, x.targetIncreasePct()))).orElse(tx.noData()),
            true);
        Optional<Double> progress =
            computers ? s.computersProgressPct() : s.establishmentsProgressPct();
        if (progress.isPresent() && nothingMeasured(s, computers)) {
          // The reason once under the table, not in every narrow cell.
          notComputable.add(reasonNothingMeasured(s));
          cell(out, tx.t("exec.table.notcomputable"), true);
        } else {
          String text = changeCell(progress, false, s, computers, p, "exec.table.partialmark");
          marked |= progress.isPresent() && partial(p.firstDay(), p.lastDay());
          cell(out, text, true);
        }
      }
      out.append("</tr>\n");
    }
    out.append("</tbody>\n</table>\n");
    if (marked) {
      out.append("<p class=\"note\">").append(esc(tx.t("exec.table.partial"))).append("</p>\n");
    }
    for (String reason : notComputable) {
      out.append("<p class=\"note\">")
          .append(esc(tx.t("exec.table.notcomputablewhy", reason)))
          .append("</p>\n");
    }
    b.ifPresent(
        x ->
            out.append("<p class=\"note\">")
                .append(
                    esc(tx.t("exec.table.note", x.reference(), targetPct(x.targetIncreasePct()))))
                .append("</p>\n"));
  }

  /** +100 %, +12,5 %: a target is a round figure, written as the plan writes it. */
  private String targetPct(double v) {
    String n = Math.abs(v - Math.rint(v)) < 1e-9 ? tx.number(v, 0) : tx.number(v, 1);
    return (v < 0 ? "" : "+") + n + EvidenceText.NBSP + "%";
  }

  /** The count the target asks for: the baseline raised by the target's percentage. */
  private String target(long baseline, double targetPct) {
    double v = baseline * (1 + targetPct / 100);
    return Math.abs(v - Math.rint(v)) < 1e-9 ? tx.integer(Math.round(v)) : tx.number(v, 1);
  }

  private void cell(StringBuilder out, String text, boolean num) {
    boolean noData = text.equals(tx.noData());
    String cls = (num ? "num" : "") + (noData ? (num ? " " : "") + "nodata" : "");
    out.append("<td").append(cls.isEmpty() ? "" : " class=\"" + cls + "\"").append('>');
    out.append(esc(text)).append("</td>");
  }

  // ---- the signature block ----

  /** Prepared by and reviewed by, with blank lines to sign by hand, and the data's hash. */
  void signatures(StringBuilder out, Signatures s) {
    out.append("<section class=\"signatures\">\n<h2>")
        .append(esc(tx.t("sign.heading")))
        .append("</h2>\n<p>")
        .append(esc(tx.t("sign.intro")))
        .append("</p>\n<table class=\"sign\">\n<thead><tr><th></th><th>")
        .append(esc(tx.t("sign.prepared")))
        .append("</th><th>")
        .append(esc(tx.t("sign.reviewed")))
        .append("</th></tr></thead>\n<tbody>\n");
    signRow(out, tx.t("sign.name"), s.preparedBy(), s.reviewedBy());
    signRow(out, tx.t("sign.role"), s.preparedRole(), s.reviewedRole());
    signRow(out, tx.t("sign.date"), Optional.empty(), Optional.empty());
    out.append("<tr class=\"signature\"><th>")
        .append(esc(tx.t("sign.signature")))
        .append("</th><td class=\"line\"></td><td class=\"line\"></td></tr>\n");
    out.append("</tbody>\n</table>\n<p class=\"sign-hash\">")
        .append(esc(tx.t("sign.hash")))
        .append("<br/><span class=\"hash big\">")
        .append(
            esc(
                EvidenceHtml.blank(report.meta().dataSha256())
                    ? tx.noData()
                    : report.meta().dataSha256()))
        .append("</span></p>\n</section>\n");
  }

  private static void signRow(
      StringBuilder out, String label, Optional<String> prepared, Optional<String> reviewed) {
    out.append("<tr><th>").append(esc(label)).append("</th>");
    for (Optional<String> v : List.of(prepared, reviewed)) {
      out.append("<td class=\"line\">").append(esc(v.orElse(""))).append("</td>");
    }
    out.append("</tr>\n");
  }
}
